import {
  DEMO_SIZE,
  describeInputError,
  startReferenceServer,
  type DemoSize,
  type FaultSettings,
  type RunningReferenceServer,
  type WebhookDeliveryOptions,
} from '../core/index.js';
import type { CrmofficeContext } from './context.js';
import { CrmofficeDatabase } from './database.js';
import { buildCrmofficeSchema } from './schema.js';
import { seedCrmoffice } from './seed.js';
import { etagOf } from './records.js';
import type { Collection } from '../../generated/crmoffice-server.js';

/** The collections whose changes webhook subscribers hear of: every one with a feed. */
const COLLECTIONS: readonly Collection[] = ['CONTACTS', 'COMPANIES', 'ACTIVITIES'];

export type { CrmofficeContext } from './context.js';
export { CrmofficeDatabase, MAX_FILTER_VALUES, MAX_PAGE_SIZE } from './database.js';
export { seedCrmoffice } from './seed.js';
export { buildCrmofficeSchema } from './schema.js';

export interface CrmofficeOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** `demo` is DEMO_SIZE; `empty` starts with no records. @default 'demo' */
  seed?: 'demo' | 'empty' | DemoSize;
  faults?: Partial<FaultSettings>;
  /** Bearer token every request must carry, admin endpoints included (HTTP 401 otherwise). @default none: open */
  token?: string;
  /** Retries and timeouts of webhook deliveries (`/admin/webhooks`). @default WebhookDispatcher's */
  webhookDelivery?: WebhookDeliveryOptions;
}

/** Starts the Crmoffice reference server with its seed; `POST /admin/reset` restores that seed. */
export async function startCrmoffice(options: CrmofficeOptions = {}): Promise<RunningReferenceServer> {
  const seed = options.seed ?? 'demo';
  const build = (): CrmofficeDatabase =>
    seed === 'empty' ? new CrmofficeDatabase() : seedCrmoffice(seed === 'demo' ? DEMO_SIZE : seed);
  let db = build();
  return startReferenceServer<CrmofficeContext>({
    name: 'Crmoffice',
    schema: buildCrmofficeSchema(),
    context: () => ({ db }),
    reset: () => {
      db = build();
    },
    port: options.port,
    host: options.host,
    faults: options.faults,
    token: options.token,
    webhookDelivery: options.webhookDelivery,
    // A value the schema's types reject (a missing lastName, an unknown enum value) is BAD_USER_INPUT too.
    formatError: describeInputError,
    feeds: () =>
      COLLECTIONS.map((collection) => ({
        entity: collection,
        log: db.storeOf(collection),
        token: (entry) => ({ etag: etagOf(entry.revision) }),
      })),
  });
}

import {
  DEMO_SIZE,
  demoWorld,
  describeInputError,
  startReferenceServer,
  type DemoSize,
  type FaultSettings,
  type RunningReferenceServer,
  type WebhookDeliveryOptions,
} from '../core/index.js';
import type { CustomerpContext } from './context.js';
import { CustomerpDatabase } from './database.js';
import { createCustomerpSchema } from './schema.js';
import { ID_PREFIX } from './records.js';
import type { Entity } from '../../generated/customerp-server.js';

/** Every entity has a table and a feed (ID_PREFIX names each once). */
const ENTITIES = Object.keys(ID_PREFIX) as Entity[];

export type { CustomerpContext } from './context.js';
export { SEEDED_AT } from './database.js';
export { seededCustomerpId } from './records.js';

export interface CustomerpOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** `demo`: `demoWorld(DEMO_SIZE)`; `empty`: no records; a DemoSize: `demoWorld(size)`. @default 'demo' */
  seed?: 'demo' | 'empty' | DemoSize;
  /** Faults from the start; `POST /admin/faults` changes them later. @default none */
  faults?: Partial<FaultSettings>;
  /** Bearer token every request must carry, admin endpoints included (HTTP 401 otherwise). @default none: open */
  token?: string;
  /** Retries and timeouts of webhook deliveries (`/admin/webhooks`). @default WebhookDispatcher's */
  webhookDelivery?: WebhookDeliveryOptions;
}

/**
 * Starts the Customerp reference server (docs/design.md, "Reference system APIs"): GraphQL at `/graphql`
 * plus the admin endpoints, seeded from the demo world; `POST /admin/reset` restores the seed.
 */
export async function startCustomerp(options: CustomerpOptions = {}): Promise<RunningReferenceServer> {
  const schema = createCustomerpSchema();
  const seed = options.seed ?? 'demo';
  const db = new CustomerpDatabase(seed === 'empty' ? null : demoWorld(seed === 'demo' ? DEMO_SIZE : seed));
  return startReferenceServer<CustomerpContext>({
    name: 'Customerp',
    schema,
    context: () => ({ db }),
    reset: () => db.reset(),
    port: options.port,
    host: options.host,
    faults: options.faults,
    token: options.token,
    webhookDelivery: options.webhookDelivery,
    formatError: describeInputError,
    feeds: () =>
      ENTITIES.map((entity) => ({
        entity,
        log: db.table(entity).store,
        token: (entry) => ({ version: entry.revision }),
      })),
  });
}

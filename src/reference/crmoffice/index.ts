import {
  DEMO_SIZE,
  describeInputError,
  startReferenceServer,
  type DemoSize,
  type FaultSettings,
  type RunningReferenceServer,
} from '../core/index.js';
import type { CrmofficeContext } from './context.js';
import { CrmofficeDatabase } from './database.js';
import { buildCrmofficeSchema } from './schema.js';
import { seedCrmoffice } from './seed.js';

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
    // A value the schema's types reject (a missing lastName, an unknown enum value) is BAD_USER_INPUT too.
    formatError: describeInputError,
  });
}

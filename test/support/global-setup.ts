import { register } from 'node:module';
import type { EmbeddedMongo } from '../../src/mongo/index.js';

// Only node: and type imports at the top: jest loads this file through Node's own ESM loader, which
// cannot resolve the project's `./x.js` → `./x.ts` imports until typescript-hooks.js is registered.

/** Where global-teardown finds what this started (jest runs both in the same process). */
const ENGINE = Symbol.for('gateway.test.embedded-mongo');
type WithEngine = typeof globalThis & { [ENGINE]?: EmbeddedMongo };

/**
 * Gives the whole test run one MongoDB: the one in MONGODB_URI if set, otherwise the embedded engine
 * started here (its output kept out of the test output). Its URI goes into process.env.MONGODB_URI,
 * which the test workers, spawned after this, inherit.
 */
export default async function globalSetup(): Promise<void> {
  // Names this run's directory of recorded query shapes (query-shapes.ts; checked in global-teardown.ts).
  process.env['QUERY_SHAPES_RUN'] ??= `${Date.now()}-${process.pid}`;
  // The project's TypeScript, for this file and global-teardown.ts (which checks the query shapes).
  register(new URL('./typescript-hooks.js', import.meta.url));
  if (process.env['MONGODB_URI']) return;
  const { startEmbeddedMongo } = await import('../../src/mongo/index.js');
  // Every suite's database lives in this one process for the whole run: room for the largest.
  const server = await startEmbeddedMongo({ heapMb: 2048 });
  (globalThis as WithEngine)[ENGINE] = server;
  process.env['MONGODB_URI'] = server.uri;
}

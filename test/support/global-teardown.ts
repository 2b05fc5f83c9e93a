import type { EmbeddedMongo } from '../../src/mongo/index.js';

/** Same key as in global-setup.ts (a registered symbol, so no import is needed). */
const ENGINE = Symbol.for('gateway.test.embedded-mongo');
type WithEngine = typeof globalThis & { [ENGINE]?: EmbeddedMongo };

/** Stops the embedded engine that global-setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as WithEngine)[ENGINE];
  if (!server) return;
  delete (globalThis as WithEngine)[ENGINE];
  await server.stop();
  if (process.env['MONGODB_URI'] === server.uri) delete process.env['MONGODB_URI'];
}

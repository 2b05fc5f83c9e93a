import type { FerretDBServer } from '../../src/mongo/index.js';

/** Same key as in global-setup.ts (a registered symbol, so no import is needed). */
const FERRETDB = Symbol.for('gateway.test.ferretdb');
type WithFerretDB = typeof globalThis & { [FERRETDB]?: FerretDBServer };

/** Stops the FerretDB that global-setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as WithFerretDB)[FERRETDB];
  if (!server) return;
  delete (globalThis as WithFerretDB)[FERRETDB];
  await server.stop();
  if (process.env['MONGODB_URI'] === server.uri) delete process.env['MONGODB_URI'];
}

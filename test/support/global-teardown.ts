import type { EmbeddedMongo } from '../../src/mongo/index.js';

/** Same key as in global-setup.ts (a registered symbol, so no import is needed). */
const ENGINE = Symbol.for('gateway.test.embedded-mongo');
type WithEngine = typeof globalThis & { [ENGINE]?: EmbeddedMongo };

/**
 * Stops the embedded engine that global-setup started, if it started one; then fails the run if a test
 * saw the link store or the outbox send a query shape that has no index (test/support/query-shapes.ts).
 */
export default async function globalTeardown(): Promise<void> {
  await stopEngine();
  const run = process.env['QUERY_SHAPES_RUN'];
  if (!run) return;
  const { forgetQueryShapes, queryShapeProblems, recordedQueryShapes } = await import('./query-shapes.js');
  const problems = queryShapeProblems(recordedQueryShapes(run));
  forgetQueryShapes(run);
  if (problems.length > 0) {
    throw new Error(`index discipline: ${problems.length} query shape(s) without an index:\n${problems.join('\n')}`);
  }
}

async function stopEngine(): Promise<void> {
  const server = (globalThis as WithEngine)[ENGINE];
  if (!server) return;
  delete (globalThis as WithEngine)[ENGINE];
  await server.stop();
  if (process.env['MONGODB_URI'] === server.uri) delete process.env['MONGODB_URI'];
}

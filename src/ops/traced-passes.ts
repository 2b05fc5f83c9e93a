import { randomUUID } from 'node:crypto';
import { withRequestContext } from '../observability/request-context.js';
import type { SyncEngine } from '../sync/index.js';

/**
 * The same engine, but each `runOnce()` runs in a request context of its own (`sync-<uuid>`): every
 * log line of one pass, and every upstream request it makes (`x-request-id`), carries the same id.
 * Everything else is the engine itself. (SyncWorker calls `runOnce()`; wrapping here keeps src/sync
 * free of tracing.)
 */
export function tracePasses(engine: SyncEngine): SyncEngine {
  const runOnce = () => withRequestContext(() => engine.runOnce(), `sync-${randomUUID()}`);
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'runOnce') return runOnce;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Runs `work` (an outbox run, say) in a request context of its own, `<prefix>-<uuid>`. */
export function traced<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  return withRequestContext(work, `${prefix}-${randomUUID()}`);
}

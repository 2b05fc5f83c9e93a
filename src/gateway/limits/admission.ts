import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** How many GraphQL requests run at once, and how many may wait for a turn. */
export interface AdmissionOptions {
  /** Requests running at once; size it to what the MongoDB pool and the systems take. */
  maxConcurrent: number;
  /** Requests waiting for a turn; beyond it, 503 with Retry-After. */
  maxQueued: number;
  /** Seconds the 503 asks the client to wait. @default 1 */
  retryAfterSeconds?: number;
  /** Called for each request shed (metrics). */
  onShed?: () => void;
}

/**
 * Backpressure instead of errors: at most `maxConcurrent` requests run at once, up to `maxQueued`
 * more wait (first come, first served), and the rest are answered at once with 503 and
 * `Retry-After`, before anything is parsed or any pool is asked. Without it, a burst larger than
 * the MongoDB pool waits inside resolvers until the driver's wait queue times out, and fields fail
 * with INTERNAL_SERVER_ERROR instead.
 */
export function admissionControl(options: AdmissionOptions): RequestHandler {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return (_req: Request, res: Response, next: NextFunction) => {
    const start = (): void => {
      let released = false;
      const done = (): void => {
        if (released) return;
        released = true;
        release();
      };
      res.once('finish', done);
      res.once('close', done);
      next();
    };
    if (running < options.maxConcurrent) {
      running += 1;
      start();
      return;
    }
    if (waiting.length < options.maxQueued) {
      waiting.push(start); // takes over the slot of the request that releases it
      return;
    }
    options.onShed?.();
    res
      .status(503)
      .set('Retry-After', String(options.retryAfterSeconds ?? 1))
      .json({
        errors: [
          {
            message: 'The gateway is busy: retry after the time in Retry-After',
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          },
        ],
      });
  };
}

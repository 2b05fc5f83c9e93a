import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { acceptRequestId, REQUEST_ID_HEADER, withRequestContext } from '../observability/request-context.js';

/**
 * Express middleware that runs the rest of the request inside a request context: the client's
 * `x-request-id` when it is a sane one, else a new UUID. Log lines written while serving the request
 * carry it, upstream calls send it on, and the response echoes it. Mount it again after a body
 * parser: stream callbacks do not keep the async context, the id kept in `res.locals` does.
 */
export function requestContextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const known = res.locals['requestId'];
    const requestId =
      typeof known === 'string' ? known : (acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID());
    res.locals['requestId'] = requestId;
    if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, requestId);
    withRequestContext(() => next(), requestId);
  };
}

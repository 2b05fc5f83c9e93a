import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ErrorCode } from '../../errors.js';
import { OPERATION_LIMITS } from './operation-limits.js';

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * Parses a JSON request body of at most OPERATION_LIMITS.maxBodyBytes, and answers what it cannot
 * parse in the shape GraphQL clients read (express would answer HTML, with a stack trace outside
 * production): a larger body gets HTTP 413, malformed JSON HTTP 400, both `BAD_REQUEST`. With
 * `exposeLimits` the 413 message says the limit.
 */
export function jsonBody(exposeLimits: boolean): [RequestHandler, ErrorRequestHandler] {
  const tooLarge = exposeLimits
    ? `Request body larger than ${OPERATION_LIMITS.maxBodyBytes} bytes.`
    : 'Request body too large.';
  const refuse: ErrorRequestHandler = (error: BodyParserError, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: tooLarge, extensions: { code: ErrorCode.BadRequest } }] });
    } else if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      // Malformed JSON, an unsupported charset or encoding, a body that ends early.
      res.status(error.status).json({
        errors: [{ message: 'Request body could not be read as JSON.', extensions: { code: ErrorCode.BadRequest } }],
      });
    } else {
      next(error);
    }
  };
  return [express.json({ limit: OPERATION_LIMITS.maxBodyBytes }), refuse];
}

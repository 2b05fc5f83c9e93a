import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors.js';
import { logger } from '../logger.js';

/**
 * Apollo Server's `formatError`: errors we raise on purpose (typed GraphQLErrors from errors.ts, and
 * Apollo's own parse/validation/input errors) go out as they are, codes intact. Anything else is a
 * bug or an infrastructure failure: it is logged, and outside development the client sees only
 * INTERNAL_SERVER_ERROR, with no message, no stack trace, nothing about our dependencies.
 */
export function createFormatError(development: boolean): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) return withoutStacktrace(formatted, development);
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL request');
    if (development) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.Internal },
    };
  };
}

/** Our own errors carry what the client needs in their code; a stack trace is noise except while developing. */
function withoutStacktrace(formatted: GraphQLFormattedError, development: boolean): GraphQLFormattedError {
  if (development || !formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

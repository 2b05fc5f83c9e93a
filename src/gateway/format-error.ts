import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../errors.js';
import { logger } from '../logger.js';
import { currentRequestId } from '../observability/request-context.js';

/**
 * Apollo Server's `formatError`. Errors raised on purpose — typed GraphQLErrors from errors.ts,
 * Apollo's own parse, validation, input and HTTP errors, the limits' rejections — carry a code of
 * their own and go out without a stack trace (the caller caused them: a trace would only bury the
 * message), and outside development also without "Did you mean …?" suggestions (which would spell
 * out the schema that disabled introspection hides). Anything else is a bug or an infrastructure failure: it is logged, and outside development
 * the client sees only INTERNAL_SERVER_ERROR and the request id to quote, nothing about our
 * dependencies (no message, no stack trace, no URL).
 */
export function createFormatError(
  development: boolean,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    if (isDeliberate(formatted, error)) return development ? withoutStacktrace(formatted) : hardened(formatted);
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'unexpected error in a GraphQL request');
    if (development) return formatted;
    const requestId = currentRequestId();
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.Internal, ...(requestId ? { requestId } : {}) },
    };
  };
}

/**
 * A GraphQLError with a code of its own. Apollo Server gives INTERNAL_SERVER_ERROR to everything
 * without one, including what a resolver or the context function threw that was no GraphQLError
 * (it wraps those, e.g. "Context creation failed: …").
 */
function isDeliberate(formatted: GraphQLFormattedError, error: unknown): boolean {
  return unwrapResolverError(error) instanceof GraphQLError && formatted.extensions?.['code'] !== ErrorCode.Internal;
}

/** A deliberate error as clients outside development see it: no stack trace, no suggestions. */
function hardened(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return { ...withoutStacktrace(formatted), message: withoutSuggestions(formatted.message) };
}

/** `formatted` without `extensions.stacktrace` (development keeps traces for INTERNAL_SERVER_ERROR only). */
function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * graphql-js's suggestions: `Did you mean "name"?`, `Did you mean "a", "b", or "c"?`,
 * `Did you mean the enum value "CUSTOMERP"?`, for fields, arguments, types, input fields and enum values.
 */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

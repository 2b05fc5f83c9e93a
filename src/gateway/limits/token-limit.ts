import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ParseOptions } from 'graphql';
import { OPERATION_LIMITS } from './operation-limits.js';

/** graphql-js's wording when its parser stops at `maxLexicalTokens`. */
const GRAPHQL_JS_TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:at|an) \d+ tokens\. Parsing aborted\.$/;

/**
 * The token limit, counted by graphql-js's own parser (`maxLexicalTokens`): Apollo Server answers a
 * longer document with HTTP 400 and GRAPHQL_PARSE_FAILED. Its plugin rewords the message the way
 * Armor words its limits, without the number unless `exposeLimits`.
 */
export function tokenLimit<TContext extends BaseContext>(
  exposeLimits: boolean,
): { parseOptions: ParseOptions; plugin: ApolloServerPlugin<TContext> } {
  const message = exposeLimits ? `Token limit of ${OPERATION_LIMITS.maxTokens} exceeded.` : 'Token limit exceeded.';
  return {
    parseOptions: { maxLexicalTokens: OPERATION_LIMITS.maxTokens },
    plugin: {
      async requestDidStart() {
        return {
          async parsingDidStart() {
            return async (error) => {
              // Apollo Server builds its answer from this error's message after the hook returns.
              if (error && GRAPHQL_JS_TOKEN_LIMIT.test(error.message)) error.message = `Syntax Error: ${message}`;
            };
          },
        };
      },
    },
  };
}

import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { costLimitRule } from './armor-rules.js';
import { withPageSizes } from './page-sizes.js';

/**
 * Rejects an operation whose GraphQL Armor cost exceeds OPERATION_LIMITS.maxCost, priced with the
 * page sizes it will really use (variables and defaults included; a validation rule sees neither).
 * Runs once the operation is known, before execution: HTTP 400, GRAPHQL_VALIDATION_FAILED,
 * `validationErrorCode` MAX_COST_EXCEEDED.
 */
export function costLimitPlugin<TContext extends BaseContext>(exposeLimits: boolean): ApolloServerPlugin<TContext> {
  const overCost = costLimitCheck(exposeLimits);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // no such operation in the document: execution says so
          const rejection = overCost(schema, document, operation, request.variables ?? {});
          if (rejection) throw rejection;
        },
      };
    },
  };
}

/** The check behind costLimitPlugin, for operations that do not come through Apollo Server (subscriptions): the rejection, or null. */
export function costLimitCheck(
  exposeLimits: boolean,
): (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
) => GraphQLError | null {
  const rule = costLimitRule(exposeLimits);
  return (schema, document, operation, variables) => {
    const [rejection] = validate(schema, withPageSizes(schema, document, operation, variables), [rule]);
    if (!rejection) return null;
    return new GraphQLError(rejection.message, {
      extensions: { ...rejection.extensions, code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
    });
  };
}

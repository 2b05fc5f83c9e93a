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
  // Operations already priced under the limit, per document (Apollo Server hands the same parsed
  // document to every request with the same text): a repeated request is not priced again. The cost
  // depends only on the document, the operation and the variables; rejections are not kept.
  const accepted = new WeakMap<DocumentNode, Set<string>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // no such operation in the document: execution says so
          const variables = request.variables ?? {};
          const key = pricingKey(operation, variables);
          const known = accepted.get(document);
          if (known?.has(key)) return;
          const rejection = overCost(schema, document, operation, variables);
          if (rejection) throw rejection;
          const keys = known ?? new Set<string>();
          if (keys.size >= MAX_PRICED_PER_DOCUMENT) keys.clear();
          keys.add(key);
          accepted.set(document, keys);
        },
      };
    },
  };
}

/**
 * What the price of `operation` depends on besides its document: its name and the numbers given to
 * its declared variables (the page sizes withPageSizes reads; nothing else changes the cost). Never
 * the whole variables object, which a client may nest as deep as it likes.
 */
function pricingKey(operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>>): string {
  const numbers = (operation.variableDefinitions ?? []).flatMap((definition) => {
    const value = variables[definition.variable.name.value];
    return typeof value === 'number' ? [`${definition.variable.name.value}=${value}`] : [];
  });
  return `${operation.name?.value ?? ''} ${numbers.join(',')}`;
}

/** Variable sets remembered per document: a client paging through variables cannot grow it without bound. */
const MAX_PRICED_PER_DOCUMENT = 64;

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

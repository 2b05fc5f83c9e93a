import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * Refuses an operation whose type the schema has no root for (this schema has no Subscription), at
 * validation, as graphql-js 17's KnownOperationTypesRule does. graphql-js 16 only fails at execution,
 * with an error that carries no code, which would reach the client as an INTERNAL_SERVER_ERROR.
 */
export const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`The schema does not support ${node.operation} operations.`, { nodes: node }));
  },
});

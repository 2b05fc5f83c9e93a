import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { projectPath } from '../../paths.js';
import { resolvers } from './resolvers.js';

/**
 * Customerp's executable schema from `schema/customerp.graphql`. Fails at start, not on the first
 * request, when a field that takes arguments has no resolver.
 */
export function createCustomerpSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readFileSync(projectPath('schema', 'customerp.graphql'), 'utf8'),
    resolvers,
    resolverValidationOptions: {
      requireResolversForArgs: 'error',
      requireResolversForResolveType: 'error',
    },
  });
}

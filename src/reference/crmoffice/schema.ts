import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { projectPath } from '../../paths.js';
import { resolvers } from './resolvers.js';

/**
 * Crmoffice's executable schema from `schema/crmoffice.graphql`. Fails at start-up if a field with
 * arguments lacks a resolver or a resolver names no field of the schema.
 */
export function buildCrmofficeSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readFileSync(projectPath('schema', 'crmoffice.graphql'), 'utf8'),
    resolvers,
    resolverValidationOptions: {
      requireResolversForArgs: 'error',
      requireResolversToMatchSchema: 'error',
    },
  });
}

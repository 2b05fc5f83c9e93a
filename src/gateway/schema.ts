import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { addResolversToSchema } from '@graphql-tools/schema';
import { parse, type GraphQLSchema } from 'graphql';
import type { Resolvers } from '../generated/gateway-server.js';
import { projectPath } from '../paths.js';
import { authDirectiveTransformer } from './authorization/index.js';
import { withEntityResolvers } from './federation.js';
import { CustomerpPerson, Node } from './resolvers/abstract-types.js';
import { Activity } from './resolvers/activity.js';
import { Company } from './resolvers/company.js';
import {
  ActivityConnection,
  CompanyConnection,
  ConflictConnection,
  ContactConnection,
} from './resolvers/connections.js';
import { Contact } from './resolvers/contact.js';
import { healthQuery } from './resolvers/health.js';
import { Mutation } from './resolvers/mutations.js';
import { Conflict, LinkInfo, SyncInfo } from './resolvers/link-info.js';
import { readQueries } from './resolvers/query.js';
import { ActivityChange, CompanyChange, ContactChange, Subscription } from './resolvers/subscription.js';
import { syncStatusQuery } from './resolvers/sync-status.js';
import { DateScalar, DateTimeScalar, JSONScalar } from './scalars.js';

const typeDefs = [
  'gateway.graphql',
  'gateway-mutations.graphql',
  'gateway-subscriptions.graphql',
  'gateway-federation.graphql',
].map((file) => readFileSync(projectPath('schema', file), 'utf8'));

/**
 * Unified records (Contact, Company, Activity, LinkInfo, SyncInfo) resolve from their link document;
 * the per-system shapes (CustomerpEmployee, CrmofficeContact, …) are the records as the systems
 * return them, so their fields need no resolvers of their own.
 */
const resolvers: Resolvers = {
  Query: { ...healthQuery, ...readQueries, ...syncStatusQuery },
  Mutation,
  Subscription,
  ContactChange,
  CompanyChange,
  ActivityChange,
  DateTime: DateTimeScalar,
  Date: DateScalar,
  JSON: JSONScalar,
  Node,
  CustomerpPerson,
  Contact,
  Company,
  Activity,
  LinkInfo,
  SyncInfo,
  Conflict,
  ContactConnection,
  CompanyConnection,
  ActivityConnection,
  ConflictConnection,
};

/**
 * The gateway schema, its `@auth` scopes enforced on every field (src/gateway/authorization), and an
 * Apollo Federation v2 subgraph (src/gateway/federation.ts): @apollo/subgraph adds `_service` and
 * `_entities` to the SDL, the resolvers are added with graphql-tools' checks. Fails at start-up if a
 * field with arguments or an abstract type lacks a resolver, or a root field lacks `@auth`.
 */
export function buildGatewaySchema(): GraphQLSchema {
  const subgraph = buildSubgraphSchema({ typeDefs: parse(typeDefs.join('\n')) });
  const schema = addResolversToSchema({
    schema: subgraph,
    resolvers,
    resolverValidationOptions: {
      requireResolversForArgs: 'error',
      requireResolversForResolveType: 'error',
      requireResolversToMatchSchema: 'error',
    },
  });
  return withEntityResolvers(authDirectiveTransformer(schema));
}

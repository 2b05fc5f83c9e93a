import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { BadUserInputError } from '../errors.js';
import { isLinkEntity, type Link, type LinkEntity } from '../links/index.js';
import { assertScopes, RECORD_SCOPES } from './authorization/index.js';
import type { GatewayContext } from './context.js';
import { linkOfUnifiedId } from './resolvers/query.js';

/**
 * Apollo Federation v2: Contact, Company and Activity are entities keyed by their unified id
 * (schema/gateway-federation.graphql). `_entities` resolves each representation through the request's
 * link loader, so N representations cost what a page of N does: one links query, then the systems'
 * batched loaders. Each representation needs its type's read scope (checked before anything is read);
 * the record's fields keep their own @auth.
 */

function referenceResolver(entity: LinkEntity) {
  return async (reference: object, context: GatewayContext): Promise<Link | null> => {
    assertScopes(context.principal, `_entities of ${entity}`, [RECORD_SCOPES[entity].read]);
    const id = (reference as { id?: unknown }).id;
    if (typeof id !== 'string')
      throw new BadUserInputError(`a ${entity} representation needs its id`, 'representations');
    return linkOfUnifiedId(context, id, entity);
  };
}

/** `schema` with the reference resolvers of the three entity types (kept in type extensions, which schema mapping preserves). */
export function withEntityResolvers(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      if (!isLinkEntity(type.name)) return type;
      const config = type.toConfig();
      // `extensions.apollo.subgraph.resolveReference` is where @apollo/subgraph 2 looks for it.
      return new GraphQLObjectType({
        ...config,
        extensions: { ...config.extensions, apollo: { subgraph: { resolveReference: referenceResolver(type.name) } } },
      });
    },
  });
}

import { mapSchema, MapperKind } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Principal, Scope } from '../../auth/principal.js';
import { assertScopes } from './record-scopes.js';
import { assertNoAuthOnInterfaces, AUTH_DIRECTIVE, requiredScopes } from './field-scopes.js';

/** What the guard reads from a request's context: who is calling. Absent = nobody, every guarded field refused. */
interface AuthorizationContext {
  principal?: Principal;
}

/**
 * Applies the schema's `@auth(requires: [...])`: every field that requires scopes (its own or its
 * type's) gets its resolver (the default one when absent) wrapped in a check of
 * `context.principal.scopes` (a subscription's `subscribe` too). A caller missing any of them gets ForbiddenError (FORBIDDEN) for that
 * field before its resolver runs, so nothing below it is read and no system is called. Fails at
 * build on an unknown scope, a Query/Mutation field without `@auth`, or `@auth` on an interface.
 */
export function authDirectiveTransformer(schema: GraphQLSchema): GraphQLSchema {
  if (!schema.getDirective(AUTH_DIRECTIVE)) throw new Error(`the schema does not declare @${AUTH_DIRECTIVE}`);
  assertNoAuthOnInterfaces(schema);
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName, original) => {
      const requires = requiredScopes(original, typeName, fieldName);
      if (requires.length === 0) return fieldConfig;
      const field = `${typeName}.${fieldName}`;
      return {
        ...fieldConfig,
        resolve: guarded(fieldConfig.resolve ?? defaultFieldResolver, field, requires),
        // A subscription is refused before it starts, not on its first event.
        ...(fieldConfig.subscribe ? { subscribe: guarded(fieldConfig.subscribe, field, requires) } : {}),
      };
    },
  });
}

/** The resolver behind a scope check. Synchronous, so DataLoader batching sees the same ticks as without it. */
function guarded(
  resolve: GraphQLFieldResolver<unknown, AuthorizationContext>,
  field: string,
  requires: readonly Scope[],
): GraphQLFieldResolver<unknown, AuthorizationContext> {
  return (source, args, context, info) => {
    assertScopes(context?.principal, field, requires);
    return resolve(source, args, context, info);
  };
}

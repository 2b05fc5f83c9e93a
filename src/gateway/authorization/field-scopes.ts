import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { isScope, type Scope } from '../../auth/principal.js';

/**
 * What the schema's `@auth(requires: [...])` directive demands, read once at schema build. A field
 * needs its own scopes plus its type's (the directive on an object type covers every field of it);
 * every Query/Mutation field must say, `requires: []` being the deliberate "public".
 */

export const AUTH_DIRECTIVE = 'auth';

/**
 * Root fields that come from @apollo/subgraph, not from our SDL, so they cannot carry `@auth`: their
 * decision is here. Both are open to any caller the gateway admitted (it authenticates before any
 * field runs); `_entities` then checks each representation's read scope (src/gateway/federation.ts).
 */
const FEDERATION_ROOT_FIELDS: Readonly<Record<string, readonly Scope[]>> = {
  'Query._service': [],
  'Query._entities': [],
};

/** One field and the scopes a caller must hold, all of them, to use it. */
export interface FieldScopes {
  /** `Type.field`, e.g. `Query.contacts`, `Contact.company`. */
  field: string;
  requires: Scope[];
}

/** The scopes of one `@auth` on `node` (a type or a field), undefined when it has none. Throws on an unknown scope. */
function declaredScopes(
  schema: GraphQLSchema,
  node: GraphQLObjectType | GraphQLField<unknown, unknown>,
  where: string,
): Scope[] | undefined {
  const [directive] = getDirective(schema, node, AUTH_DIRECTIVE) ?? [];
  if (!directive) return undefined;
  const requires: unknown = directive['requires'];
  if (!Array.isArray(requires)) throw new Error(`@${AUTH_DIRECTIVE} on ${where} has no requires list`);
  for (const scope of requires) {
    if (typeof scope !== 'string' || !isScope(scope))
      throw new Error(`@${AUTH_DIRECTIVE} on ${where} names an unknown scope: ${JSON.stringify(scope)}`);
  }
  return requires as Scope[];
}

/**
 * The scopes `typeName.fieldName` (a field of an object type) requires: its type's and its own, in
 * that order, without repeats. Throws on an unknown scope or a root field without a decision.
 */
export function requiredScopes(schema: GraphQLSchema, typeName: string, fieldName: string): Scope[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`${typeName} has no field ${fieldName}`);
  const coordinate = `${typeName}.${fieldName}`;
  const own = declaredScopes(schema, field, coordinate) ?? FEDERATION_ROOT_FIELDS[coordinate]?.slice();
  if (own === undefined && isRootType(schema, type)) {
    throw new Error(
      `${coordinate} has no @${AUTH_DIRECTIVE}: declare the scopes it requires, or @${AUTH_DIRECTIVE}(requires: []) to make it public on purpose`,
    );
  }
  return [...new Set([...(declaredScopes(schema, type, typeName) ?? []), ...(own ?? [])])];
}

/** Execution never runs an interface's fields, so `@auth` there would guard nothing: refuse it. */
export function assertNoAuthOnInterfaces(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (declaredScopes(schema, field, `${type.name}.${field.name}`)) {
        throw new Error(
          `@${AUTH_DIRECTIVE} on ${type.name}.${field.name} would guard nothing: put it on the object types that implement ${type.name}`,
        );
      }
    }
  }
}

function isRootType(schema: GraphQLSchema, type: GraphQLObjectType): boolean {
  return type === schema.getQueryType() || type === schema.getMutationType() || type === schema.getSubscriptionType();
}

/** Every field of the schema's object types that requires a scope, plus every root field (public ones with `[]`), in schema order. */
export function fieldScopes(schema: GraphQLSchema): FieldScopes[] {
  const listed: FieldScopes[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = isRootType(schema, type);
    for (const fieldName of Object.keys(type.getFields())) {
      const requires = requiredScopes(schema, type.name, fieldName);
      if (root || requires.length > 0) listed.push({ field: `${type.name}.${fieldName}`, requires });
    }
  }
  return listed;
}

/** Every Query and Mutation field with the scopes it requires (`[]`: public on purpose), Query's first. */
export function rootFieldScopes(schema: GraphQLSchema): FieldScopes[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
    type ? [type.name] : [],
  );
  const all = fieldScopes(schema).filter(({ field }) => roots.includes(field.slice(0, field.indexOf('.'))));
  return roots.flatMap((root) => all.filter(({ field }) => field.startsWith(`${root}.`)));
}

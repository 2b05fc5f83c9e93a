import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { projectPath } from '../../../src/paths.js';

/** The public schema as clients see it: the two SDL files the gateway serves, read the way a client would. */
export function loadGatewaySchema(): GraphQLSchema {
  const sdl = ['gateway.graphql', 'gateway-mutations.graphql'].map((file) =>
    readFileSync(projectPath('schema', file), 'utf8'),
  );
  // assumeValidSDL: directives the gateway declares in code (authorization) need not be declared here.
  return buildSchema(sdl.join('\n'), { assumeValidSDL: true });
}

export type OperationType = 'query' | 'mutation';

/** A root field of Query or Mutation. */
export interface RootField {
  operation: OperationType;
  field: GraphQLField<unknown, unknown>;
}

/** Every root field of both operation types, Query's first. */
export function rootFields(schema: GraphQLSchema): RootField[] {
  const query = Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ({
    operation: 'query' as const,
    field,
  }));
  const mutation = Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({
    operation: 'mutation' as const,
    field,
  }));
  return [...query, ...mutation];
}

/**
 * One place a client puts a value: an argument of a root field, or a field inside an argument's
 * input object (`createContact` › `input` › `address` › `city`).
 */
export interface InputPosition {
  root: RootField;
  /** The argument's name, then input field names. */
  path: readonly string[];
  type: GraphQLInputType;
}

/** Every input position of every root field: arguments and, depth first, the fields of their input objects. */
export function inputPositions(schema: GraphQLSchema): InputPosition[] {
  const positions: InputPosition[] = [];
  const walk = (root: RootField, path: string[], type: GraphQLInputType): void => {
    positions.push({ root, path, type });
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return;
    for (const field of Object.values(named.getFields())) walk(root, [...path, field.name], field.type);
  };
  for (const root of rootFields(schema)) {
    for (const arg of root.field.args) walk(root, [arg.name], arg.type);
  }
  return positions;
}

/** A position's name for reports: `Mutation.createContact(input.address.city)`. */
export function positionName(position: InputPosition): string {
  const [arg, ...rest] = position.path;
  const type = position.root.operation === 'query' ? 'Query' : 'Mutation';
  return `${type}.${position.root.field.name}(${[arg, ...rest].join('.')})`;
}

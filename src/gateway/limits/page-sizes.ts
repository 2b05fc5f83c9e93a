import {
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../paging.js';

/** The argument that sizes a page in this schema's connections. */
const PAGE_SIZE_ARGUMENT = 'first';

/**
 * The operation (and its fragments) with every `first` written out as the number the request will
 * use: the literal, the variable's value (or the variable's default), else the argument's default
 * in the schema; at most MAX_PAGE_SIZE, since a larger one is rejected by its field anyway. Cost
 * rules that read only literals (GraphQL Armor's) then price the request as it will run.
 */
export function withPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): DocumentNode {
  const defaults = new Map(
    operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition.defaultValue]),
  );
  const numberOf = (value: ValueNode | undefined): number | undefined => {
    if (value?.kind === Kind.INT) return Number.parseInt(value.value, 10);
    if (value?.kind !== Kind.VARIABLE) return undefined;
    const given = variables[value.name.value];
    return typeof given === 'number' ? given : numberOf(defaults.get(value.name.value));
  };
  const typeInfo = new TypeInfo(schema);
  const single: DocumentNode = {
    ...document,
    definitions: document.definitions.filter(
      (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
    ),
  };
  return visit(
    single,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const argument = typeInfo.getFieldDef()?.args.find((candidate) => candidate.name === PAGE_SIZE_ARGUMENT);
        if (!argument) return undefined;
        const written = node.arguments?.find((candidate) => candidate.name.value === PAGE_SIZE_ARGUMENT);
        const fallback = typeof argument.defaultValue === 'number' ? argument.defaultValue : MAX_PAGE_SIZE;
        const size = Math.min(Math.max(numberOf(written?.value) ?? fallback, 0), MAX_PAGE_SIZE);
        const sized: ArgumentNode = {
          kind: Kind.ARGUMENT,
          name: { kind: Kind.NAME, value: PAGE_SIZE_ARGUMENT },
          value: { kind: Kind.INT, value: String(size) },
        };
        return { ...node, arguments: [...(node.arguments ?? []).filter((candidate) => candidate !== written), sized] };
      },
    }),
  );
}

import { describe, expect, it } from '@jest/globals';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { withPageSizes } from '../../src/gateway/limits/index.js';
import { buildGatewaySchema } from '../../src/gateway/schema.js';

// The page sizes the cost limit prices a request with: written out as the numbers it will run with.

const schema = buildGatewaySchema();

/** print() of withPageSizes for `source`'s operation named `name` (or its only one). */
function sized(source: string, variables: Record<string, unknown> = {}, name?: string): string {
  const document = parse(source);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (name === undefined || definition.name?.value === name),
  )!;
  return print(withPageSizes(schema, document, operation, variables));
}

/** `source` as print() writes it. */
const printed = (source: string): string => print(parse(source));

describe('withPageSizes', () => {
  it('keeps a literal, and writes out a variable, a variable’s default and the schema’s default', () => {
    const source =
      'query ($a: Int, $b: Int = 7) { contacts(first: 5) { nodes { activities(first: $a) { totalCount } company { contacts(first: $b) { totalCount } activities { totalCount } } } } }';
    expect(sized(source, { a: 30 })).toBe(
      printed(
        'query ($a: Int, $b: Int = 7) { contacts(first: 5) { nodes { activities(first: 30) { totalCount } company { contacts(first: 7) { totalCount } activities(first: 20) { totalCount } } } } }',
      ),
    );
  });

  it('takes a null or non-number variable as the schema’s default, and keeps sizes within 0 to 100', () => {
    const source =
      'query ($a: Int, $b: Int, $c: Int) { a: contacts(first: $a) { totalCount } b: contacts(first: $b) { totalCount } c: contacts(first: $c) { totalCount } d: contacts(first: -5) { totalCount } }';
    expect(sized(source, { a: null, b: '40', c: 5000 })).toBe(
      printed(
        'query ($a: Int, $b: Int, $c: Int) { a: contacts(first: 20) { totalCount } b: contacts(first: 20) { totalCount } c: contacts(first: 100) { totalCount } d: contacts(first: 0) { totalCount } }',
      ),
    );
  });

  it('sizes the lists inside fragments, and leaves out the other operations of the document', () => {
    const source =
      'query A { ...f } query B { health { status } } fragment f on Query { companies { nodes { contacts(first: 3) { totalCount } } } }';
    expect(sized(source, {}, 'A')).toBe(
      printed(
        'query A { ...f } fragment f on Query { companies(first: 20) { nodes { contacts(first: 3) { totalCount } } } }',
      ),
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { buildSchema, execute, GraphQLError, parse } from 'graphql';
import { describeInputError } from '../../../src/reference/core/index.js';

const schema = buildSchema(`
  enum Color { RED GREEN }
  input ThingInput { name: String!, color: Color, tags: [Color!] }
  type Query { thing(input: ThingInput!, first: Int): Boolean }
`);

/** The errors graphql-js gives for these variables, after describeInputError. */
async function errorsFor(variables: Record<string, unknown>): Promise<Array<{ message: string; extensions: unknown }>> {
  const result = await execute({
    schema,
    document: parse('query($input: ThingInput!, $first: Int) { thing(input: $input, first: $first) }'),
    variableValues: variables,
  });
  return (result.errors ?? []).map((error) => {
    const described = describeInputError(error);
    return { message: described.message, extensions: described.extensions };
  });
}

describe('describeInputError', () => {
  it('names the input field whose value its type rejects', async () => {
    expect(await errorsFor({ input: { name: 'a', color: 'BLUE' } })).toEqual([
      {
        message:
          'Variable "$input" got invalid value "BLUE" at "input.color"; Value "BLUE" does not exist in "Color" enum.',
        extensions: { code: 'BAD_USER_INPUT', field: 'color' },
      },
    ]);
  });

  it('names the field of a list element', async () => {
    expect((await errorsFor({ input: { name: 'a', tags: ['RED', 'PINK'] } }))[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'tags',
    });
  });

  it('names a required input field that is missing or null', async () => {
    expect((await errorsFor({ input: {} }))[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
    expect((await errorsFor({ input: { name: null } }))[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
  });

  it('names an input field the type does not define', async () => {
    expect((await errorsFor({ input: { name: 'a', size: 3 } }))[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'size',
    });
  });

  it('names the variable when the whole value is wrong', async () => {
    expect((await errorsFor({ input: { name: 'a' }, first: 'ten' }))[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect((await errorsFor({}))[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input' });
  });

  it('leaves errors raised while resolving alone', () => {
    const error = new GraphQLError('boom', { path: ['thing'], extensions: { code: 'NOT_FOUND' } });
    expect(describeInputError(error)).toBe(error);
  });
});

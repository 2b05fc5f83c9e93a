import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../errors.js';

/** `Variable "$input" got invalid value "x" at "input.startDate"; …` — path of the offending value. */
const AT_PATH = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"; /s;
/** `Field "lastName" of required type "String!" was not provided.`, `Field "foo" is not defined by type …` */
const NAMED_FIELD = /; Field "(\w+)" (?:of required type|is not defined by type)/;
/** Any other error about one variable: not provided, null for a non-null type, wrong type. */
const VARIABLE = /^Variable "\$(\w+)" /;

/**
 * Turns an error of variable coercion (a value the schema's types reject: a malformed `Date`, an
 * unknown enum value, a missing required input field) into BAD_USER_INPUT naming the input field,
 * as the systems' own validation errors do. graphql-js 16 puts the offending path only in the
 * message, so it is read from there. Every other error passes through unchanged.
 */
export function describeInputError(error: GraphQLError): GraphQLError {
  if (!VARIABLE.test(error.message) || error.path !== undefined) return error;
  const field = inputFieldOf(error.message);
  if (error.extensions['code'] === ErrorCode.BadUserInput && error.extensions['field'] === field) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: ErrorCode.BadUserInput, field },
  });
}

/** The innermost named input field of a variable coercion message, else the variable's name. */
function inputFieldOf(message: string): string | undefined {
  const named = NAMED_FIELD.exec(message);
  if (named) return named[1];
  const at = AT_PATH.exec(message);
  if (at?.[2]) {
    const names = at[2].split(/[.[\]]/).filter((part) => part !== '' && !/^\d+$/.test(part));
    return names[names.length - 1];
  }
  return VARIABLE.exec(message)?.[1];
}

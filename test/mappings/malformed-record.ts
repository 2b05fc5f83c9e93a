/**
 * A record that breaks its system's schema (a null where the schema promises a value, a value outside
 * an enum), for the tests of how the mapping engine copes with a malformed upstream answer. Fixtures
 * that are meant to be valid records are typed as such; this is the one way to build one that is not.
 */
export function malformedRecord<T extends object>(record: T, fields: { [K in keyof T]?: unknown }): T {
  return { ...record, ...fields } as T;
}

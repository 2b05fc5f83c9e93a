import fc from 'fast-check';
import type { RawRequest } from './http-pool.js';
import { INJECTION_STRINGS, randomText, UNICODE_STRINGS } from './hostile-values.js';

/**
 * Requests that are broken below the GraphQL layer (bodies, content types, methods, batching) or
 * documents that are no GraphQL at all, and documents nested or repeated far beyond what any client
 * needs. They are built as text, so that they can be anything at all.
 */

const JSON_HEADERS = { 'content-type': 'application/json' };

/** A POST of `body` (any text) to /graphql. */
export function post(body: string | Buffer, headers: Readonly<Record<string, string>> = JSON_HEADERS): RawRequest {
  return { method: 'POST', path: '/graphql', headers, body };
}

/** A POST of a JSON request body `{ query, variables }`. */
export function postJson(payload: unknown): RawRequest {
  return post(JSON.stringify(payload));
}

/** A GET of /graphql with these search parameters (Apollo's CSRF prevention wants a preflight header). */
export function get(params: Readonly<Record<string, string>>, preflight = true): RawRequest {
  return {
    method: 'GET',
    path: `/graphql?${new URLSearchParams(params).toString()}`,
    headers: preflight ? { 'apollo-require-preflight': 'true' } : {},
  };
}

const SMALL_QUERY = '{ health { status } }';

/** A document and variables that are valid, to be cut, wrapped or mislabelled. */
const validBody = fc.constantFrom(
  JSON.stringify({ query: SMALL_QUERY }),
  JSON.stringify({
    query: 'query($first: Int) { contacts(first: $first) { totalCount nodes { id fullName } } }',
    variables: { first: 2 },
  }),
  JSON.stringify({ query: 'query Q($id: ID!) { node(id: $id) { id } }', variables: { id: 'x' }, operationName: 'Q' }),
  JSON.stringify({ query: 'mutation { deleteContact(id: "nope") { id } }' }),
);

const brokenBody: fc.Arbitrary<RawRequest> = fc.oneof(
  // Cut off, doubled, wrapped, trailing garbage.
  fc
    .tuple(validBody, fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([body, at]) => post(body.slice(0, Math.floor(body.length * at)))),
  validBody.map((body) => post(`${body}${body}`)),
  validBody.map((body) => post(`${body},`)),
  validBody.map((body) => post(body.replace(/"/g, "'"))),
  validBody.map((body) => post(body.replace(/:/, ''))),
  validBody.map((body) => post(`\uFEFF${body}`)),
  validBody.map((body) => post(Buffer.concat([Buffer.from(body), Buffer.from([0xff, 0xfe, 0x00])]))),
  // Not JSON at all.
  randomText.map((text) => post(text)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => post(Buffer.from(bytes))),
  fc
    .constantFrom(
      '',
      ' ',
      'null',
      'true',
      '42',
      '"query"',
      '[]',
      '[null]',
      '{}',
      '{"query": null}',
      '{"query": 42}',
      '{"query": ""}',
      '{"query": "   "}',
      'NaN',
      'undefined',
    )
    .map((text) => post(text)),
  // JSON, but the wrong shape for a GraphQL request.
  fc
    .constantFrom<unknown>(
      { query: { $gt: '' } },
      { query: ['{ health { status } }'] },
      { query: SMALL_QUERY, variables: 'id=1' },
      { query: SMALL_QUERY, variables: [1, 2] },
      { query: SMALL_QUERY, variables: 42 },
      { query: SMALL_QUERY, operationName: { $ne: null } },
      { query: SMALL_QUERY, operationName: 'Nope' },
      { query: SMALL_QUERY, extensions: 'x' },
      { query: SMALL_QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } },
      { query: SMALL_QUERY, extensions: { persistedQuery: { version: 2, sha256Hash: { $gt: '' } } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
      { variables: { id: 'x' } },
      { Query: SMALL_QUERY },
    )
    .map(postJson),
  // Batches (Apollo's batching is off): arrays of requests, empty and huge ones.
  fc.integer({ min: 0, max: 300 }).map((n) => postJson(Array.from({ length: n }, () => ({ query: SMALL_QUERY })))),
  // Content types a browser form may send without a preflight (CSRF), and other odd ones.
  fc
    .tuple(
      validBody,
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/graphql',
        'application/json, text/plain',
        '',
      ),
    )
    .map(([body, type]) => post(body, type === '' ? {} : { 'content-type': type })),
  // Nesting far deeper than any request needs, written as text (no JSON.stringify recursion).
  fc
    .tuple(fc.constantFrom(1_000, 10_000, 100_000), fc.constantFrom('[', '{"a":'))
    .map(([depth, open]) =>
      post(
        `{"query":"${SMALL_QUERY}","variables":{"deep":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}}`,
      ),
    ),
  // GET: garbage parameters, mutations (which GET must refuse), and no preflight header.
  fc.constantFrom(
    get({ query: SMALL_QUERY }),
    get({ query: SMALL_QUERY }, false),
    get({ query: 'mutation { syncNow { pendingOperations } }' }),
    get({ query: SMALL_QUERY, variables: '{' }),
    get({ query: SMALL_QUERY, variables: '{"$gt": ""}' }),
    get({ query: SMALL_QUERY, extensions: '[' }),
    get({ query: '{' }),
    get({}),
  ),
  randomText.map((text) => get({ query: text })),
);

/** Over the body size limit (1 MB). */
const oversizedBody: fc.Arbitrary<RawRequest> = fc
  .constantFrom(1_100_000, 2_000_000)
  .map((size) => postJson({ query: SMALL_QUERY, variables: { padding: 'x'.repeat(size) } }));

/** Bodies that are not the JSON they claim to be, or JSON of the wrong shape, and a few too large ones. */
export const malformedBody: fc.Arbitrary<RawRequest> = fc.oneof(
  { arbitrary: brokenBody, weight: 40 },
  { arbitrary: oversizedBody, weight: 1 },
);

/** GraphQL punctuation, keywords and names, to be thrown together. */
const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '@',
  '!',
  '=',
  '|',
  '&',
  '...',
  '"',
  '"""',
  '#',
  ',',
  '\n',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'true',
  'false',
  'null',
  'schema',
  'type',
  'extend',
  'directive',
  'contact',
  'contacts',
  'node',
  'id',
  'filter',
  'first',
  'after',
  'createContact',
  'input',
  'deleteContact',
  'syncNow',
  '__typename',
  '__schema',
  '__type',
  '@include(if: true)',
  '@skip',
  '@deprecated',
  '123',
  '-1.5e99',
  '"x"',
  '"\\u0000"',
  '$id',
  'ID!',
  'String',
  '{"$gt": ""}',
  '__proto__',
];

/** Text that is no GraphQL document, or a document cut short. */
export const garbageDocument: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 40 }).map((tokens) => tokens.join(' ')),
  randomText,
  fc.constantFrom(...INJECTION_STRINGS, ...UNICODE_STRINGS),
  fc
    .tuple(
      fc.constantFrom(
        'query Q($id: ID!) { contact(id: $id) { id fullName company { name } } }',
        'mutation { createCompany(input: { name: "x", code: "y" }) { company { id } } }',
        '{ contacts(filter: { nameContains: "a" }, first: 3) { nodes { id } } }',
        'fragment F on Contact { id } query { node(id: "x") { ...F } }',
      ),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([document, at]) => document.slice(0, Math.floor(document.length * at))),
  fc.constantFrom(
    '',
    ' ',
    '\uFEFF',
    '{}',
    '{ }',
    'query',
    'query {',
    '}}}}',
    '#',
    '"""',
    '"unterminated',
    '{ __schema { types { name } } }',
    '{ __type(name: "Contact") { fields { name } } }',
    'subscription { syncStatus { pendingOperations } }',
  ),
);

/** Documents nested, repeated or aliased far beyond what any client needs (text, built without recursion). */
export const oversizedDocument: fc.Arbitrary<string> = fc.oneof(
  // Unknown fields, deeper than the parser's recursion can go at the top end.
  fc.constantFrom(100, 1_000, 3_000, 10_000, 30_000).map((depth) => `{${'a{'.repeat(depth)}b${'}'.repeat(depth + 1)}`),
  // Lists in a literal, nested.
  fc
    .constantFrom(100, 1_000, 10_000)
    .map((depth) => `{ contacts(first: ${'['.repeat(depth)}1${']'.repeat(depth)}) { totalCount } }`),
  // Input objects in a literal, nested.
  fc
    .constantFrom(100, 1_000, 10_000)
    .map((depth) => `{ contacts(filter: ${'{email: '.repeat(depth)}"x"${'}'.repeat(depth)}) { totalCount } }`),
  // Aliases: cheap fields many times, and a lookup a few hundred times.
  fc
    .constantFrom(100, 1_000, 10_000)
    .map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`),
  fc
    .constantFrom(50, 200, 500)
    .map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: node(id: "x${i}") { id }`).join(' ')} }`),
  // The same field, repeated; directives, repeated.
  fc.constantFrom(1_000, 20_000).map((n) => `{ syncStatus { ${'pendingOperations '.repeat(n)}} }`),
  fc.constantFrom(100, 1_000, 5_000).map((n) => `{ __typename ${'@include(if: true) '.repeat(n)}}`),
  // Fragments: long chains and cycles.
  fc
    .constantFrom(10, 200, 2_000)
    .map((n) =>
      [
        `{ ...F0 }`,
        ...Array.from(
          { length: n },
          (_, i) => `fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1}` : '__typename'} }`,
        ),
      ].join('\n'),
    ),
  fc
    .constantFrom(2, 50)
    .map((n) =>
      [`{ ...F0 }`, ...Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${(i + 1) % n} }`)].join(
        '\n',
      ),
    ),
  // Many operations in one document.
  fc.constantFrom(100, 2_000).map((n) => Array.from({ length: n }, (_, i) => `query Q${i} { __typename }`).join('\n')),
  // Long names and strings.
  fc.constantFrom(100_000, 500_000).map((n) => `{ ${'a'.repeat(n)} }`),
  fc.constantFrom(100_000, 500_000).map((n) => `{ node(id: "${'x'.repeat(n)}") { id } }`),
);

/** Hops that lead from a record back to a record of the same type, one record per level. */
const CHAINS: readonly { start: string; hop: string }[] = [
  { start: 'companies(first: 1) { nodes {', hop: 'contacts(first: 1) { nodes { company {' },
  { start: 'activities(first: 1) { nodes {', hop: 'owner { activities(first: 1) { nodes {' },
  { start: 'companies(first: 1) { nodes {', hop: 'activities(first: 1) { edges { node { company {' },
  { start: 'contacts(first: 1) { nodes {', hop: 'company { contacts(first: 1) { nodes {' },
];

/** Valid documents that go deep through single-record hops: deep, but each level costs one record. */
export const deepValidChain: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...CHAINS),
    fc.integer({ min: 2, max: 40 }),
    fc.constantFrom('id', 'id __typename', 'link { version } sync { state }'),
  )
  .map(([{ start, hop }, levels, leaf]) => {
    const opening = `${start} ${`${hop} `.repeat(levels)}`;
    const depth = opening.split('{').length - 1;
    return `{ ${opening}${leaf} ${'}'.repeat(depth)} }`;
  });

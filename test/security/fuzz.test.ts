import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getNamedType, isLeafType } from 'graphql';
import { encodeUnifiedId } from '../../src/links/index.js';
import { CASES_PER_CATEGORY, fuzzCases } from './support/fuzz-cases.js';
import { findingsOf, runFuzz, summaryLine, type FuzzRun } from './support/fuzz-run.js';
import { startFuzzWorld, type FuzzWorld } from './support/fuzz-world.js';
import { INJECTION_STRINGS, UNICODE_STRINGS } from './support/hostile-values.js';
import { minimalArgs, renderPlan, withValueAt } from './support/operation-plans.js';
import { inputPositions, loadGatewaySchema, positionName, type InputPosition } from './support/schema-model.js';

/**
 * Issue #7, fuzzing: 20,000+ generated documents and variable sets (valid, malformed, oversized,
 * deeply nested, unicode, injections in every input field, MongoDB operators) sent over HTTP, four
 * at a time on kept-alive connections, to a gateway in production mode. No answer may be a 5xx, a
 * body that is no GraphQL answer, a stack trace, a dependency's address or token, or an unexpected
 * (masked) error; the process stays up; no invalid input writes anything on either system; and the
 * valid mutations among hostile values write exactly what they report.
 * FUZZ_SEED=<n> runs other requests; the summary line names the seed of each run.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 72_026);
const schema = loadGatewaySchema();
const positions = inputPositions(schema);

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

let fuzz: FuzzWorld;
let run: FuzzRun;

/** One request as any client sends it. */
async function post(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(fuzz.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The codes of an answer's errors, in order. */
function codesOf(answer: Answer): unknown[] {
  return (answer.body.errors ?? []).map((error) => error.extensions?.['code']);
}

beforeAll(async () => {
  fuzz = await startFuzzWorld('security fuzz');
  run = await runFuzz(fuzz, fuzzCases(schema, fuzz.fixtures, SEED));
  console.log(`${summaryLine(run)} (seed ${SEED})`);
}, 240_000);

afterAll(async () => {
  await fuzz?.close();
});

describe('the gateway under 20,000+ generated hostile requests', () => {
  it('is sent at least 20,000 requests, every category in full', () => {
    expect(run.perCategory).toEqual(CASES_PER_CATEGORY);
    expect(run.sent).toBeGreaterThanOrEqual(20_000);
  });

  it('puts hostile strings (25+ each) and MongoDB operators (20+ each) into every input field of every query and mutation', () => {
    const everyPosition = positions.map(positionName).sort();
    const atLeast = (hits: Record<string, number> | undefined, n: number): string[] =>
      Object.entries(hits ?? {})
        .filter(([, count]) => count >= n)
        .map(([position]) => position)
        .sort();
    expect(atLeast(run.perPosition['hostile string'], 25)).toEqual(everyPosition);
    expect(atLeast(run.perPosition['operator injection'], 20)).toEqual(everyPosition);
  });

  it('answers every request below 500, as GraphQL JSON, and stays up and ready', async () => {
    expect(findingsOf(run, 'broken answer')).toEqual({});
    const health = await fetch(`${fuzz.gateway.origin}/health`);
    const ready = await fetch(`${fuzz.gateway.origin}/ready`);
    expect({ health: health.status, ready: ready.status }).toEqual({ health: 200, ready: 200 });
  });

  it('shows no stack trace, source path, dependency address or upstream token in any answer', () => {
    expect(findingsOf(run, 'leak')).toEqual({});
  });

  it('refuses every invalid mutation, writes nothing on either system and records no operation', () => {
    expect(findingsOf(run, 'invalid mutation ran')).toEqual({});
    expect(run.after.upstreamWrites).toEqual(run.before.upstreamWrites);
    expect(run.after.recordedOperations).toBe(run.before.recordedOperations);
  });

  it('refuses a MongoDB operator in any input field at coercion or validation (HTTP 400), with no data', () => {
    expect(findingsOf(run, 'operator not refused')).toEqual({});
  });

  it('pollutes no prototype', () => {
    expect(run.after.prototypeKeys).toEqual(run.before.prototypeKeys);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers no hostile input with an unexpected error (INTERNAL_SERVER_ERROR)', () => {
    expect(findingsOf(run, 'unexpected error')).toEqual({});
  });
});

/** Where the issue names it: every id argument and every filter, of queries and mutations. */
const idAndFilterPositions = positions.filter(
  (p) => getNamedType(p.type).name === 'ID' || (p.root.operation === 'query' && p.path[0] === 'filter'),
);

/** A document for the position's root field: its required arguments minimal, `value` at the position, all as variables. */
function documentWith(position: InputPosition, value: unknown): { query: string; variables: Record<string, unknown> } {
  const { field, operation } = position.root;
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return renderPlan(schema, {
    operation,
    field: field.name,
    args: withValueAt(minimalArgs(field), position.path, value),
    inline: [],
    selection,
  });
}

describe('MongoDB operator injection in ids and filters', () => {
  it.each(idAndFilterPositions.map((position) => [positionName(position), position] as const))(
    'refuses {"$gt": ""} in %s with BAD_USER_INPUT before anything runs: no records, no writes',
    async (_name, position) => {
      const before = await fuzz.upstreamWrites();
      const { query, variables } = documentWith(position, { $gt: '' });
      const answer = await post(query, variables);
      expect({ status: answer.status, data: answer.body.data, codes: codesOf(answer) }).toEqual({
        status: 400,
        data: undefined,
        codes: ['BAD_USER_INPUT'],
      });
      expect(answer.body.errors?.[0]?.message).toContain(`Variable "$${position.path[0]}" got invalid value`);
      expect(await fuzz.upstreamWrites()).toEqual(before);
    },
  );

  const lists = [
    { field: 'contacts', filters: { email: 'String', nameContains: 'String', companyId: 'ID' } },
    { field: 'companies', filters: { nameContains: 'String', code: 'String' } },
    { field: 'activities', filters: { status: 'String', ownerId: 'ID', companyId: 'ID' } },
  ] as const;
  const textFilters = lists.flatMap(({ field, filters }) =>
    Object.entries(filters).map(([filter, type]) => [field, filter, type] as const),
  );

  it.each(textFilters)(
    'matches nothing in %s when filter.%s (%s) is the text {"$gt": ""}: the text is a value, never an operator',
    async (field, filter, type) => {
      const all = await post(`{ ${field} { totalCount } }`);
      expect((all.body.data?.[field] as { totalCount: number }).totalCount).toBeGreaterThan(0);
      const answer = await post(
        `query($text: ${type}) { ${field}(filter: { ${filter}: $text }) { totalCount nodes { id } } }`,
        { text: '{"$gt": ""}' },
      );
      if (type === 'String') {
        expect(answer).toEqual({ status: 200, body: { data: { [field]: { totalCount: 0, nodes: [] } } } });
      } else {
        expect({ status: answer.status, data: answer.body.data, errors: answer.body.errors }).toEqual({
          status: 200,
          data: null,
          errors: [
            expect.objectContaining({
              message: `filter.${filter} is not a valid id`,
              extensions: { code: 'BAD_USER_INPUT', field: `filter.${filter}` },
            }),
          ],
        });
      }
    },
  );

  it.each(['node', 'contact', 'company', 'activity'])(
    'refuses the text {"$gt": ""} as the id of %s: BAD_USER_INPUT, no record',
    async (field) => {
      const answer = await post(`query($id: ID!) { ${field}(id: $id) { id } }`, { id: '{"$gt": ""}' });
      expect({ status: answer.status, data: answer.body.data, errors: answer.body.errors }).toEqual({
        status: 200,
        data: { [field]: null },
        errors: [
          expect.objectContaining({
            message: 'id is not a valid id',
            extensions: { code: 'BAD_USER_INPUT', field: 'id' },
          }),
        ],
      });
    },
  );

  it.each(['contactByRef', 'companyByRef', 'activityByRef'])(
    'finds no record for the text {"$gt": ""} as the system id of %s',
    async (field) => {
      const answer = await post(
        `query($id: ID!) { a: ${field}(system: CUSTOMERP, id: $id) { id } b: ${field}(system: CRMOFFICE, id: $id) { id } }`,
        { id: '{"$gt": ""}' },
      );
      expect(answer).toEqual({ status: 200, body: { data: { a: null, b: null } } });
    },
  );
});

describe('text filters', () => {
  it.each([
    ['contacts', 'nameContains'],
    ['contacts', 'email'],
    ['companies', 'nameContains'],
    ['companies', 'code'],
    ['activities', 'status'],
  ])(
    'refuses %s(filter.%s) longer than any stored value (1,000 characters) with BAD_USER_INPUT before it reaches MongoDB',
    async (field, filter) => {
      const at = await post(`query($text: String) { ${field}(filter: { ${filter}: $text }) { totalCount } }`, {
        text: 'x'.repeat(1_000),
      });
      expect(at).toEqual({ status: 200, body: { data: { [field]: { totalCount: 0 } } } });
      const over = await post(`query($text: String) { ${field}(filter: { ${filter}: $text }) { totalCount } }`, {
        text: 'x'.repeat(100_000),
      });
      expect({ status: over.status, data: over.body.data, errors: over.body.errors }).toEqual({
        status: 200,
        data: null,
        errors: [
          expect.objectContaining({
            message: `filter.${filter} must be at most 1000 characters long`,
            extensions: { code: 'BAD_USER_INPUT', field: `filter.${filter}` },
          }),
        ],
      });
    },
  );
});

describe('dates of Crmoffice-only activities (found by this fuzzing)', () => {
  it.each([
    ['startAt', '0000-00-00'],
    ['startAt', 'next Tuesday'],
    ['startAt', "' OR 1=1 --"],
    ['dueAt', 'x'.repeat(300)],
    ['dueAt', '2026-02-30T10:00:00Z'],
  ])(
    'refuses %s %j on a Crmoffice-only activity with BAD_USER_INPUT, and Crmoffice sees no write',
    async (field, value) => {
      const crmOnly = (await fuzz.world.linksOf('Activity')).find(
        (link) => link.deletedAt == null && !link.customerp && link.crmoffice,
      );
      if (!crmOnly) throw new Error('the demo world has no Crmoffice-only activity');
      const before = await fuzz.upstreamWrites();
      const answer = await post(
        'mutation($id: ID!, $input: UpdateActivityInput!) { updateActivity(id: $id, input: $input) { writes { state } } }',
        {
          id: encodeUnifiedId('Activity', crmOnly._id),
          input: { [field]: value },
        },
      );
      expect({ status: answer.status, data: answer.body.data, errors: answer.body.errors }).toEqual({
        status: 200,
        data: null,
        errors: [
          expect.objectContaining({
            message: `${field} must be an ISO 8601 date-time with zone or a date, e.g. 2025-03-01T09:30:00.000Z or 2025-03-01`,
            extensions: { code: 'BAD_USER_INPUT', field },
          }),
        ],
      });
      expect(await fuzz.upstreamWrites()).toEqual(before);
    },
  );

  it('takes a date alone as that day at midnight UTC, as the contract says', async () => {
    const crmOnly = (await fuzz.world.linksOf('Activity')).find(
      (link) => link.deletedAt == null && !link.customerp && link.crmoffice,
    );
    if (!crmOnly) throw new Error('the demo world has no Crmoffice-only activity');
    const answer = await post(
      'mutation($id: ID!, $input: UpdateActivityInput!) { updateActivity(id: $id, input: $input) { writes { system state } activity { startAt dueAt } } }',
      {
        id: encodeUnifiedId('Activity', crmOnly._id),
        input: { startAt: '2026-03-02', dueAt: '2026-03-05T16:30:00.000Z' },
      },
    );
    expect(answer.body).toEqual({
      data: {
        updateActivity: {
          writes: [
            { system: 'CUSTOMERP', state: 'SKIPPED' },
            { system: 'CRMOFFICE', state: 'APPLIED' },
          ],
          activity: { startAt: '2026-03-02T00:00:00.000Z', dueAt: '2026-03-05T16:30:00.000Z' },
        },
      },
    });
  });
});

/** Injection and unicode strings a text field may hold (not blank, within 200 characters). */
const STORABLE_TEXTS = [...INJECTION_STRINGS, ...UNICODE_STRINGS].filter(
  (text) => text.trim() !== '' && text.length <= 200,
);

const WRITES_APPLIED = [
  { system: 'CUSTOMERP', state: 'APPLIED', error: null },
  { system: 'CRMOFFICE', state: 'APPLIED', error: null },
];

describe('valid mutations among hostile values', () => {
  it('syncNow on the world at rest writes nothing', async () => {
    const before = await fuzz.upstreamWrites();
    const answer = await post('mutation { syncNow { pendingOperations } }');
    expect(answer).toEqual({ status: 200, body: { data: { syncNow: { pendingOperations: 0 } } } });
    expect(await fuzz.upstreamWrites()).toEqual(before);
  });

  it('stores every injection and unicode string verbatim, and writes exactly what the payloads report', async () => {
    const before = await fuzz.upstreamWrites();
    const mutations = STORABLE_TEXTS.map((text, i) =>
      validMutation(i, text, STORABLE_TEXTS[(i + 7) % STORABLE_TEXTS.length] as string),
    );
    const answers: { what: string; record: unknown; writes: unknown }[] = [];
    // Four at a time, like the fuzz run: each creates a record of its own.
    for (let i = 0; i < mutations.length; i += 4) {
      const batch = mutations.slice(i, i + 4);
      const results = await Promise.all(batch.map(({ query, variables }) => post(query, variables)));
      results.forEach((answer, j) => {
        const payload = answer.body.data?.['p'] as { record: unknown; writes: unknown } | undefined;
        answers.push({
          what: (batch[j] as ValidMutation).what,
          record: payload?.record ?? null,
          writes: payload?.writes ?? answer.body.errors,
        });
      });
    }
    expect(answers).toEqual(mutations.map(({ what, record }) => ({ what, record, writes: WRITES_APPLIED })));
    expect(await fuzz.upstreamWrites()).toEqual({
      customerp: before.customerp + mutations.length,
      crmoffice: before.crmoffice + mutations.length,
    });
  });
});

interface ValidMutation {
  what: string;
  query: string;
  variables: Record<string, unknown>;
  /** The record's fields as the payload must show them. */
  record: Record<string, unknown>;
}

/** A create that the contract accepts, with `text` and `other` in its text fields: a company, a contact or an activity by turns. */
function validMutation(i: number, text: string, other: string): ValidMutation {
  const what = `#${i} ${JSON.stringify(text)}`;
  switch (i % 3) {
    case 0: {
      const record = { name: text, description: other, code: `FUZZ-${i}` };
      const query =
        'mutation($input: CreateCompanyInput!) { p: createCompany(input: $input) { record: company { name description code } writes { system state error } } }';
      return { what, query, variables: { input: record }, record };
    }
    case 1: {
      const record = { firstName: text, lastName: other, title: text };
      const query =
        'mutation($input: CreateContactInput!) { p: createContact(input: $input) { record: contact { firstName lastName title } writes { system state error } } }';
      return {
        what,
        query,
        variables: { input: { kind: 'EMPLOYEE', email: `fuzz.${i}@example.org`, ...record } },
        record,
      };
    }
    default: {
      const record = { subject: text, description: other };
      const query =
        'mutation($input: CreateActivityInput!) { p: createActivity(input: $input) { record: activity { subject description } writes { system state error } } }';
      return { what, query, variables: { input: { startAt: '2026-07-01', ...record } }, record };
    }
  }
}

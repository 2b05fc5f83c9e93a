import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPERATION_LIMITS } from '../../src/gateway/limits/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// Each operation limit of OPERATION_LIMITS, at the limit (answered) and one over it (rejected with
// its code, before anything is resolved), against a production gateway whose errors must not say the
// limit, and a development one whose errors do. The systems are empty: every answer is exact.

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
let production: RunningGateway;
let development: RunningGateway;

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('gateway limits'),
  ]);
  await setupIndexes(mongo.db);
  const dependencies = {
    db: mongo.db,
    customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
    crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
  };
  [production, development] = await Promise.all([
    startGateway({ dependencies, mode: 'production' }),
    startGateway({ dependencies, mode: 'development' }),
  ]);
});

afterAll(async () => {
  await Promise.all([production.close(), development.close()]);
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

interface Reply {
  status: number;
  body: unknown;
}

/** POSTs `body` (a request object, or raw JSON text) and returns the status and the parsed answer. */
async function post(gateway: RunningGateway, body: unknown): Promise<Reply> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const ask = (gateway: RunningGateway, query: string, variables?: Record<string, unknown>): Promise<Reply> =>
  post(gateway, { query, variables });

/** A validation rejection as Apollo Server sends it for a limit. */
function rejected(message: string, validationErrorCode: string): Reply {
  return {
    status: 400,
    body: { errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode } }] },
  };
}

/**
 * A query `depth` fields deep, counted the way the limit counts (the root field is 1): a chain
 * contacts → nodes → company → contacts → … of pages of one, ending in `__typename`.
 */
function queryOfDepth(depth: number): string {
  const chain = ['contacts(first: 1)', 'nodes', 'company'];
  const fields = Array.from({ length: depth - 1 }, (_, level) => chain[level % chain.length]!);
  return `{ ${fields.map((field) => `${field} { `).join('')}__typename${' }'.repeat(depth - 1)} }`;
}

/** `count` aliased root fields, each a page of nothing. */
function queryWithAliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, index) => `a${index}: contacts(first: 0) { totalCount }`).join(' ')} }`;
}

/** `count` directives, each on its own `__typename` (aliases of `__typename` are not counted). */
function queryWithDirectives(count: number): string {
  return `{ ${Array.from({ length: count }, (_, index) => `d${index}: __typename @include(if: true)`).join(' ')} }`;
}

/**
 * A document of exactly `count` tokens: braces around aliased `__typename`s (3 tokens each; aliases
 * of `__typename` are not counted as aliases) and 1 or 2 plain ones. Distinct response names: graphql-js
 * aborts validating hundreds of same-named fields (its own guard against quadratic field merging).
 */
function queryOfTokens(count: number): string {
  const aliased = Math.floor((count - 4) / 3);
  const plain = count - 2 - 3 * aliased;
  return `{ ${'__typename '.repeat(plain)}${Array.from({ length: aliased }, (_, index) => `t${index}: __typename `).join('')}}`;
}

/** The answer to queryOfTokens(count). */
function answerOfTokens(count: number): Record<string, string> {
  return Object.fromEntries([
    ['__typename', 'Query'],
    ...Array.from({ length: Math.floor((count - 4) / 3) }, (_, index) => [`t${index}`, 'Query']),
  ]);
}

/**
 * A page of 100 contacts each with a page of `activities` activities, each with `fields` scalar
 * fields. Armor's cost: contacts (2 + 1.5 × (2 + 1.5 × activities)) × 100, activities
 * (2 + 1.5 × (2 + 1.5 × fields)) × its page size: 993 312.5 at 50 activities and 37 fields, 1 018 625
 * at 38 fields.
 */
function costlyQuery(fields: number, activities = '(first: 50)', contacts = '(first: 100)', variables = ''): string {
  return `query Costly${variables} { contacts${contacts} { nodes { activities${activities} { nodes { ${'id '.repeat(fields)}} } } } }`;
}

describe('operation limits', () => {
  it('are the values the README lists', () => {
    expect(OPERATION_LIMITS).toEqual({
      maxDepth: 10,
      maxAliases: 50,
      maxDirectives: 20,
      maxTokens: 2000,
      maxCost: 1_000_000,
      maxPageSize: 100,
      maxBodyBytes: 102_400,
      operationsPerRequest: 1,
    });
  });

  describe('depth', () => {
    it('answers 10 levels and rejects 11 with MAX_DEPTH_EXCEEDED', async () => {
      expect(await ask(production, queryOfDepth(10))).toEqual({
        status: 200,
        body: { data: { contacts: { nodes: [] } } },
      });
      expect(await ask(production, queryOfDepth(11))).toEqual(
        rejected('Query depth limit exceeded.', 'MAX_DEPTH_EXCEEDED'),
      );
    });

    it('answers the deepest query it is sized for: a page whose records each have a page, a related record and its address', async () => {
      const query =
        '{ contacts(first: 100) { edges { node { activities(first: 20) { edges { node { owner { crmoffice { address { city } } } } } } } } } }';
      expect(await ask(production, query)).toEqual({ status: 200, body: { data: { contacts: { edges: [] } } } });
    });

    it('does not count inline fragments and fragment spreads as levels', async () => {
      const query = `{ contacts(first: 1) { nodes { company { contacts(first: 1) { nodes { company { contacts(first: 1) { nodes { ...more } } } } } } } } }
        fragment more on Contact { ... on Contact { company { __typename } } }`;
      expect(await ask(production, query)).toEqual({ status: 200, body: { data: { contacts: { nodes: [] } } } });
    });
  });

  it('aliases: answers 50 and rejects 51 with MAX_ALIASES_EXCEEDED', async () => {
    const answer = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`a${index}`, { totalCount: 0 }]));
    expect(await ask(production, queryWithAliases(50))).toEqual({ status: 200, body: { data: answer } });
    expect(await ask(production, queryWithAliases(51))).toEqual(
      rejected('Aliases limit exceeded.', 'MAX_ALIASES_EXCEEDED'),
    );
  });

  it('directives: answers 20 and rejects 21 with MAX_DIRECTIVES_EXCEEDED', async () => {
    const answer = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`d${index}`, 'Query']));
    expect(await ask(production, queryWithDirectives(20))).toEqual({ status: 200, body: { data: answer } });
    expect(await ask(production, queryWithDirectives(21))).toEqual(
      rejected('Directives limit exceeded.', 'MAX_DIRECTIVES_EXCEEDED'),
    );
  });

  it('tokens: answers 2000 and rejects 2001 with GRAPHQL_PARSE_FAILED where the parser stopped', async () => {
    expect(await ask(production, queryOfTokens(2000))).toEqual({ status: 200, body: { data: answerOfTokens(2000) } });
    const over = queryOfTokens(2001);
    expect(await ask(production, over)).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Syntax Error: Token limit exceeded.',
            locations: [{ line: 1, column: over.length }],
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          },
        ],
      },
    });
  });

  it('still answers other syntax errors with 400 GRAPHQL_PARSE_FAILED', async () => {
    expect(await ask(production, '{ contacts {')).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Syntax Error: Expected Name, found <EOF>.',
            locations: [{ line: 1, column: 13 }],
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          },
        ],
      },
    });
  });

  describe('cost', () => {
    const noActivities = { status: 200, body: { data: { contacts: { nodes: [] } } } };

    it('answers a cost of 993 312.5 and rejects 1 018 625 with MAX_COST_EXCEEDED', async () => {
      expect(await ask(production, costlyQuery(37))).toEqual(noActivities);
      expect(await ask(production, costlyQuery(38))).toEqual(
        rejected('Query cost limit exceeded.', 'MAX_COST_EXCEEDED'),
      );
    });

    it('counts page sizes given in variables, and a variable’s default', async () => {
      const query = (fields: number) =>
        costlyQuery(fields, '(first: $activities)', '(first: $contacts)', '($contacts: Int, $activities: Int = 50)');
      expect(await ask(production, query(37), { contacts: 100 })).toEqual(noActivities);
      expect(await ask(production, query(38), { contacts: 100 })).toEqual(
        rejected('Query cost limit exceeded.', 'MAX_COST_EXCEEDED'),
      );
      expect(await ask(production, query(38), { contacts: 100, activities: 49 })).toEqual(noActivities);
    });

    it('counts an omitted first as the schema’s default, 20: (230 + 101.25 × fields) × 100', async () => {
      expect(await ask(production, costlyQuery(96, ''))).toEqual(noActivities);
      expect(await ask(production, costlyQuery(97, ''))).toEqual(
        rejected('Query cost limit exceeded.', 'MAX_COST_EXCEEDED'),
      );
    });

    it('counts a page size over the maximum as the maximum, so that the page size error is the one reported', async () => {
      expect(
        await ask(production, '{ contacts(first: 5000) { nodes { activities(first: 50) { nodes { id } } } } }'),
      ).toEqual({
        status: 200,
        body: {
          data: null,
          errors: [
            {
              message: 'first must be between 0 and 100, got 5000',
              locations: [{ line: 1, column: 3 }],
              path: ['contacts'],
              extensions: { code: 'BAD_USER_INPUT', field: 'first' },
            },
          ],
        },
      });
    });
  });

  it('page size: answers 100 and rejects 101 with BAD_USER_INPUT on first (the schema states the maximum)', async () => {
    expect(await ask(production, '{ contacts(first: 100) { nodes { id } } }')).toEqual({
      status: 200,
      body: { data: { contacts: { nodes: [] } } },
    });
    expect(await ask(production, '{ contacts(first: 101) { nodes { id } } }')).toEqual({
      status: 200,
      body: {
        data: null,
        errors: [
          {
            message: 'first must be between 0 and 100, got 101',
            locations: [{ line: 1, column: 3 }],
            path: ['contacts'],
            extensions: { code: 'BAD_USER_INPUT', field: 'first' },
          },
        ],
      },
    });
  });

  describe('request body', () => {
    /** `{"query":"{ __typename }"}` padded with spaces (insignificant in JSON) to `bytes` bytes. */
    const bodyOf = (bytes: number): string => JSON.stringify({ query: '{ __typename }' }).padEnd(bytes, ' ');

    it('answers 102 400 bytes and rejects 102 401 with HTTP 413, BAD_REQUEST', async () => {
      expect(await post(production, bodyOf(102_400))).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      expect(await post(production, bodyOf(102_401))).toEqual({
        status: 413,
        body: { errors: [{ message: 'Request body too large.', extensions: { code: 'BAD_REQUEST' } }] },
      });
    });

    it('answers malformed JSON with HTTP 400, BAD_REQUEST, in the same shape', async () => {
      expect(await post(production, '{"query": "{ __typename }"')).toEqual({
        status: 400,
        body: { errors: [{ message: 'Request body could not be read as JSON.', extensions: { code: 'BAD_REQUEST' } }] },
      });
    });
  });

  it('operations per request: answers one and rejects a batch, even of one, with 400 BAD_REQUEST', async () => {
    const operation = { query: '{ __typename }' };
    expect(await post(production, operation)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    for (const batch of [[operation], [operation, operation]]) {
      expect(await post(production, batch)).toEqual({
        status: 400,
        body: { errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] },
      });
    }
  });

  it('in development, say the limit and what was found', async () => {
    const messages = async (query: string, variables?: Record<string, unknown>) =>
      ((await ask(development, query, variables)).body as { errors: { message: string }[] }).errors.map(
        (error) => error.message,
      );
    expect(await messages(queryOfDepth(11))).toEqual(['Query depth limit of 10 exceeded, found 11.']);
    expect(await messages(queryWithAliases(51))).toEqual(['Aliases limit of 50 exceeded, found 51.']);
    expect(await messages(queryWithDirectives(21))).toEqual(['Directives limit of 20 exceeded, found 21.']);
    expect(await messages(queryOfTokens(2001))).toEqual(['Syntax Error: Token limit of 2000 exceeded.']);
    expect(await messages(costlyQuery(38))).toEqual(['Query Cost limit of 1000000 exceeded, found 1018625.']);
    const tooLarge = await post(development, JSON.stringify({ query: '{ __typename }' }).padEnd(102_401, ' '));
    expect(tooLarge).toEqual({
      status: 413,
      body: { errors: [{ message: 'Request body larger than 102400 bytes.', extensions: { code: 'BAD_REQUEST' } }] },
    });
  });
});

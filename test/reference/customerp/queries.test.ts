import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'graphql-request';
import {
  ChangesDocument,
  EmployeesByIdsDocument,
  EmployeesPageDocument,
} from '../../../src/generated/customerp-client.js';
import { DEMO_SIZE, type RunningReferenceServer } from '../../../src/reference/core/index.js';
import { startCustomerp } from '../../../src/reference/customerp/index.js';
import { callSystem } from '../contract-adapter.js';

/** Posts a raw GraphQL request and answers the parsed body. */
async function graphql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

describe('Customerp queries', () => {
  let server: RunningReferenceServer;
  let url: string;

  beforeAll(async () => {
    server = await startCustomerp();
    url = server.url;
  });

  afterAll(async () => {
    await server.close();
  });

  it('reads one record by id, and null for an unknown id', async () => {
    const answer = await graphql(
      url,
      '{ product(id: "prd-2") { id sku version updatedAt } project(id: "prd-2") { id } }',
    );
    expect(answer).toEqual({
      data: {
        product: { id: 'prd-2', sku: 'SKU-00002', version: 1, updatedAt: '2025-01-01T00:00:00.000Z' },
        project: null,
      },
    });
  });

  it('pages 50 records by default', async () => {
    const { employees } = await request(url, EmployeesPageDocument, {});
    expect(employees.nodes).toHaveLength(DEMO_SIZE.employees);
    expect(employees.pageInfo).toEqual({ hasNextPage: false, endCursor: String(DEMO_SIZE.employees - 1) });
  });

  it('answers a page of 0 with no records and the cursor it was given', async () => {
    const { employees } = await request(url, EmployeesPageDocument, { first: 0, after: '3' });
    expect(employees).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: '3' } });
  });

  it('answers 1000 ids in one request, ignoring first and after', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `emp-${i + 1}`);
    const answer = (await graphql(
      url,
      'query($ids: [ID!]) { employees(ids: $ids, first: 1, after: "5") { nodes { id } pageInfo { hasNextPage endCursor } } }',
      { ids },
    )) as {
      data: { employees: { nodes: Array<{ id: string } | null>; pageInfo: unknown } };
    };
    const { nodes, pageInfo } = answer.data.employees;
    expect(nodes.slice(0, DEMO_SIZE.employees).map((n) => n?.id)).toEqual(ids.slice(0, DEMO_SIZE.employees));
    expect(nodes.slice(DEMO_SIZE.employees)).toEqual(new Array(1000 - DEMO_SIZE.employees).fill(null));
    expect(pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it.each<[string, () => Promise<unknown>, string]>([
    [
      '1001 ids',
      () => request(url, EmployeesByIdsDocument, { ids: Array.from({ length: 1001 }, (_, i) => `emp-${i}`) }),
      'ids',
    ],
    ['first 1001', () => request(url, EmployeesPageDocument, { first: 1001 }), 'first'],
    ['first -1', () => request(url, EmployeesPageDocument, { first: -1 }), 'first'],
    ['an after that is no cursor', () => request(url, EmployeesPageDocument, { after: 'abc' }), 'after'],
    ['a feed read of 1001', () => request(url, ChangesDocument, { entity: 'EMPLOYEE', first: 1001 }), 'first'],
    ['a since that is no cursor', () => request(url, ChangesDocument, { entity: 'EMPLOYEE', since: 'abc' }), 'since'],
    [
      'a since beyond the end of the feed',
      () => request(url, ChangesDocument, { entity: 'EMPLOYEE', since: String(DEMO_SIZE.employees + 1) }),
      'since',
    ],
    ['an unknown entity', () => request(url, ChangesDocument, { entity: 'INVOICE' as 'EMPLOYEE' }), 'entity'],
  ])('rejects %s with BAD_USER_INPUT naming %s', async (_why, call, field) => {
    await expect(callSystem(call)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('answers the end of the feed with no items and the same cursor', async () => {
    const end = String(DEMO_SIZE.employees);
    const { changes } = await request(url, ChangesDocument, { entity: 'EMPLOYEE', since: end });
    expect(changes).toEqual({ items: [], cursor: end, hasMore: false });
  });

  it('names the invalid date in the message', async () => {
    const answer = await graphql(url, 'mutation($input: ProjectInput!) { createProject(input: $input) { id } }', {
      input: { name: 'x', startDate: '2025-02-30' },
    });
    expect(answer).toEqual({
      errors: [
        {
          message:
            'Variable "$input" got invalid value "2025-02-30" at "input.startDate"; Date must be a real calendar date written YYYY-MM-DD, got "2025-02-30"',
          locations: [{ line: 1, column: 10 }],
          extensions: { code: 'BAD_USER_INPUT', field: 'startDate' },
        },
      ],
    });
  });
});

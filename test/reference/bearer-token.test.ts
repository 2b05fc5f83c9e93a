import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';

const TOKEN = 'reference-token-0123456789abcdef';

/** One GraphQL-over-HTTP or admin request, answered as status, WWW-Authenticate and body. */
async function send(url: string, init: { method?: string; authorization?: string; body?: unknown } = {}) {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.authorization === undefined ? {} : { authorization: init.authorization }),
    },
    body: init.method === 'GET' ? undefined : JSON.stringify(init.body ?? { query: '{ __typename }' }),
  });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: (await response.json()) as unknown,
  };
}

/** The one contract both reference systems keep when started with a token. */
describe.each([
  {
    name: 'Customerp',
    start: () => startCustomerp({ seed: 'demo', token: TOKEN }),
    list: '{ employees(first: 1) { nodes { id } } }',
    field: 'employees',
  },
  {
    name: 'Crmoffice',
    start: () => startCrmoffice({ seed: 'demo', token: TOKEN }),
    list: '{ contacts(first: 1) { nodes { id } } }',
    field: 'contacts',
  },
])('$name with a bearer token', ({ name, start, list, field }) => {
  let server: RunningReferenceServer;
  const missing = {
    status: 401,
    challenge: `Bearer realm="${name}"`,
    body: { errors: [{ message: `${name}: missing bearer token`, extensions: { code: 'UNAUTHENTICATED' } }] },
  };
  const invalid = {
    status: 401,
    challenge: `Bearer realm="${name}", error="invalid_token"`,
    body: { errors: [{ message: `${name}: invalid bearer token`, extensions: { code: 'UNAUTHENTICATED' } }] },
  };

  beforeAll(async () => {
    server = await start();
  });

  beforeEach(() => {
    server.faults.set({});
  });

  afterAll(() => server.close());

  it('serves /graphql to a request carrying the token', async () => {
    const answer = await send(server.url, { authorization: `Bearer ${TOKEN}`, body: { query: list } });
    expect(answer.status).toBe(200);
    expect(answer.challenge).toBeNull();
    expect(Object.keys((answer.body as { data: Record<string, unknown> }).data)).toEqual([field]);
  });

  it('takes the scheme in any case, as RFC 7235 says', async () => {
    expect((await send(server.url, { authorization: `bearer ${TOKEN}` })).body).toEqual({
      data: { __typename: 'Query' },
    });
  });

  it('answers 401 UNAUTHENTICATED with a Bearer challenge to a request without the token', async () => {
    expect(await send(server.url)).toEqual(missing);
    expect(await send(server.url, { authorization: 'Bearer' })).toEqual(missing);
    expect(
      await send(server.url, { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }),
    ).toEqual(missing);
  });

  it('answers 401 invalid_token to a wrong token, however close, and never echoes it', async () => {
    for (const wrong of ['wrong-token', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), `${TOKEN} ${TOKEN}`]) {
      const answer = await send(server.url, { authorization: `Bearer ${wrong}` });
      expect([wrong, answer]).toEqual([wrong, invalid]);
    }
  });

  it('refuses before anything else: an unauthenticated request meets no fault and counts nowhere', async () => {
    const authorization = `Bearer ${TOKEN}`;
    expect((await send(`${server.origin}/admin/stats/reset`, { authorization, body: {} })).status).toBe(200);
    server.faults.set({ outage: true });
    expect(await send(server.url)).toEqual(missing);
    expect(await send(server.url, { authorization: 'Bearer wrong-token', body: { query: list } })).toEqual(invalid);
    expect((await send(server.url, { authorization })).status).toBe(503);
    server.faults.set({});
    expect(await send(server.url, { authorization: 'Bearer wrong-token', body: { query: list } })).toEqual(invalid);
    expect((await send(server.url, { authorization, body: { query: list } })).status).toBe(200);
    expect((await send(`${server.origin}/admin/stats`, { method: 'GET', authorization })).body).toEqual({
      requests: 1,
      rejected: 1,
      fields: { [field]: 1 },
    });
  });

  it('guards the admin endpoints too: stats, faults and reset need the token', async () => {
    expect(await send(`${server.origin}/admin/stats`, { method: 'GET' })).toEqual(missing);
    expect(await send(`${server.origin}/admin/faults`, { body: { outage: true } })).toEqual(missing);
    expect(
      await send(`${server.origin}/admin/faults`, { authorization: 'Bearer wrong-token', body: { outage: true } }),
    ).toEqual(invalid);
    expect(await send(`${server.origin}/admin/reset`, { body: {} })).toEqual(missing);
    expect(await send(`${server.origin}/admin/stats/reset`, { body: {} })).toEqual(missing);
    expect(server.faults.current.outage).toBe(false);
    expect((await send(`${server.origin}/admin/faults`, { authorization: `Bearer ${TOKEN}`, body: {} })).status).toBe(
      200,
    );
  });

  it('keeps unknown routes behind the token as well', async () => {
    expect(await send(`${server.origin}/nothing-here`, { method: 'GET' })).toEqual(missing);
    expect(
      (await send(`${server.origin}/nothing-here`, { method: 'GET', authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(404);
  });
});

describe('a reference system without a token', () => {
  let server: RunningReferenceServer;

  beforeAll(async () => {
    server = await startCustomerp({ seed: 'empty' });
  });

  afterAll(() => server.close());

  it('accepts every request, with or without an Authorization header', async () => {
    expect((await send(server.url)).body).toEqual({ data: { __typename: 'Query' } });
    expect((await send(server.url, { authorization: 'Bearer anything' })).body).toEqual({
      data: { __typename: 'Query' },
    });
  });
});

describe('the token option', () => {
  it('refuses at start a token no client could send, without repeating it', async () => {
    for (const start of [startCustomerp, startCrmoffice]) {
      const error = await start({ token: 'has a space in it' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /^(Customerp|Crmoffice): the token must be printable ASCII without spaces$/,
      );
    }
  });
});

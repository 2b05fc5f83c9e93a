import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UpstreamUnavailableError } from '../../src/errors.js';
import { EmployeesByIdsDocument, UpdateEmployeeDocument } from '../../src/generated/customerp-client.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import {
  UpstreamClient,
  UpstreamCredentialsError,
  type UpstreamRequestEvent,
} from '../../src/upstreams/upstream-client.js';
import { captureLogs, type CapturedLogs } from '../support/captured-logs.js';

const TOKEN = 'upstream-token-0123456789abcdef';
const PING: TypedDocumentNode<{ __typename: string }, Record<string, never>> = parse('query Ping { __typename }');

describe('UpstreamClient with a bearer token, against Customerp requiring it', () => {
  let server: RunningReferenceServer;
  let events: UpstreamRequestEvent[];
  const client = (token: string | undefined) => {
    const made = new UpstreamClient({
      system: 'CUSTOMERP',
      url: server.url,
      token,
      retries: 3,
      baseDelayMs: 10,
      maxDelayMs: 20,
    });
    made.observe((event) => events.push(event));
    return made;
  };

  beforeAll(async () => {
    server = await startCustomerp({ seed: 'demo', token: TOKEN });
  });

  beforeEach(() => {
    events = [];
  });

  afterAll(() => server.close());

  it('reads and writes with the token', async () => {
    const read = await client(TOKEN).query(EmployeesByIdsDocument, { ids: ['emp-1'] });
    expect(read.employees.nodes.map((n) => n?.id)).toEqual(['emp-1']);
    const employee = read.employees.nodes[0] as { version: number };
    const written = await client(TOKEN).mutate(UpdateEmployeeDocument, {
      id: 'emp-1',
      input: { jobTitle: 'Tokened' },
      expectedVersion: employee.version,
    });
    expect(written.updateEmployee.jobTitle).toBe('Tokened');
    expect(events.map((e) => [e.operation, e.outcome, e.attempt])).toEqual([
      ['EmployeesByIds', 'ok', 1],
      ['UpdateEmployee', 'ok', 1],
    ]);
  });

  it.each([
    ['without a token', undefined],
    ['with a wrong token', 'wrong-token-0123456789abcdef'],
  ])(
    'fails %s with UpstreamCredentialsError, an outage to its callers, at once and without retries',
    async (_case, token) => {
      const error = await client(token)
        .query(EmployeesByIdsDocument, { ids: ['emp-1'] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamCredentialsError);
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect((error as UpstreamUnavailableError).message).toBe(
        "CUSTOMERP is unavailable: it refused the gateway's credentials (HTTP 401)",
      );
      expect((error as UpstreamUnavailableError).extensions).toEqual({
        code: 'UPSTREAM_UNAVAILABLE',
        system: 'CUSTOMERP',
      });
      expect(events.map((e) => [e.operation, e.outcome, e.attempt])).toEqual([['EmployeesByIds', 'unavailable', 1]]);
      const mutation = await client(token)
        .mutate(UpdateEmployeeDocument, { id: 'emp-1', input: { jobTitle: 'Nope' }, expectedVersion: 1 })
        .catch((e: unknown) => e);
      expect(mutation).toBeInstanceOf(UpstreamCredentialsError);
    },
  );

  it('refuses at construction a token no server could accept, without repeating it', () => {
    expect(() => new UpstreamClient({ system: 'CRMOFFICE', url: server.url, token: 'secret with spaces' })).toThrow(
      new Error('UpstreamClient for CRMOFFICE: the token must be printable ASCII without spaces'),
    );
  });
});

describe('UpstreamClient on a system that starts and stops refusing its token', () => {
  let server: Server;
  let url: string;
  let refuse = false;
  const seen: IncomingHttpHeaders[] = [];
  let logs: CapturedLogs;

  beforeAll(async () => {
    // A stand-in that answers 401 while `refuse` is set, and notes every request's headers.
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        const [status, body] = refuse
          ? [401, { errors: [{ message: 'invalid bearer token', extensions: { code: 'UNAUTHENTICATED' } }] }]
          : [200, { data: { __typename: 'Query' } }];
        res.writeHead(status, {
          'content-type': 'application/json',
          ...(refuse ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}),
        });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  beforeEach(() => {
    logs = captureLogs('debug');
  });

  afterEach(() => logs.release());

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends `Authorization: Bearer <token>` on every request, and none without a token', async () => {
    seen.length = 0;
    refuse = false;
    const client = new UpstreamClient({ system: 'CRMOFFICE', url, token: TOKEN });
    await client.query(PING, {});
    await client.mutate(PING, {});
    await new UpstreamClient({ system: 'CRMOFFICE', url }).query(PING, {});
    expect(seen.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, undefined]);
  });

  it('logs an error when the token starts being refused and once more when it is accepted again, never the token', async () => {
    const client = new UpstreamClient({ system: 'CRMOFFICE', url, token: TOKEN, retries: 2, baseDelayMs: 5 });
    refuse = true;
    for (let i = 0; i < 3; i += 1)
      await expect(client.query(PING, {})).rejects.toBeInstanceOf(UpstreamCredentialsError);
    refuse = false;
    await client.query(PING, {});
    await client.query(PING, {});
    expect(logs.entries().map(({ level, msg, system, operation }) => ({ level, msg, system, operation }))).toEqual([
      {
        level: 50,
        msg: "CRMOFFICE refuses the gateway's credentials (HTTP 401); check CRMOFFICE_TOKEN",
        system: 'CRMOFFICE',
        operation: 'Ping',
      },
      { level: 30, msg: "CRMOFFICE accepts the gateway's credentials again", system: 'CRMOFFICE', operation: 'Ping' },
    ]);
    expect(logs.lines.filter((line) => line.includes(TOKEN))).toEqual([]);
  });
});

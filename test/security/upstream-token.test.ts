import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadSettings } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { logger } from '../../src/logger.js';
import { encodeUnifiedId } from '../../src/links/index.js';
import { startReferenceSystems } from '../../src/runtime/reference-systems.js';
import { Supervisor } from '../../src/runtime/supervisor.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../../src/upstreams/index.js';
import { WriteThrough } from '../../src/writes/index.js';
import { FAST_BACKOFF, startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { captureLogs, type CapturedLogs } from '../support/captured-logs.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { startSyncProcess, type SyncProcessTarget } from '../support/sync-process.js';

const PING: TypedDocumentNode<{ __typename: string }, Record<string, never>> = parse('query Ping { __typename }');

/**
 * Issue #7, item 5: the reference systems require a bearer token of their own; the gateway and the
 * sync worker send it; it never appears in a log line, an error, the status page or the metrics.
 * Every log line of this suite's process (at debug level) and of the `npm run sync` children it runs
 * is kept, over a run that does real work and also fails: an injected fault, a refused token.
 */
describe('upstream tokens', () => {
  let logs: CapturedLogs;
  let ops: OpsWorld;
  /** Everything a client or an operator was shown: GraphQL answers, pages, the children's output. */
  const shown: { what: string; text: string }[] = [];
  const WRONG = `wrong-${randomBytes(16).toString('hex')}`;
  const secrets = (): string[] => [ops.world.systems.tokens.customerp, ops.world.systems.tokens.crmoffice, WRONG];

  const graphql = async (
    gateway: RunningGateway,
    what: string,
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    shown.push({ what, text });
    return JSON.parse(text) as {
      data: Record<string, unknown> | null;
      errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
    };
  };

  beforeAll(async () => {
    logs = captureLogs('debug'); // before anything starts: the whole run is captured
    ops = await startOpsWorld('upstream token');
  });

  afterAll(async () => {
    await ops.close();
    logs.release();
  });

  it('makes both reference systems answer 401 without the token and with a wrong one, 200 with it', async () => {
    const systems = [
      { name: 'Customerp', url: ops.world.systems.customerpServer.url, token: ops.world.systems.tokens.customerp },
      { name: 'Crmoffice', url: ops.world.systems.crmofficeServer.url, token: ops.world.systems.tokens.crmoffice },
    ];
    const ask = async (url: string, authorization?: string) => {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...(authorization ? { authorization } : {}),
      };
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
      return {
        status: response.status,
        code: ((await response.json()) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code,
      };
    };
    for (const { name, url, token } of systems) {
      expect([name, await ask(url)]).toEqual([name, { status: 401, code: 'UNAUTHENTICATED' }]);
      expect([name, await ask(url, `Bearer ${WRONG}`)]).toEqual([name, { status: 401, code: 'UNAUTHENTICATED' }]);
      expect([name, await ask(url, `Bearer ${token}`)]).toEqual([name, { status: 200, code: undefined }]);
    }
    // The other system's token is a wrong one too.
    expect(await ask(systems[0]!.url, `Bearer ${systems[1]!.token}`)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it("starts npm start's reference systems behind CUSTOMERP_TOKEN / CRMOFFICE_TOKEN, or a random token per start", async () => {
    const configured = `configured-${randomBytes(12).toString('hex')}`;
    const settings = loadSettings({
      CUSTOMERP_PORT: '0',
      CRMOFFICE_PORT: '0',
      REFERENCE_SEED: 'empty',
      CUSTOMERP_TOKEN: configured,
    });
    const supervisor = new Supervisor();
    try {
      const endpoints = await startReferenceSystems(settings, supervisor);
      expect(endpoints).toEqual({
        customerpUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/),
        crmofficeUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/),
        customerpToken: configured,
        crmofficeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), // 32 random bytes, base64url
        startedReference: true,
        // Both started here: each gets a random webhook secret of its own, registered by registerWebhooks.
        webhookSecrets: {
          CUSTOMERP: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          CRMOFFICE: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        },
        startedOrigins: {
          CUSTOMERP: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          CRMOFFICE: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        },
      });
      expect(endpoints.webhookSecrets.CUSTOMERP).not.toBe(endpoints.webhookSecrets.CRMOFFICE);
      const ping = (url: string, token?: string) =>
        new UpstreamClient({ system: 'CUSTOMERP', url, token, retries: 0 }).query(PING, {}).then(
          () => 'ok',
          (error: unknown) => (error as Error).message,
        );
      expect(await ping(endpoints.customerpUrl)).toBe(
        "CUSTOMERP is unavailable: it refused the gateway's credentials (HTTP 401)",
      );
      expect(await ping(endpoints.crmofficeUrl)).toBe(
        "CUSTOMERP is unavailable: it refused the gateway's credentials (HTTP 401)",
      );
      expect(await ping(endpoints.customerpUrl, endpoints.customerpToken)).toBe('ok');
      expect(await ping(endpoints.crmofficeUrl, endpoints.crmofficeToken)).toBe('ok');
      const second = new Supervisor();
      const again = await startReferenceSystems(
        loadSettings({ CUSTOMERP_PORT: '0', CRMOFFICE_PORT: '0', REFERENCE_SEED: 'empty' }),
        second,
      );
      await second.stop('test over');
      expect(again.crmofficeToken).not.toBe(endpoints.crmofficeToken);
      expect(again.customerpToken).not.toBe(configured);
    } finally {
      await supervisor.stop('test over');
    }
  });

  it('hands configured tokens through, and starts nothing, when the systems are configured by URL', async () => {
    const settings = loadSettings({
      CUSTOMERP_URL: 'http://127.0.0.1:9/graphql',
      CRMOFFICE_URL: 'http://127.0.0.1:9/graphql',
      CRMOFFICE_TOKEN: 'crm-token-0123456789abcdef',
    });
    const supervisor = new Supervisor();
    expect(await startReferenceSystems(settings, supervisor)).toEqual({
      customerpUrl: 'http://127.0.0.1:9/graphql',
      crmofficeUrl: 'http://127.0.0.1:9/graphql',
      customerpToken: undefined,
      crmofficeToken: 'crm-token-0123456789abcdef',
      startedReference: false,
      // Configured systems get no webhook endpoint unless WEBHOOK_SECRET_* says so.
      webhookSecrets: {},
      startedOrigins: {},
    });
    expect(supervisor.phase).toEqual({ phase: 'starting', started: [] });
  });

  it('works end to end with the tokens: reads, a write to both systems, health, a sync pass', async () => {
    const read = await graphql(
      ops.gateway,
      'read',
      '{ contacts(first: 5) { nodes { id email customerp { __typename } crmoffice { id } } } }',
    );
    expect(read.errors).toBeUndefined();
    expect((read.data?.['contacts'] as { nodes: unknown[] }).nodes).toHaveLength(5);
    const created = await graphql(
      ops.gateway,
      'create',
      'mutation($input: CreateContactInput!) { createContact(input: $input) { writes { system state error } } }',
      {
        input: { kind: 'EMPLOYEE', firstName: 'Tess', lastName: 'Token', email: 'tess.token@example.org' },
      },
    );
    expect(created).toEqual({
      data: {
        createContact: {
          writes: [
            { system: 'CUSTOMERP', state: 'APPLIED', error: null },
            { system: 'CRMOFFICE', state: 'APPLIED', error: null },
          ],
        },
      },
    });
    expect(
      await graphql(
        ops.gateway,
        'health',
        '{ health { status customerp { status error } crmoffice { status error } } }',
      ),
    ).toEqual({
      data: {
        health: { status: 'UP', customerp: { status: 'UP', error: null }, crmoffice: { status: 'UP', error: null } },
      },
    });
    const pass = await ops.syncPass();
    expect(pass.feeds.filter((f) => f.blocked)).toEqual([]);
  });

  it('reports an injected fault to clients and in the logs without the token', async () => {
    await ops.world.systems.faults('crmoffice', { outage: true });
    try {
      const answer = await graphql(
        ops.gateway,
        'outage read',
        '{ contacts(first: 2, filter: { kind: EMPLOYEE, syncState: IN_SYNC }) { nodes { id crmoffice { id } } } }',
      );
      expect(answer.errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual([
        ['CRMOFFICE is unavailable: HTTP 503', 'UPSTREAM_UNAVAILABLE'],
        ['CRMOFFICE is unavailable: HTTP 503', 'UPSTREAM_UNAVAILABLE'],
      ]);
      // A client that retries logs each retry (at debug) with its reason.
      await expect(ops.world.systems.crmoffice.getMany('Contact', ['c-1'])).rejects.toThrow(
        'CRMOFFICE is unavailable: HTTP 503',
      );
      const pass = await ops.syncPass();
      expect(pass.feeds.filter((f) => f.blocked).length).toBeGreaterThan(0);
    } finally {
      await ops.world.systems.faults('crmoffice', {});
    }
  });

  it('treats a refused token as an outage: UPSTREAM_UNAVAILABLE on the fields it fills, the write left PENDING, health DOWN', async () => {
    const customerp = new UpstreamClient({
      system: 'CUSTOMERP',
      url: ops.world.systems.customerpServer.url,
      token: ops.world.systems.tokens.customerp,
      retries: 0,
    });
    const crmoffice = new UpstreamClient({
      system: 'CRMOFFICE',
      url: ops.world.systems.crmofficeServer.url,
      token: WRONG,
      retries: 2,
    });
    const apis = { customerp: new CustomerpApi(customerp), crmoffice: new CrmofficeApi(crmoffice) };
    const gateway = await startGateway({
      dependencies: {
        db: ops.world.database.db,
        customerp,
        crmoffice,
        writeThrough: new WriteThrough({ db: ops.world.database.db, ...apis }, { backoff: FAST_BACKOFF }),
      },
      mode: 'production',
    });
    try {
      const refused = "CRMOFFICE is unavailable: it refused the gateway's credentials (HTTP 401)";
      const answer = await graphql(
        gateway,
        'refused read',
        '{ contacts(first: 2, filter: { kind: EMPLOYEE, syncState: IN_SYNC }) { nodes { id crmoffice { id } } } }',
      );
      expect(answer.errors?.map((e) => [e.message, e.path, e.extensions?.['code']])).toEqual([
        [refused, ['contacts', 'nodes', 0, 'crmoffice'], 'UPSTREAM_UNAVAILABLE'],
        [refused, ['contacts', 'nodes', 1, 'crmoffice'], 'UPSTREAM_UNAVAILABLE'],
      ]);
      expect(
        await graphql(
          gateway,
          'refused health',
          '{ health { status customerp { status } crmoffice { status error } } }',
        ),
      ).toEqual({
        data: {
          health: { status: 'DOWN', customerp: { status: 'UP' }, crmoffice: { status: 'DOWN', error: refused } },
        },
      });
      const { links } = await ops.world.links.page({
        entity: 'Contact',
        filter: { kind: 'EMPLOYEE', state: 'IN_SYNC' },
        first: 1,
        after: null,
      });
      const updated = await graphql(
        gateway,
        'refused write',
        'mutation($id: ID!) { updateContact(id: $id, input: { title: "Refused" }) { writes { system state error } } }',
        {
          id: encodeUnifiedId('Contact', links[0]!._id),
        },
      );
      expect(updated.data).toEqual({
        updateContact: {
          writes: [
            { system: 'CUSTOMERP', state: 'APPLIED', error: null },
            { system: 'CRMOFFICE', state: 'PENDING', error: refused },
          ],
        },
      });
    } finally {
      await gateway.close();
    }
    // The gateway with the right token finishes that write from the outbox.
    await ops.syncPass();
    expect((await graphql(ops.gateway, 'after refusal', '{ syncStatus { pendingOperations } }')).data).toEqual({
      syncStatus: { pendingOperations: 0 },
    });
  });

  it('runs `npm run sync` with its configured tokens, and reports a refused one without it', async () => {
    const database: TestDatabase = await testDatabase('upstream token sync');
    try {
      const target: SyncProcessTarget = {
        mongodbUri: process.env['MONGODB_URI'] as string,
        database: database.name,
        customerpUrl: ops.world.systems.customerpServer.url,
        crmofficeUrl: ops.world.systems.crmofficeServer.url,
        customerpToken: ops.world.systems.tokens.customerp,
        crmofficeToken: ops.world.systems.tokens.crmoffice,
      };
      const good = await startSyncProcess(target, ['--once', '--json'], { LOG_LEVEL: 'debug' }).exit;
      shown.push({ what: 'sync stdout', text: good.stdout }, { what: 'sync stderr', text: good.stderr });
      expect([good.code, good.stderr]).toEqual([0, '']);
      expect(good.stdout).toContain('"totals": {'); // the --json summary, among the debug lines

      const refused = await startSyncProcess({ ...target, crmofficeToken: WRONG }, ['--once', '--json'], {
        LOG_LEVEL: 'debug',
      }).exit;
      shown.push(
        { what: 'refused sync stdout', text: refused.stdout },
        { what: 'refused sync stderr', text: refused.stderr },
      );
      expect(refused.code).toBe(1);
      const lines = refused.stdout
        .split('\n')
        .filter((line) => line.startsWith('{"level"'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 50,
          msg: "CRMOFFICE refuses the gateway's credentials (HTTP 401); check CRMOFFICE_TOKEN",
        }),
      );
      expect(
        lines.filter((l) => l.msg === 'sync feed stopped; it resumes from its cursor next pass').length,
      ).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  });

  it('shows neither token on the status page, its history or the metrics', async () => {
    for (const path of ['/status', '/status/history', '/metrics', '/health', '/ready']) {
      const response = await fetch(`${ops.gateway.origin}${path}`);
      shown.push({ what: `GET ${path}`, text: await response.text() });
    }
    const status = await graphql(
      ops.gateway,
      'syncStatus',
      '{ syncStatus { feeds { system entity blockedReason } pendingOperations openConflicts } }',
    );
    expect(status.errors).toBeUndefined();
  });

  it('redacts credentials wherever a careless log call puts them', () => {
    const [customerpToken, crmofficeToken] = secrets();
    logger.warn(
      {
        authorization: `Bearer ${customerpToken}`,
        req: { headers: { authorization: `Bearer ${crmofficeToken}` } },
        settings: { CUSTOMERP_TOKEN: customerpToken, CRMOFFICE_TOKEN: crmofficeToken },
      },
      'careless',
    );
    const line = logs.entries().find((e) => e.msg === 'careless');
    expect(line).toMatchObject({
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]' } },
      settings: { CUSTOMERP_TOKEN: '[redacted]', CRMOFFICE_TOKEN: '[redacted]' },
    });
  });

  // Runs last: it checks everything the tests above logged and showed.
  it('keeps every token out of every captured log line, GraphQL answer, page and child output', () => {
    const entries = logs.entries();
    // The run did log its failures (so this check can fail): the refusal, the outage, the blocked feeds.
    expect(
      entries.filter((e) => e.msg === "CRMOFFICE refuses the gateway's credentials (HTTP 401); check CRMOFFICE_TOKEN"),
    ).toHaveLength(1);
    expect(
      entries.filter((e) => e.msg === 'sync feed stopped; it resumes from its cursor next pass').length,
    ).toBeGreaterThan(0);
    expect(entries.filter((e) => e.msg === 'upstream retry').length).toBeGreaterThan(0);
    expect(
      entries.filter(
        (e) => e.msg === 'write-through step left for the outbox worker' && String(e['reason']).includes('HTTP 401'),
      ),
    ).toHaveLength(1);
    expect(shown).toHaveLength(18);
    const leaks = (text: string) =>
      secrets().some((secret) => text.includes(secret) || text.includes(secret.slice(0, 12)));
    expect(logs.lines.filter(leaks)).toEqual([]);
    expect(shown.filter(({ text }) => leaks(text)).map(({ what }) => what)).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, validate } from 'graphql';
import { buildGatewaySchema } from '../../src/gateway/schema.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { addOpsLinks, OWN_ASSETS_DIR, tracePasses, VENDOR_ASSETS, type ExplorerExample } from '../../src/ops/index.js';
import { SyncEngine, SyncWorker } from '../../src/sync/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../../src/upstreams/index.js';
import { parseExposition } from './prometheus.js';
import { startOpsWorld, type OpsWorld } from './ops-world.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';

// The operator's endpoints over HTTP: /ready per dependency, /metrics in Prometheus format, the pages
// and every file they load served by the gateway itself, request ids end to end.

let ops: OpsWorld;

beforeAll(async () => {
  ops = await startOpsWorld('ops router');
});

afterAll(() => ops.close());

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${ops.gateway.origin}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /ready', () => {
  const up = (name: string) => ({ name, status: 'UP', latencyMs: expect.any(Number), error: null });

  it('is 200 with each dependency UP by name', async () => {
    const response = await fetch(`${ops.gateway.origin}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'UP',
      mongodb: up('mongodb'),
      customerp: up('customerp'),
      crmoffice: up('crmoffice'),
    });
  });

  it('turns 503 naming the system in outage, and 200 again after', async () => {
    await ops.world.systems.faults('crmoffice', { outage: true });
    try {
      const response = await fetch(`${ops.gateway.origin}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'DOWN',
        mongodb: up('mongodb'),
        customerp: up('customerp'),
        crmoffice: {
          name: 'crmoffice',
          status: 'DOWN',
          latencyMs: expect.any(Number),
          error: 'CRMOFFICE is unavailable: HTTP 503',
        },
      });
    } finally {
      await ops.world.systems.faults('crmoffice', {});
    }
    const after = await fetch(`${ops.gateway.origin}/ready`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({
      status: 'UP',
      mongodb: up('mongodb'),
      customerp: up('customerp'),
      crmoffice: up('crmoffice'),
    });
  });

  it('names Customerp the same way', async () => {
    await ops.world.systems.faults('customerp', { outage: true });
    try {
      const response = await fetch(`${ops.gateway.origin}/ready`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { customerp: unknown }).customerp).toEqual({
        name: 'customerp',
        status: 'DOWN',
        latencyMs: expect.any(Number),
        error: 'CUSTOMERP is unavailable: HTTP 503',
      });
    } finally {
      await ops.world.systems.faults('customerp', {});
    }
    expect((await fetch(`${ops.gateway.origin}/ready`)).status).toBe(200);
  });

  it('answers /health without asking any dependency', async () => {
    await ops.world.systems.faults('customerp', { outage: true });
    try {
      expect(await get('/health')).toEqual({
        status: 200,
        type: 'application/json; charset=utf-8',
        text: '{"status":"UP"}',
      });
    } finally {
      await ops.world.systems.faults('customerp', {});
    }
  });
});

describe('GET /metrics', () => {
  it('is the Prometheus text format with every metric family of the gateway', async () => {
    const { status, type, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, kind]) => `${name} ${kind}`).sort();
    expect(families).toEqual([
      'gateway_graphql_operation_duration_seconds histogram',
      'gateway_graphql_operations_total counter',
      'gateway_mongodb_command_duration_seconds histogram',
      'gateway_outbox_pending_operations gauge',
      'gateway_requests_shed_total counter',
      'gateway_subscriptions gauge',
      'gateway_sync_changes_applied_total counter',
      'gateway_sync_conflicts_total counter',
      'gateway_sync_echoes_suppressed_total counter',
      'gateway_sync_lag_seconds gauge',
      'gateway_sync_writes_total counter',
      'gateway_upstream_request_duration_seconds histogram',
      'gateway_upstream_requests_total counter',
    ]);
    expect(() => parseExposition(text)).not.toThrow();
  });
});

describe('the pages', () => {
  it('serves an index of the operator endpoints at /', async () => {
    const { status, type, text } = await get('/');
    expect({ status, type }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    for (const path of ['/graphql', '/explorer', '/status', '/metrics', '/health', '/ready'])
      expect(text).toContain(`href="${path}"`);
  });

  it('loads nothing from outside the gateway: every script, style and link of every page is a local path', async () => {
    for (const path of ['/', '/status', '/explorer']) {
      const { status, text } = await get(path);
      expect(status).toBe(200);
      const references = [...text.matchAll(/\b(?:src|href)="([^"]*)"/g)].map(([, url]) => url as string);
      expect(references.length).toBeGreaterThan(0);
      expect(references.filter((url) => !url.startsWith('/') && url !== 'data:,')).toEqual([]);
      for (const url of references.filter((u) => u.startsWith('/assets/')))
        expect([url, (await get(url)).status]).toEqual([url, 200]);
    }
  });

  it('serves GraphiQL, React and uPlot exactly as their packages ship them', async () => {
    for (const [name, file] of Object.entries(VENDOR_ASSETS)) {
      const response = await fetch(`${ops.gateway.origin}/assets/vendor/${name}`);
      expect([name, response.status]).toEqual([name, 200]);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    }
    expect((await get('/assets/vendor/nope.js')).status).toBe(404);
    expect((await get('/assets/status.js')).text).toBe(readFileSync(`${OWN_ASSETS_DIR}/status.js`, 'utf8'));
  });

  it('gives the explorer saved operations that are valid against the schema, the update with a real contact id', async () => {
    const response = await fetch(`${ops.gateway.origin}/explorer/examples.json`);
    const { endpoint, examples } = (await response.json()) as { endpoint: string; examples: ExplorerExample[] };
    expect(endpoint).toBe('/graphql');
    expect(examples.map((e) => e.name)).toEqual([
      'LinkedContacts',
      'UpdateContactTitle',
      'SyncStatus',
      'ContactChanges',
    ]);
    const schema = buildGatewaySchema();
    for (const example of examples) {
      const document = parse(example.query);
      // graphql-js 16 validates a mutation against a schema without a Mutation type: check the root too.
      const roots = document.definitions.map((d) =>
        d.kind === 'OperationDefinition' ? Boolean(schema.getRootType(d.operation)) : true,
      );
      expect([example.name, validate(schema, document).map((e) => e.message), roots]).toEqual([
        example.name,
        [],
        [true],
      ]);
    }
    const { id } = JSON.parse(examples[1]!.variables) as { id: string };
    const { contact } = await ops.data<{ contact: { kind: string } | null }>(
      'query($id: ID!) { contact(id: $id) { kind } }',
      { id },
    );
    expect(contact).toEqual({ kind: 'EMPLOYEE' });
    const { data } = await ops.graphql<{ contacts: { nodes: unknown[] } }>(
      examples[0]!.query,
      JSON.parse(examples[0]!.variables) as Record<string, unknown>,
    );
    expect(data?.contacts.nodes).toHaveLength(5);
  });

  it('adds links to /explorer and /status to the Apollo Sandbox landing page, under its CSP nonce', () => {
    const page = `<html><head><meta http-equiv="Content-Security-Policy" content="style-src 'nonce-abc123' https://x" /></head><body><div id="sandbox"></div></body></html>`;
    const linked = addOpsLinks(page);
    expect(linked).toContain('<style nonce="abc123">');
    expect(linked).toContain('<a href="/explorer">explorer at /explorer</a>');
    expect(linked).toContain('<a href="/status">status page</a>');
    expect(linked.indexOf('id="gateway-ops-links"')).toBeGreaterThan(linked.indexOf('id="sandbox"'));
    expect(linked.endsWith('</body></html>')).toBe(true);
  });
});

describe('modes', () => {
  const gateways: RunningGateway[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.close())));

  async function start(mode: 'development' | 'production'): Promise<RunningGateway> {
    const gateway = await startGateway({
      dependencies: {
        db: ops.world.database.db,
        customerp: new UpstreamClient({
          system: 'CUSTOMERP',
          url: ops.world.systems.customerpServer.url,
          token: ops.world.systems.tokens.customerp,
          retries: 0,
        }),
        crmoffice: new UpstreamClient({
          system: 'CRMOFFICE',
          url: ops.world.systems.crmofficeServer.url,
          token: ops.world.systems.tokens.crmoffice,
          retries: 0,
        }),
      },
      mode,
    });
    gateways.push(gateway);
    return gateway;
  }

  it('keeps Apollo Sandbox as the landing page in development, with a link to the offline explorer', async () => {
    const gateway = await start('development');
    const html = await (await fetch(gateway.url, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('embeddable-sandbox.cdn.apollographql.com');
    expect(html).toContain('<a href="/explorer">explorer at /explorer</a>');
    expect((await fetch(`${gateway.origin}/explorer`)).status).toBe(200);
  });

  it('has no explorer in production (it needs introspection), but the status page and metrics', async () => {
    const gateway = await start('production');
    const explorer = await fetch(`${gateway.origin}/explorer`);
    expect(explorer.status).toBe(404);
    expect(await explorer.json()).toEqual({
      error: 'the explorer needs introspection, which is off here (INTROSPECTION=true turns it on)',
    });
    expect((await fetch(`${gateway.origin}/status`)).status).toBe(200);
    expect((await fetch(`${gateway.origin}/metrics`)).status).toBe(200);
  });
});

describe('request ids', () => {
  let proxy: Server;
  let proxyUrl: string;
  const seen: IncomingHttpHeaders[] = [];
  let gateway: RunningGateway;

  beforeAll(async () => {
    // Customerp behind a proxy that notes the headers of every request the gateway sends it.
    const target = new URL(ops.world.systems.customerpServer.url);
    proxy = createServer((req, res) => {
      seen.push(req.headers);
      const forward = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    gateway = await startGateway({
      dependencies: {
        db: ops.world.database.db,
        customerp: new UpstreamClient({
          system: 'CUSTOMERP',
          url: proxyUrl,
          token: ops.world.systems.tokens.customerp,
          retries: 0,
        }),
        crmoffice: new UpstreamClient({
          system: 'CRMOFFICE',
          url: ops.world.systems.crmofficeServer.url,
          token: ops.world.systems.tokens.crmoffice,
          retries: 0,
        }),
      },
      mode: 'test',
    });
  });

  afterAll(async () => {
    await gateway.close();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  const CONTACTS = '{ contacts(first: 2, filter: { kind: EMPLOYEE }) { nodes { customerp { __typename } } } }';

  it("carries the client's x-request-id to the upstream requests, and echoes it", async () => {
    seen.length = 0;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42' },
      body: JSON.stringify({ query: CONTACTS }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(seen.map((h) => h['x-request-id'])).toEqual(['trace-42']);
  });

  it('gives a request without one an id of its own, the same on every upstream request it makes', async () => {
    seen.length = 0;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: CONTACTS }),
    });
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await response.json();
    expect(seen.map((h) => h['x-request-id'])).toEqual([id]);
  });

  it('replaces an id that is not a sane token', async () => {
    const response = await fetch(`${gateway.origin}/health`, { headers: { 'x-request-id': 'a b\u00e9<script>' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives each sync pass an id of its own on every upstream request it makes', async () => {
    await ops.worker.stop(); // its leases go, so this engine may run the feeds
    const engine = new SyncEngine({
      db: ops.world.database.db,
      writeOwnership: outboxWriteOwnership(ops.world.database.db),
      customerp: new CustomerpApi(
        new UpstreamClient({
          system: 'CUSTOMERP',
          url: proxyUrl,
          token: ops.world.systems.tokens.customerp,
          retries: 0,
        }),
      ),
      crmoffice: new CrmofficeApi(
        new UpstreamClient({
          system: 'CRMOFFICE',
          url: ops.world.systems.crmofficeServer.url,
          token: ops.world.systems.tokens.crmoffice,
          retries: 0,
        }),
      ),
    });
    const worker = new SyncWorker(tracePasses(engine));
    const ids: (string | undefined)[][] = [];
    for (let pass = 0; pass < 2; pass += 1) {
      seen.length = 0;
      await worker.runNow();
      ids.push([...new Set(seen.map((h) => h['x-request-id'] as string | undefined))]);
    }
    await worker.stop();
    expect(ids.map((set) => set.length)).toEqual([1, 1]);
    expect(ids[0]![0]).toMatch(/^sync-[0-9a-f-]{36}$/);
    expect(ids[1]![0]).toMatch(/^sync-[0-9a-f-]{36}$/);
    expect(ids[0]![0]).not.toBe(ids[1]![0]);
  });
});

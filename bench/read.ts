/**
 * `npm run bench:read`: the unified read API under load (not part of the test suite).
 *
 * Starts MongoDB (MONGODB_URI, or the embedded engine of its own), both reference systems seeded with
 * BENCH_RECORDS records (demoSizeOf), links them with one sync pass, injects BENCH_LATENCY_MS of
 * latency into both systems, then for pages of N = 1, 10, 100 contacts (with company, activities and
 * both sides) measures, for the gateway's batched resolvers and for naive ones (no batching):
 * upstream requests and MongoDB queries per query, then p50/p99 latency and throughput under
 * autocannon, run as a separate process. The critical-path floor is the two upstream round trips
 * that the page needs in sequence (contacts, then their companies).
 *
 * Settings: BENCH_RECORDS (100000), BENCH_LATENCY_MS (10), BENCH_DURATION_S (10), BENCH_CONNECTIONS (10).
 *
 * The embedded engine (mongo-java-server, in memory) serves indexed lookups but scans for sorted pages
 * and counts; a real MongoDB (MONGODB_URI) shows what production would.
 */
import { spawn } from 'node:child_process';
import { startGateway } from '../src/gateway/server.js';
import { setupIndexes } from '../src/links/index.js';
import { connectMongo, countCommands, startEmbeddedMongo, type EmbeddedMongo } from '../src/mongo/index.js';
import { demoSizeOf, type RunningReferenceServer } from '../src/reference/core/index.js';
import { startCrmoffice } from '../src/reference/crmoffice/index.js';
import { startCustomerp } from '../src/reference/customerp/index.js';
import { NO_WRITE_OWNERSHIP } from '../src/reconcile/index.js';
import { SyncEngine } from '../src/sync/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../src/upstreams/index.js';
import { projectPath } from '../src/paths.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 100_000);
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 10);
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const PAGE_SIZES = [1, 10, 100];
/** Upstream round trips the page needs one after the other: the contacts' records, then their companies'. */
const SEQUENTIAL_ROUND_TRIPS = 2;

const QUERY = `query Page($first: Int!) {
  contacts(first: $first) {
    totalCount
    nodes {
      id kind fullName email mobile
      customerp { ... on CustomerpEmployee { id email } ... on CustomerpContact { id email } }
      crmoffice { id email companyId }
      company { id name customerp { id sku } crmoffice { id code } }
      activities { totalCount nodes { id subject status owner { id } company { id } customerp { id } crmoffice { id } } }
    }
  }
}`;

interface Row {
  resolvers: 'batched' | 'naive';
  n: number;
  customerpRequests: number;
  crmofficeRequests: number;
  mongoQueries: number;
  p50: number;
  p99: number;
  requestsPerSecond: number;
  errors: number;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** autocannon in a child process, so that the load generator does not share the gateway's event loop. */
function autocannon(
  url: string,
  body: string,
): Promise<{ p50: number; p99: number; requestsPerSecond: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const args = [
      '-j',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(DURATION_S),
      '-t',
      '60',
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      body,
      url,
    ];
    const child = spawn(projectPath('node_modules', '.bin', 'autocannon'), args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const result = JSON.parse(output) as {
        latency: { p50: number; p99: number };
        requests: { average: number };
        errors: number;
        non2xx: number;
      };
      resolve({
        p50: result.latency.p50,
        p99: result.latency.p99,
        requestsPerSecond: result.requests.average,
        errors: result.errors + result.non2xx,
      });
    });
  });
}

async function main(): Promise<void> {
  let embedded: EmbeddedMongo | null = null;
  let uri = process.env['MONGODB_URI'];
  if (!uri) {
    log('starting the embedded MongoDB engine');
    embedded = await startEmbeddedMongo({ heapMb: 4096 });
    uri = embedded.uri;
  }
  const { client, db } = await connectMongo(uri, `bench_read_${Date.now()}`, { monitorCommands: true });
  const size = demoSizeOf(RECORDS);
  log(`seeding both reference systems: ${JSON.stringify(size)}`);
  const [customerp, crmoffice] = await Promise.all([startCustomerp({ seed: size }), startCrmoffice({ seed: size })]);
  const servers: RunningReferenceServer[] = [customerp, crmoffice];
  try {
    await setupIndexes(db);
    const syncClients = { timeoutMs: 30_000, retries: 2 };
    const engine = new SyncEngine(
      {
        db,
        writeOwnership: NO_WRITE_OWNERSHIP,
        customerp: new CustomerpApi(new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, ...syncClients })),
        crmoffice: new CrmofficeApi(new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, ...syncClients })),
      },
      {
        batchSize: 1000,
        onProgress: ({ feed, changes, done }) => {
          if (done || changes % 10_000 < 1000) log(`sync ${feed}: ${changes} changes${done ? ' (done)' : ''}`);
        },
      },
    );
    const synced = await engine.runOnce();
    log(`synced in ${Math.round(synced.durationMs / 1000)} s: ${JSON.stringify(synced.totals)}`);

    for (const server of servers) server.faults.set({ latencyMs: LATENCY_MS });
    const commands = countCommands(client);
    const rows: Row[] = [];
    for (const batching of [true, false]) {
      const gateway = await startGateway({
        dependencies: {
          db,
          customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, timeoutMs: 10_000, retries: 0 }),
          crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, timeoutMs: 10_000, retries: 0 }),
        },
        mode: 'production',
        batching,
      });
      try {
        for (const n of PAGE_SIZES) {
          const body = { query: QUERY, variables: { first: n } };
          await post(gateway.url, body); // warm up (connections, caches of the systems' parsers)
          await Promise.all(servers.map((server) => post(`${server.origin}/admin/stats/reset`, {})));
          commands.reset();
          const answer = (await post(gateway.url, body)) as { errors?: unknown[] };
          if (answer.errors) throw new Error(`the page query failed: ${JSON.stringify(answer.errors).slice(0, 500)}`);
          const row = {
            resolvers: batching ? ('batched' as const) : ('naive' as const),
            n,
            customerpRequests: customerp.stats().requests,
            crmofficeRequests: crmoffice.stats().requests,
            mongoQueries: commands.count(),
          };
          log(`${row.resolvers} N=${n}: load for ${DURATION_S} s`);
          rows.push({ ...row, ...(await autocannon(gateway.url, JSON.stringify(body))) });
        }
      } finally {
        await gateway.close();
      }
    }
    commands.stop();
    print(rows);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await embedded?.stop();
  }
}

function print(rows: Row[]): void {
  const floor = SEQUENTIAL_ROUND_TRIPS * LATENCY_MS;
  const lines = [
    `Unified read API: ${RECORDS} records, ${LATENCY_MS} ms upstream latency, ${CONNECTIONS} connections, ${DURATION_S} s per run.`,
    `Critical-path floor: ${SEQUENTIAL_ROUND_TRIPS} sequential upstream round trips = ${floor} ms.`,
    '',
    '| resolvers | N | Customerp requests | Crmoffice requests | MongoDB queries | p50 ms | p99 ms | p50 − floor | p99 − floor | req/s | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.resolvers} | ${r.n} | ${r.customerpRequests} | ${r.crmofficeRequests} | ${r.mongoQueries} | ${r.p50} | ${r.p99} | ${r.p50 - floor} | ${r.p99 - floor} | ${r.requestsPerSecond.toFixed(1)} | ${r.errors} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

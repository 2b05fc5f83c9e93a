/**
 * `npm run bench:read`: the unified read API against a peer built with tools no one here wrote (not part
 * of the test suite; issue #12).
 *
 * Starts MongoDB (MONGODB_URI, or the embedded engine of its own), both reference systems seeded with
 * BENCH_RECORDS records (demoSizeOf), links them with one sync pass, injects BENCH_LATENCY_MS of latency
 * into both systems, and then, each in a process of its own:
 *   - project: this gateway as deployed (API key authentication with its cache, rate limiting in
 *     MongoDB, metrics), asked for a page of N employees with their Crmoffice side and company:
 *     `contacts(first: N, filter: { kind: EMPLOYEE })`;
 *   - peer: bench/peer/, `@graphql-tools/stitch` + `batchDelegateToSchema` on graphql-yoga over the same
 *     two systems, asked for the same: `employees(first: N) { … crmContact { … company } }`, joined by e-mail;
 *   - bare: a node:http server answering the trivial query without parsing it (the ceiling).
 * For N = 1, 10, 100: upstream requests and MongoDB commands of one query, p50/p99 at 1 connection, req/s
 * and errors at 10 and 50 connections; for `{ __typename }`: req/s and errors at 10 and 50 connections.
 * The critical-path floor is each gateway's sequential upstream round trips × the injected latency.
 * Load comes from autocannon in its own process. The last line is one JSON object (`"bench":"read"`).
 *
 * Settings: BENCH_RECORDS (100000), BENCH_LATENCY_MS (10), BENCH_DURATION_S (5 per run).
 */
import { spawn } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { setupIndexes } from '../src/links/index.js';
import { connectMongo, startEmbeddedMongo, type EmbeddedMongo } from '../src/mongo/index.js';
import { projectPath } from '../src/paths.js';
import { demoSizeOf, type RunningReferenceServer } from '../src/reference/core/index.js';
import { startCrmoffice } from '../src/reference/crmoffice/index.js';
import { startCustomerp } from '../src/reference/customerp/index.js';
import { NO_WRITE_OWNERSHIP } from '../src/reconcile/index.js';
import { SyncEngine } from '../src/sync/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../src/upstreams/index.js';
import { startChildServer, type ChildServer } from './support/child-process.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 100_000);
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 10);
const DURATION_S = Number(process.env['BENCH_DURATION_S'] ?? 5);
const PAGE_SIZES = [1, 10, 100];
const LOADS = [10, 50];

/**
 * Upstream round trips each gateway makes one after the other for a page. In the demo data only
 * Crmoffice-only contacts belong to a company, so an employee page asks for no companies; with them
 * each gateway would need one more.
 */
const SEQUENTIAL = {
  // Customerp employees and Crmoffice contacts at once (by the links' ids).
  project: 1,
  // Customerp employees, then Crmoffice contacts by e-mail.
  peer: 2,
};

const PROJECT_QUERY = `query Page($first: Int!) {
  contacts(first: $first, filter: { kind: EMPLOYEE }) {
    nodes {
      id fullName email
      customerp { ... on CustomerpEmployee { id employeeNumber email } }
      crmoffice { id email title }
      company { id name }
    }
  }
}`;

const PEER_QUERY = `query Page($first: Int!) {
  employees(first: $first) {
    nodes {
      id employeeNumber firstName lastName email
      crmContact { id email title company { id name } }
    }
  }
}`;

const TRIVIAL = '{ __typename }';

interface Target {
  url: string;
  headers: Record<string, string>;
}

interface Load {
  p50: number;
  p99: number;
  requestsPerSecond: number;
  errors: number;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

async function post(target: Target, body: unknown): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${target.url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { data?: unknown; errors?: unknown[] };
}

/** autocannon in a child process, so that the load generator shares no event loop with a gateway. */
function autocannon(target: Target, body: unknown, connections: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const headers = Object.entries({ 'content-type': 'application/json', ...target.headers }).flatMap(
      ([name, value]) => ['-H', `${name}=${value}`],
    );
    const args = ['-j', '-c', String(connections), '-d', String(DURATION_S), '-t', '60', '-m', 'POST'];
    const child = spawn(
      projectPath('node_modules', '.bin', 'autocannon'),
      [...args, ...headers, '-b', JSON.stringify(body), target.url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
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

/** MongoDB commands the project's gateway has sent so far (the count of its command-duration histogram). */
async function mongoCommandsOf(metricsUrl: string): Promise<number> {
  const families = parsePrometheusTextFormat(await (await fetch(metricsUrl)).text());
  const family = families.find((f) => /mongodb.*duration/.test(f.name));
  if (!family) throw new Error('the gateway exports no MongoDB command durations');
  // The parser gives a histogram's count as its +Inf bucket.
  return family.metrics.reduce((sum, sample) => sum + Number(sample.count ?? sample.buckets?.['+Inf'] ?? 0), 0);
}

interface PageRow {
  n: number;
  project: { upstream: number; mongo: number; single: Load; loads: Load[] };
  peer: { upstream: number; single: Load; loads: Load[] };
}

async function main(): Promise<void> {
  let embedded: EmbeddedMongo | null = null;
  let uri = process.env['MONGODB_URI'];
  if (!uri) {
    log('starting the embedded MongoDB engine');
    embedded = await startEmbeddedMongo({ heapMb: 4096 });
    uri = embedded.uri;
  }
  const dbName = `bench_read_${Date.now()}`;
  const { client, db } = await connectMongo(uri, dbName);
  const size = demoSizeOf(RECORDS);
  log(`seeding both reference systems: ${JSON.stringify(size)}`);
  const [customerp, crmoffice] = await Promise.all([startCustomerp({ seed: size }), startCrmoffice({ seed: size })]);
  const servers: RunningReferenceServer[] = [customerp, crmoffice];
  const children: ChildServer<unknown>[] = [];
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

    const systems = { CUSTOMERP_URL: customerp.url, CRMOFFICE_URL: crmoffice.url };
    const projectChild = await startChildServer<{ url: string; key: string; metrics: string }>(
      'bench/support/project-gateway.ts',
      { ...systems, MONGODB_URI: uri, GATEWAY_DB: dbName },
    );
    const peerChild = await startChildServer<{ url: string }>('bench/peer/main.ts', systems);
    const bareChild = await startChildServer<{ url: string }>('bench/support/bare-http.ts');
    children.push(projectChild, peerChild, bareChild);
    const project: Target = {
      url: projectChild.info.url,
      headers: { authorization: `Bearer ${projectChild.info.key}` },
    };
    const peer: Target = { url: peerChild.info.url, headers: {} };
    const bare: Target = { url: bareChild.info.url, headers: {} };

    /** Upstream requests (and the project's MongoDB commands) of one query, after a warm-up query. */
    const countsOf = async (target: Target, body: unknown, metrics?: string) => {
      const check = (answer: { errors?: unknown[] }) => {
        if (answer.errors) throw new Error(`${target.url}: ${JSON.stringify(answer.errors).slice(0, 500)}`);
      };
      check(await post(target, body));
      await Promise.all(servers.map((server) => fetch(`${server.origin}/admin/stats/reset`, { method: 'POST' })));
      const mongoBefore = metrics ? await mongoCommandsOf(metrics) : 0;
      check(await post(target, body));
      const upstream = customerp.stats().requests + crmoffice.stats().requests;
      const mongo = metrics ? (await mongoCommandsOf(metrics)) - mongoBefore : 0;
      return { upstream, mongo };
    };

    const rows: PageRow[] = [];
    for (const n of PAGE_SIZES) {
      const projectBody = { query: PROJECT_QUERY, variables: { first: n } };
      const peerBody = { query: PEER_QUERY, variables: { first: n } };
      const projectCounts = await countsOf(project, projectBody, projectChild.info.metrics);
      const peerCounts = await countsOf(peer, peerBody);
      log(`N=${n}: 1 connection, then ${LOADS.join(' and ')}, ${DURATION_S} s each, project then peer`);
      const row: PageRow = {
        n,
        project: { ...projectCounts, single: await autocannon(project, projectBody, 1), loads: [] },
        peer: { upstream: peerCounts.upstream, single: await autocannon(peer, peerBody, 1), loads: [] },
      };
      for (const connections of LOADS) {
        row.project.loads.push(await autocannon(project, projectBody, connections));
        row.peer.loads.push(await autocannon(peer, peerBody, connections));
      }
      rows.push(row);
    }
    log(`{ __typename }: ${LOADS.join(' and ')} connections, project, peer, bare node:http`);
    const trivialCounts = await countsOf(project, { query: TRIVIAL }, projectChild.info.metrics);
    const trivial = { project: [] as Load[], peer: [] as Load[], bare: [] as Load[] };
    for (const connections of LOADS) {
      trivial.project.push(await autocannon(project, { query: TRIVIAL }, connections));
      trivial.peer.push(await autocannon(peer, { query: TRIVIAL }, connections));
      trivial.bare.push(await autocannon(bare, { query: TRIVIAL }, connections));
    }
    print(rows, trivial, trivialCounts.mongo);
  } finally {
    for (const child of children) await child.stop();
    await Promise.all(servers.map((server) => server.close()));
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await embedded?.stop();
  }
}

const ratio = (a: number, b: number) => (b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

function print(rows: PageRow[], trivial: { project: Load[]; peer: Load[]; bare: Load[] }, trivialMongo: number): void {
  const floor = (sequential: number) => sequential * LATENCY_MS;
  const lines = [
    `Unified read API vs a stitching peer: ${RECORDS} records, ${LATENCY_MS} ms upstream latency, ${DURATION_S} s per run.`,
    `Critical-path floor: project ${SEQUENTIAL.project} sequential upstream round trips = ${floor(SEQUENTIAL.project)} ms, peer ${SEQUENTIAL.peer} = ${floor(SEQUENTIAL.peer)} ms.`,
    '',
    '| N | upstream req project / peer | MongoDB cmds | p50 ms project / peer (ratio) | p50 / floor | p99 / p50 | ' +
      LOADS.map((c) => `req/s at ${c} project / peer (errors)`).join(' | ') +
      ' |',
    `|---|---|---|---|---|---|${LOADS.map(() => '---|').join('')}`,
    ...rows.map(
      (r) =>
        `| ${r.n} | ${r.project.upstream} / ${r.peer.upstream} | ${r.project.mongo} | ${r.project.single.p50} / ${r.peer.single.p50} (${ratio(r.project.single.p50, r.peer.single.p50)}) | ${ratio(r.project.single.p50, floor(SEQUENTIAL.project))} | ${ratio(r.project.single.p99, r.project.single.p50)} | ` +
        LOADS.map(
          (_, i) =>
            `${r.project.loads[i]!.requestsPerSecond.toFixed(0)} / ${r.peer.loads[i]!.requestsPerSecond.toFixed(0)} (${r.project.loads[i]!.errors} / ${r.peer.loads[i]!.errors})`,
        ).join(' | ') +
        ' |',
    ),
    '',
    `{ __typename } (project: ${trivialMongo} MongoDB commands for one request):`,
    '',
    '| connections | project req/s | peer req/s | bare node:http req/s | project / peer | project / bare | errors project / peer / bare |',
    '|---|---|---|---|---|---|---|',
    ...LOADS.map((c, i) => {
      const [p, q, b] = [trivial.project[i]!, trivial.peer[i]!, trivial.bare[i]!];
      return `| ${c} | ${p.requestsPerSecond.toFixed(0)} | ${q.requestsPerSecond.toFixed(0)} | ${b.requestsPerSecond.toFixed(0)} | ${ratio(p.requestsPerSecond, q.requestsPerSecond)} | ${ratio(p.requestsPerSecond, b.requestsPerSecond)} | ${p.errors} / ${q.errors} / ${b.errors} |`;
    }),
  ];
  const summary = {
    bench: 'read',
    records: RECORDS,
    latencyMs: LATENCY_MS,
    pages: rows.map((r) => ({
      n: r.n,
      p50Ms: r.project.single.p50,
      p99Ms: r.project.single.p99,
      peerP50Ms: r.peer.single.p50,
      peerP99Ms: r.peer.single.p99,
      floorMs: floor(SEQUENTIAL.project),
      peerFloorMs: floor(SEQUENTIAL.peer),
      upstreamRequests: r.project.upstream,
      peerUpstreamRequests: r.peer.upstream,
      mongoCommands: r.project.mongo,
      rps: r.project.loads[0]!.requestsPerSecond,
      peerRps: r.peer.loads[0]!.requestsPerSecond,
      rps50: r.project.loads[1]!.requestsPerSecond,
      peerRps50: r.peer.loads[1]!.requestsPerSecond,
      errors: r.project.loads.reduce((sum, l) => sum + l.errors, r.project.single.errors),
    })),
    trivial: {
      rps: trivial.project[0]!.requestsPerSecond,
      peerRps: trivial.peer[0]!.requestsPerSecond,
      bareRps: trivial.bare[0]!.requestsPerSecond,
      rps50: trivial.project[1]!.requestsPerSecond,
      peerRps50: trivial.peer[1]!.requestsPerSecond,
      bareRps50: trivial.bare[1]!.requestsPerSecond,
      mongoCommands: trivialMongo,
      errors: trivial.project.reduce((sum, l) => sum + l.errors, 0),
    },
  };
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

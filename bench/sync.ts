/**
 * `npm run bench:sync`: the sync engine's throughput, lag and memory (not part of the test suite).
 *
 * 1. Backfill: for each size, both reference systems are seeded (demoSizeOf, sized so that Customerp
 *    holds about that many records) in a child process of their own, and one sync pass links
 *    everything into an empty database: records/s, peak RSS of this process (the engine), and where
 *    the time went (MongoDB commands, upstream requests). A pass that outlives the time budget is cut
 *    (its upstream calls fail from then on, so it stops after the batch in hand) and the rate so far
 *    is reported.
 * 2. Raw rate, measured in the same run against the same servers: the Customerp records read by id
 *    in pages of 500, and the same number created one by one in an empty Crmoffice (what a backfill
 *    cannot avoid doing). The figure that matters is sync rate / raw rate.
 * 3. Lag: a SyncWorker with interval I runs over a synced demo installation while BENCH_SYNC_EDITS
 *    edits are made directly in each system; each edit's time until the other system shows it. Run
 *    twice: push off (polling every I), and push on (both systems' webhooks wake the worker, which
 *    polls only every BENCH_SYNC_PUSH_INTERVAL_MS).
 *
 * MongoDB: MONGODB_URI if set, otherwise the embedded engine (mongo-java-server, in memory) of its own.
 * Settings: BENCH_SYNC_SIZES (10000,100000 Customerp records), BENCH_SYNC_BUDGET_S (180 per
 * backfill), BENCH_SYNC_RAW_BUDGET_S (30 per size), BENCH_SYNC_INTERVAL_MS (500), BENCH_SYNC_EDITS
 * (200 per system), BENCH_SYNC_PUSH_INTERVAL_MS (30000). BENCH_SYNC_SIZES=none measures the lag alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Db } from 'mongodb';
import type { SystemInput, SystemRecord } from '../src/mappings/index.js';
import type { DemoSize } from '../src/reference/core/index.js';
import type { SyncSummary } from '../src/sync/index.js';
import type {
  CrmofficeType,
  CustomerpType,
  RequestOptions,
  UpstreamClient,
  UpstreamClientOptions,
} from '../src/upstreams/index.js';

// Before the project's modules load: the logger reads LOG_LEVEL once, and a pass logs at info.
process.env['LOG_LEVEL'] ??= 'error';
const { UpstreamUnavailableError } = await import('../src/errors.js');
const { LinkStore, setupIndexes } = await import('../src/links/index.js');
const { dataflowForCustomerp, toCanonical, toCreateInput } = await import('../src/mappings/index.js');
const { connectMongo, EMBEDDED_MONGO_NAME, startEmbeddedMongo } = await import('../src/mongo/index.js');
const { DEMO_SIZE, demoSizeOf } = await import('../src/reference/core/index.js');
const { startCrmoffice } = await import('../src/reference/crmoffice/index.js');
const { seededCustomerpId, startCustomerp } = await import('../src/reference/customerp/index.js');
const { SyncEngine, SyncWorker, WebhookReceiver } = await import('../src/sync/index.js');
const { webhookRouter } = await import('../src/gateway/webhooks.js');
const { default: express } = await import('express');
const { createServer } = await import('node:http');
const { NO_WRITE_OWNERSHIP } = await import('../src/reconcile/index.js');
const { CrmofficeApi, CustomerpApi, UpstreamClient: Client } = await import('../src/upstreams/index.js');

const SIZES = (process.env['BENCH_SYNC_SIZES'] ?? '10000,100000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const BUDGET_S = Number(process.env['BENCH_SYNC_BUDGET_S'] ?? 180);
const RAW_BUDGET_S = Number(process.env['BENCH_SYNC_RAW_BUDGET_S'] ?? 30);
const INTERVAL_MS = Number(process.env['BENCH_SYNC_INTERVAL_MS'] ?? 500);
const EDITS = Number(process.env['BENCH_SYNC_EDITS'] ?? 200);
const PUSH_INTERVAL_MS = Number(process.env['BENCH_SYNC_PUSH_INTERVAL_MS'] ?? 30_000);
/** Per-run webhook secret (the child's reference systems are open: no admin token). */
const PUSH_SECRET = `bench-${Date.now()}-${process.pid}-secret`;
/** Pause after each edit, alternating between the systems: about 10 edits/s in all, well under what a pass absorbs. */
const EDIT_PACE_MS = 100;

const CUSTOMERP_TYPES: readonly CustomerpType[] = ['Product', 'Employee', 'Contact', 'Project'];
const ENTITY_OF = { Employee: 'EMPLOYEE', Product: 'PRODUCT', Project: 'PROJECT', Contact: 'CONTACT' } as const;
const SEED_COUNT: Record<CustomerpType, keyof DemoSize> = {
  Employee: 'employees',
  Contact: 'customerContacts',
  Product: 'products',
  Project: 'projects',
};

/** Where the reference systems of one size listen (started by `--serve` in a child process). */
interface Servers {
  customerp: string;
  crmoffice: string;
  /** An empty Crmoffice: the target of the raw write measurement. */
  emptyCrmoffice: string;
}

interface BackfillRow {
  customerpRecords: number;
  crmofficeOnly: number;
  done: number;
  complete: boolean;
  seconds: number;
  rate: number;
  /** Customerp changes per second in the first and the last third of the pass. */
  early: number;
  late: number;
  rawRead: number;
  rawWrite: number;
  raw: number;
  baseRssMb: number;
  peakRssMb: number;
  mongoShare: number;
  upstreamShare: number;
  mongoCommands: number;
  upstreamRequests: number;
  commandTimes: CommandTimes;
}

interface LagRow {
  direction: string;
  edits: number;
  p50: number;
  p95: number;
  max: number;
}

// ---- child: the reference systems -----------------------------------------------------------------

/** `--serve <DemoSize JSON>`: both systems seeded, plus an empty Crmoffice; one JSON line of URLs; exits when stdin closes. */
async function serve(size: DemoSize): Promise<void> {
  const [customerp, crmoffice, emptyCrmoffice] = await Promise.all([
    startCustomerp({ seed: size }),
    startCrmoffice({ seed: size }),
    startCrmoffice({ seed: 'empty' }),
  ]);
  const servers: Servers = { customerp: customerp.url, crmoffice: crmoffice.url, emptyCrmoffice: emptyCrmoffice.url };
  process.stdout.write(`${JSON.stringify(servers)}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
}

/** Starts `--serve` in a child (same loader flags as this process) and waits for its URLs. */
async function startServers(size: DemoSize): Promise<{ servers: Servers; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--serve', JSON.stringify(size)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`reference systems exited (${code}) before listening`)));
  });
  return { servers: JSON.parse(first) as Servers, child };
}

// ---- measurement helpers --------------------------------------------------------------------------

/** An upstream client whose calls fail as "unavailable" once `deadline` has passed: cuts a pass short cleanly. */
class DeadlineClient extends Client {
  constructor(
    options: UpstreamClientOptions,
    private readonly deadline: () => number,
  ) {
    super(options);
  }

  override query<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult> {
    if (Date.now() > this.deadline())
      return Promise.reject(new UpstreamUnavailableError(this.system, 'benchmark time budget spent'));
    return super.query(document, variables, options);
  }

  override mutate<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult> {
    if (Date.now() > this.deadline())
      return Promise.reject(new UpstreamUnavailableError(this.system, 'benchmark time budget spent'));
    return super.mutate(document, variables, options);
  }
}

/** MongoDB command time per command shape: `find links {customerpKey $in}`. */
type CommandTimes = Map<string, { count: number; ms: number }>;

/** Sums the time spent in MongoDB commands, per command shape (command monitoring must be on). */
function timeCommands(client: import('mongodb').MongoClient): {
  totalMs: () => number;
  count: () => number;
  byShape: CommandTimes;
} {
  const started = new Map<number, { at: number; shape: string }>();
  const byShape: CommandTimes = new Map();
  client.on('commandStarted', (event) =>
    started.set(event.requestId, { at: performance.now(), shape: shapeOf(event.commandName, event.command) }),
  );
  const finish = (event: { requestId: number }) => {
    const start = started.get(event.requestId);
    if (!start) return;
    started.delete(event.requestId);
    const entry = byShape.get(start.shape) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += performance.now() - start.at;
    byShape.set(start.shape, entry);
  };
  client.on('commandSucceeded', finish);
  client.on('commandFailed', finish);
  const sum = (key: 'count' | 'ms') => [...byShape.values()].reduce((total, entry) => total + entry[key], 0);
  return { totalMs: () => sum('ms'), count: () => sum('count'), byShape };
}

/** `findAndModify links {_id,version}`: the command, its collection and the fields its filter names ($in marked). */
function shapeOf(name: string, command: import('mongodb').Document): string {
  const collection = typeof command[name] === 'string' ? ` ${command[name] as string}` : '';
  const filter = (command['filter'] ??
    command['query'] ??
    (command['deletes'] ?? command['updates'])?.[0]?.q ??
    command['pipeline']?.[0]?.$match) as Record<string, unknown> | undefined;
  if (!filter) return `${name}${collection}`;
  const fields = Object.entries(filter).map(([key, value]) =>
    value && typeof value === 'object' && '$in' in value ? `${key} $in` : key,
  );
  return `${name}${collection} {${fields.join(',')}}`;
}

/** Sums the time spent in upstream requests. */
function timeRequests(clients: UpstreamClient[]): { totalMs: () => number; count: () => number } {
  let total = 0;
  let count = 0;
  for (const client of clients) {
    client.observe((event) => {
      total += event.durationMs;
      count += 1;
    });
  }
  return { totalMs: () => total, count: () => count };
}

/** Samples this process's RSS every 100 ms; stop() returns the peak. */
function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** The demo world whose Customerp side holds about `customerpRecords` records. */
function sizeFor(customerpRecords: number): DemoSize {
  const share = customerpCount(DEMO_SIZE) / Object.values(DEMO_SIZE).reduce((sum, n) => sum + n, 0);
  return demoSizeOf(Math.round(customerpRecords / share));
}

function customerpCount(size: DemoSize): number {
  return size.employees + size.customerContacts + size.products + size.projects;
}

/** `value` to `digits` decimals, for the JSON summary. */
function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The references of a record translated to nothing: raw writes carry the record's own fields only. */
const noReferences = { linkIdOf: () => null, recordIdOf: () => null };

// ---- 1 + 2: backfill and raw rate -----------------------------------------------------------------

async function backfill(uri: string, target: number): Promise<BackfillRow> {
  const size = sizeFor(target);
  const customerpRecords = customerpCount(size);
  const crmofficeOnly = size.crmOnlyContacts + size.crmOnlyCompanies + size.crmOnlyActivities;
  log(`${customerpRecords} Customerp records (${JSON.stringify(size)}): seeding`);
  const { servers, child } = await startServers(size);
  const { client, db } = await connectMongo(uri, `bench_sync_${target}`, { monitorCommands: true });
  try {
    await db.dropDatabase();
    await setupIndexes(db);
    const mongo = timeCommands(client);
    let deadline = Number.POSITIVE_INFINITY;
    const options = { timeoutMs: 30_000, retries: 2 };
    const customerpClient = new DeadlineClient(
      { system: 'CUSTOMERP', url: servers.customerp, ...options },
      () => deadline,
    );
    const crmofficeClient = new DeadlineClient(
      { system: 'CRMOFFICE', url: servers.crmoffice, ...options },
      () => deadline,
    );
    const upstream = timeRequests([customerpClient, crmofficeClient]);
    const progress: { at: number; changes: number }[] = [];
    const perFeed = new Map<string, number>();
    const engine = new SyncEngine(
      {
        db,
        customerp: new CustomerpApi(customerpClient),
        crmoffice: new CrmofficeApi(crmofficeClient),
        writeOwnership: NO_WRITE_OWNERSHIP,
      },
      {
        owner: 'bench',
        onProgress: ({ feed, changes }) => {
          if (!feed.startsWith('customerp:')) return;
          perFeed.set(feed, changes);
          progress.push({ at: Date.now(), changes: [...perFeed.values()].reduce((sum, n) => sum + n, 0) });
        },
      },
    );

    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    const rss = sampleRss();
    const started = Date.now();
    deadline = started + BUDGET_S * 1000;
    const ticker = setInterval(
      () =>
        log(
          `  backfill: ${progress.at(-1)?.changes ?? 0} Customerp changes applied after ${Math.round((Date.now() - started) / 1000)} s`,
        ),
      30_000,
    );
    let summary: SyncSummary;
    try {
      summary = await engine.runOnce();
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - started) / 1000;
    const peakRss = rss.stop();
    const mongoMs = mongo.totalMs();
    const upstreamMs = upstream.totalMs();
    const complete = summary.feeds.every((f) => f.blocked === null);
    const done = await db.collection('links').countDocuments({ customerp: { $ne: null } });
    // Over the Customerp feeds only (the Crmoffice feeds and the pending retry come after them).
    const customerpMs = Math.max(1, (progress.at(-1)?.at ?? Date.now()) - started);
    const third = (from: number, to: number): number => {
      const t0 = started + (customerpMs * from) / 3;
      const t1 = started + (customerpMs * to) / 3;
      const before = [...progress].reverse().find((p) => p.at <= t0)?.changes ?? 0;
      const after = [...progress].reverse().find((p) => p.at <= t1)?.changes ?? 0;
      return (after - before) / ((t1 - t0) / 1000);
    };
    log(`  backfill: ${done} of ${customerpRecords} in ${seconds.toFixed(0)} s${complete ? '' : ' (budget spent)'}`);

    const raw = await rawRate(servers, size);
    return {
      customerpRecords,
      crmofficeOnly,
      done,
      complete,
      seconds,
      rate: done / seconds,
      early: third(0, 1),
      late: third(2, 3),
      ...raw,
      baseRssMb: baseRss / 1e6,
      peakRssMb: peakRss / 1e6,
      mongoShare: mongoMs / (seconds * 1000),
      upstreamShare: upstreamMs / (seconds * 1000),
      mongoCommands: mongo.count(),
      upstreamRequests: upstream.count(),
      commandTimes: mongo.byShape,
    };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    child.stdin?.end();
    child.kill();
  }
}

/**
 * The reference systems' own pace for the same records: Customerp read by id in pages of 500, and
 * the same records created one by one in an empty Crmoffice. Each half stops at half the raw budget.
 */
async function rawRate(servers: Servers, size: DemoSize): Promise<{ rawRead: number; rawWrite: number; raw: number }> {
  const options = { timeoutMs: 30_000, retries: 0 };
  const customerp = new CustomerpApi(new Client({ system: 'CUSTOMERP', url: servers.customerp, ...options }));
  const crmoffice = new CrmofficeApi(new Client({ system: 'CRMOFFICE', url: servers.emptyCrmoffice, ...options }));
  const halfBudgetMs = (RAW_BUDGET_S * 1000) / 2;

  const read: { type: CustomerpType; record: SystemRecord }[] = [];
  let started = performance.now();
  reading: for (const type of CUSTOMERP_TYPES) {
    const ids = Array.from({ length: size[SEED_COUNT[type]] }, (_, i) => seededCustomerpId(ENTITY_OF[type], i));
    for (let i = 0; i < ids.length; i += 500) {
      for (const record of await customerp.getMany(type, ids.slice(i, i + 500)))
        if (record) read.push({ type, record });
      if (performance.now() - started > halfBudgetMs) break reading;
    }
  }
  const rawRead = read.length / ((performance.now() - started) / 1000);

  let written = 0;
  started = performance.now();
  for (const { type, record } of read) {
    const flow = dataflowForCustomerp(type);
    const { input } = toCreateInput(
      flow,
      'CRMOFFICE',
      toCanonical(flow, 'CUSTOMERP', record, noReferences).values,
      noReferences,
    );
    await crmoffice.create(flow.crmoffice.type as CrmofficeType, input as SystemInput);
    written += 1;
    if (performance.now() - started > halfBudgetMs) break;
  }
  const rawWrite = written / ((performance.now() - started) / 1000);
  log(`  raw: read ${rawRead.toFixed(0)}/s, write ${rawWrite.toFixed(0)}/s`);
  return { rawRead, rawWrite, raw: 1 / (1 / rawRead + 1 / rawWrite) };
}

// ---- 3: lag -----------------------------------------------------------------------------------------

/** Edits straight in each system while a SyncWorker runs; how long until the other system shows each. */
async function lag(uri: string, push: boolean): Promise<{ rows: LagRow[]; passMs: number; intervalMs: number }> {
  const intervalMs = push ? PUSH_INTERVAL_MS : INTERVAL_MS;
  log(`lag: ${EDITS} edits in each system, worker interval ${intervalMs} ms, push ${push ? 'on' : 'off'}`);
  const { servers, child } = await startServers(DEMO_SIZE);
  const { client, db } = await connectMongo(uri, 'bench_sync_lag');
  try {
    await db.dropDatabase();
    await setupIndexes(db);
    const options = { timeoutMs: 10_000, retries: 2 };
    const customerp = new CustomerpApi(new Client({ system: 'CUSTOMERP', url: servers.customerp, ...options }));
    const crmoffice = new CrmofficeApi(new Client({ system: 'CRMOFFICE', url: servers.crmoffice, ...options }));
    const engine = new SyncEngine(
      { db, customerp, crmoffice, writeOwnership: NO_WRITE_OWNERSHIP },
      { owner: 'bench-lag' },
    );
    await engine.runOnce();
    await engine.runOnce();
    const pairs = await synced(db);

    const passes: number[] = [];
    const worker = new SyncWorker(engine, {
      intervalMs,
      afterPass: async () => void passes.push(worker.last?.durationMs ?? 0),
    });
    const hooks = push ? await listenForWebhooks(db, servers, () => worker.wake()) : undefined;
    worker.start();
    // Employees edited in Customerp (job title → the contact's title), customer contacts in Crmoffice (phone).
    const directions = [
      {
        name: 'Customerp → Crmoffice',
        pairs: pairs.employees,
        edit: (p: Pair, value: string) => edit(customerp, 'Employee', p.customerp, { jobTitle: value }),
        other: (p: Pair) => p.crmoffice,
        read: (ids: string[]) => crmoffice.getMany('Contact', ids),
        field: 'title',
      },
      {
        name: 'Crmoffice → Customerp',
        pairs: pairs.customers,
        edit: (p: Pair, value: string) => edit(crmoffice, 'Contact', p.crmoffice, { phone: value }),
        other: (p: Pair) => p.customerp,
        read: (ids: string[]) => customerp.getMany('Contact', ids),
        field: 'phone',
      },
    ];
    const lags = directions.map(() => [] as number[]);
    const outstanding = directions.map(() => new Map<string, { value: string; at: number }>());
    let editing = true;
    let done = false;
    let pollError: unknown;

    const poller = (async () => {
      while (!done && (editing || outstanding.some((o) => o.size > 0))) {
        for (const [d, direction] of directions.entries()) {
          const waiting = outstanding[d] as Map<string, { value: string; at: number }>;
          if (waiting.size === 0) continue;
          const ids = [...waiting.keys()];
          const records = await direction.read(ids);
          const now = Date.now();
          records.forEach((record, i) => {
            const id = ids[i] as string;
            const expected = waiting.get(id);
            if (
              expected &&
              record &&
              (record as unknown as Record<string, unknown>)[direction.field] === expected.value
            ) {
              (lags[d] as number[]).push(now - expected.at);
              waiting.delete(id);
            }
          });
        }
        await sleep(10);
      }
    })().catch((error: unknown) => {
      pollError = error;
    });

    try {
      await makeEdits();
      editing = false;
      await Promise.race([poller, sleep(60_000)]);
      if (pollError) throw pollError;
    } finally {
      editing = false;
      done = true;
      await worker.stop();
      hooks?.closeAllConnections();
      hooks?.close();
    }

    /** Edits alternating between the systems, each on a pair with no edit in flight, so each arrival is seen on its own. */
    async function makeEdits(): Promise<void> {
      const deadline = Date.now() + 120_000;
      for (let n = 0; n < EDITS * directions.length && Date.now() < deadline; n++) {
        const d = n % directions.length;
        const direction = directions[d] as (typeof directions)[number];
        const waiting = outstanding[d] as Map<string, { value: string; at: number }>;
        let pair: Pair | undefined;
        while (!(pair = direction.pairs.find((p) => !waiting.has(direction.other(p))))) {
          if (pollError || Date.now() > deadline) return;
          await sleep(5);
        }
        const value = `lag ${n}`;
        await direction.edit(pair, value);
        waiting.set(direction.other(pair), { value, at: Date.now() });
        direction.pairs.push(direction.pairs.splice(direction.pairs.indexOf(pair), 1)[0] as Pair); // round robin
        await sleep(EDIT_PACE_MS);
      }
    }

    const rows = directions.map((direction, d): LagRow => {
      const sorted = [...(lags[d] as number[])].sort((a, b) => a - b);
      return {
        direction: direction.name,
        edits: sorted.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        max: sorted.at(-1) ?? Number.NaN,
      };
    });
    const passMs = passes.length > 0 ? passes.reduce((sum, n) => sum + n, 0) / passes.length : Number.NaN;
    return { rows, passMs, intervalMs };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    child.stdin?.end();
    child.kill();
  }
}

interface Pair {
  customerp: string;
  crmoffice: string;
}

/** The gateway's `POST /webhooks/<system>` on a port of its own, subscribed to both systems. */
async function listenForWebhooks(db: Db, servers: Servers, wake: () => void): Promise<import('node:http').Server> {
  const app = express();
  app.use(
    webhookRouter(new WebhookReceiver({ db, secrets: { CUSTOMERP: PUSH_SECRET, CRMOFFICE: PUSH_SECRET }, wake })),
  );
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  for (const [system, url] of [
    ['customerp', servers.customerp],
    ['crmoffice', servers.crmoffice],
  ] as const) {
    const response = await fetch(`${new URL(url).origin}/admin/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/webhooks/${system}`, secret: PUSH_SECRET }),
    });
    if (!response.ok) throw new Error(`subscribing to ${system}: HTTP ${response.status}`);
  }
  return server;
}

/** Linked employees and customer contacts of a synced installation, as (Customerp id, Crmoffice id). */
async function synced(db: Db): Promise<{ employees: Pair[]; customers: Pair[] }> {
  const store = new LinkStore(db);
  const of = async (kind: 'EMPLOYEE' | 'CUSTOMER_CONTACT'): Promise<Pair[]> =>
    (await store.page({ entity: 'Contact', filter: { kind, state: 'IN_SYNC' }, first: 1000 })).links
      .filter((l) => l.customerp && l.crmoffice)
      .map((l) => ({ customerp: (l.customerp as { id: string }).id, crmoffice: (l.crmoffice as { id: string }).id }));
  return { employees: await of('EMPLOYEE'), customers: await of('CUSTOMER_CONTACT') };
}

async function edit<Type extends string>(
  api: {
    getMany(type: Type, ids: readonly string[]): Promise<(SystemRecord | null)[]>;
    update(type: Type, id: string, input: SystemInput, token: string | null): Promise<SystemRecord>;
    tokenOf(r: SystemRecord): string;
  },
  type: Type,
  id: string,
  input: SystemInput,
): Promise<void> {
  const [record] = await api.getMany(type, [id]);
  if (!record) throw new Error(`no ${type} ${id}`);
  await api.update(type, id, input, api.tokenOf(record));
}

// ---- report -----------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const one = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const pct = (n: number) => `${(n * 100).toFixed(n < 0.1 ? 2 : 0)} %`;

async function main(): Promise<void> {
  const embedded = process.env['MONGODB_URI'] ? null : await startEmbeddedMongo({ heapMb: 4096 });
  const uri = process.env['MONGODB_URI'] ?? (embedded as { uri: string }).uri;
  const mongoName = embedded ? EMBEDDED_MONGO_NAME : 'MONGODB_URI';
  try {
    const rows: BackfillRow[] = [];
    for (const size of SIZES) rows.push(await backfill(uri, size));
    const lagResults = [await lag(uri, false), await lag(uri, true)];

    const out: string[] = [];
    out.push(
      '',
      `Sync benchmark: reference systems over HTTP (own process), ${mongoName}, node ${process.version}, budget ${BUDGET_S} s per backfill`,
      '',
    );
    out.push(
      table(
        [
          'Customerp records',
          'linked',
          'time s',
          'records/s',
          'early/s',
          'late/s',
          'raw read/s',
          'raw write/s',
          'raw r+w/s',
          'sync/raw',
          'RSS base MB',
          'RSS peak MB',
          'MongoDB',
          'upstream',
        ],
        rows.map((r) => [
          `${int(r.customerpRecords)} (+${int(r.crmofficeOnly)} CRM-only)`,
          `${int(r.done)}${r.complete ? '' : ' (cut)'}`,
          int(r.seconds),
          one(r.rate),
          one(r.early),
          one(r.late),
          int(r.rawRead),
          int(r.rawWrite),
          int(r.raw),
          pct(r.rate / r.raw),
          int(r.baseRssMb),
          int(r.peakRssMb),
          `${pct(r.mongoShare)} / ${int(r.mongoCommands)} cmds`,
          `${pct(r.upstreamShare)} / ${int(r.upstreamRequests)} reqs`,
        ]),
      ),
    );
    out.push(
      '',
      'records/s: Customerp records linked per second of the pass; early/late: Customerp changes applied per second in the first and last third of the Customerp feeds.',
      'raw r+w/s: the same records read by id (pages of 500) and created one by one in an empty Crmoffice, back to back.',
      'MongoDB / upstream: share of the pass spent waiting for MongoDB commands / for the reference systems.',
      '',
    );
    for (const row of rows) {
      const top = [...row.commandTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
      out.push(`Where the MongoDB time went, ${int(row.customerpRecords)} Customerp records:`, '');
      out.push(
        table(
          ['command', 'count', 'total s', 'mean ms'],
          top.map(([shape, t]) => [shape, int(t.count), one(t.ms / 1000), one(t.ms / t.count)]),
        ),
        '',
      );
    }
    out.push(
      `Edit-to-visible lag, demo installation (${customerpCount(DEMO_SIZE)} Customerp records), one edit every ${EDIT_PACE_MS} ms or so,`,
      `alternating systems; push off: SyncWorker interval I = ${INTERVAL_MS} ms; push on: webhooks wake the worker, I = ${PUSH_INTERVAL_MS} ms:`,
      '',
    );
    out.push(
      table(
        ['push', 'direction', 'edits', 'p50 ms', 'p95 ms', 'max ms', 'p50 / I', 'p95 / I', 'mean pass ms'],
        lagResults.flatMap((result, i) =>
          result.rows.map((r) => [
            i === 0 ? 'off' : 'on',
            r.direction,
            int(r.edits),
            int(r.p50),
            int(r.p95),
            int(r.max),
            one(r.p50 / result.intervalMs),
            one(r.p95 / result.intervalMs),
            int(result.passMs),
          ]),
        ),
      ),
    );
    const [off, on] = lagResults;
    if (off && on) {
      const ratio = (pick: (r: LagRow) => number) =>
        on.rows.map((r, d) => `${r.direction} ${one(pick(r) / pick(off.rows[d] as LagRow))}`).join(', ');
      out.push('', `push on / push off: p50 ${ratio((r) => r.p50)}; p95 ${ratio((r) => r.p95)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    // The machine-readable summary, last line of the run: the largest size at the top level, every size in `sizes`.
    const figures = (r: BackfillRow) => ({
      records: r.customerpRecords,
      complete: r.complete,
      recordsPerSecond: round(r.rate),
      rawRecordsPerSecond: round(r.raw),
      mongoCommandsPerRecord: round(r.mongoCommands / Math.max(1, r.done), 3),
      upstreamRequestsPerRecord: round(r.upstreamRequests / Math.max(1, r.done), 3),
      rssMbBase: round(r.baseRssMb),
      rssMbPeak: round(r.peakRssMb),
    });
    const lagOverInterval = (result: (typeof lagResults)[number] | undefined) =>
      result ? round(Math.max(...result.rows.map((r) => r.p95 / result.intervalMs)), 3) : null;
    const largest = rows.at(-1);
    const summary = {
      bench: 'sync',
      ...(largest ? figures(largest) : { records: 0 }),
      lagP95OverInterval: lagOverInterval(lagResults[0]),
      lagP95OverIntervalPush: lagOverInterval(lagResults[1]),
      sizes: rows.map(figures),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await embedded?.stop();
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex >= 0) await serve(JSON.parse(process.argv[serveIndex + 1] as string) as DemoSize);
else await main();

import { startGateway, type GatewayServerOptions, type RunningGateway } from '../../src/gateway/server.js';
import { Metrics } from '../../src/observability/metrics.js';
import { KNOWN_OPERATION_NAMES, SyncHistory, traced, tracePasses } from '../../src/ops/index.js';
import { SyncEngine, SyncWorker, type SyncSummary } from '../../src/sync/index.js';
import { CrmofficeApi, CustomerpApi, type UpstreamClient } from '../../src/upstreams/index.js';
import { outboxWriteOwnership, OutboxWorker, setupOperationIndexes, WriteThrough } from '../../src/writes/index.js';
import type { TestSystemsOptions } from '../support/systems.js';
import { startSyncWorld, upstreamClientsOf, type SyncWorld } from '../support/world.js';

/**
 * The product wired as `main.ts start` wires it, in-process: both reference systems and a database
 * of the suite's own, one Metrics that the gateway, both upstream clients and the MongoDB client
 * report to, a sync worker whose passes record metrics and the status history (then run the outbox),
 * and the gateway over all of it. The world is linked by one pass before the gateway starts.
 */
export interface OpsWorld {
  world: SyncWorld;
  gateway: RunningGateway;
  metrics: Metrics;
  history: SyncHistory;
  /** The gateway's (and sync's) clients, observed by `metrics`. */
  clients: { customerp: UpstreamClient; crmoffice: UpstreamClient };
  /** The same clients behind the system facades. */
  apis: { customerp: CustomerpApi; crmoffice: CrmofficeApi };
  worker: SyncWorker;
  /** One sync pass, through the worker (so metrics and history are fed), and its summary. */
  syncPass(): Promise<SyncSummary>;
  /** POSTs a GraphQL request; returns the whole answer. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ data: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Like graphql(), but fails on any error in the answer. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Retries of writes left PENDING come back within 50 ms here, so a test need not wait. */
export const FAST_BACKOFF = { baseDelayMs: 20, maxDelayMs: 50 };

export interface OpsWorldOptions {
  seed?: TestSystemsOptions['seed'];
  gateway?: Omit<GatewayServerOptions, 'dependencies' | 'metrics' | 'syncHistory'>;
}

export async function startOpsWorld(suite: string, options: OpsWorldOptions = {}): Promise<OpsWorld> {
  const world = await startSyncWorld(suite, { seed: options.seed ?? 'demo' });
  // The suites' own operation names get series of their own, as METRICS_OPERATIONS would give them.
  const metrics = new Metrics({ operationNames: [...KNOWN_OPERATION_NAMES, 'TwoContacts', 'BadId', 'Outboxed'] });
  const history = new SyncHistory();
  const { customerp, crmoffice } = upstreamClientsOf(world, { timeoutMs: 2000, retries: 0 });
  metrics.observeUpstream(customerp);
  metrics.observeUpstream(crmoffice);
  metrics.observeMongo(world.database.client);
  const apis = { customerp: new CustomerpApi(customerp), crmoffice: new CrmofficeApi(crmoffice) };
  await setupOperationIndexes(world.database.db);
  const engine = new SyncEngine({
    db: world.database.db,
    ...apis,
    writeOwnership: outboxWriteOwnership(world.database.db),
  });
  const writeThrough = new WriteThrough({ db: world.database.db, ...apis }, { backoff: FAST_BACKOFF });
  const outbox = new OutboxWorker({ db: world.database.db, ...apis }, { backoff: FAST_BACKOFF });
  history.record(await engine.cursors.list());
  const worker: SyncWorker = new SyncWorker(tracePasses(engine), {
    afterPass: async () => {
      const feeds = await engine.cursors.list();
      if (worker.last) metrics.recordSyncPass(worker.last, feeds);
      history.record(feeds);
      await traced('outbox', () => outbox.runOnce());
    },
  });
  const syncPass = async (): Promise<SyncSummary> => {
    const summary = await worker.runNow();
    if (!summary) throw new Error('the sync pass failed (see the log)');
    return summary;
  };
  await syncPass();
  const gateway = await startGateway({
    dependencies: {
      db: world.database.db,
      customerp,
      crmoffice,
      writeThrough,
      syncNow: async () => void (await worker.runNow()),
    },
    mode: 'test',
    ...options.gateway,
    metrics,
    syncHistory: history,
  });
  const graphql = async <T>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data: T | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
  };
  return {
    world,
    gateway,
    metrics,
    history,
    clients: { customerp, crmoffice },
    apis,
    worker,
    syncPass,
    graphql,
    data: async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const answer = await graphql<T>(query, variables);
      if (answer.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(answer.errors, null, 2)}`);
      return answer.data as T;
    },
    close: async () => {
      await gateway.close();
      await worker.stop();
      await world.close();
    },
  };
}

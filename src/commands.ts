/**
 * The commands, wired: everything they need is imported from here, and main.ts imports this module only
 * once the settings are valid, so no module can read a setting before validation.
 */
import { writeFile } from 'node:fs/promises';
import { ApiKeyStore, createAuthenticator, issueDemoKey, jwtVerifierFromSettings } from './auth/index.js';
import type { Settings } from './config.js';
import { startGateway } from './gateway/server.js';
import { logger } from './logger.js';
import { Metrics } from './observability/metrics.js';
import { indexDocument, KNOWN_OPERATION_NAMES, SyncHistory, tracePasses } from './ops/index.js';
import { startMongo } from './runtime/mongo.js';
import { Supervisor } from './runtime/supervisor.js';
import { registerWebhooks, startReferenceSystems } from './runtime/reference-systems.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from './upstreams/index.js';
import { projectPath } from './paths.js';
import { SyncEngine, SyncWorker, WebhookReceiver } from './sync/index.js';
import { OutboxWorker, outboxWriteOwnership, setupOperationIndexes, WriteThrough } from './writes/index.js';
import { keysCommand } from './cli/keys-command.js';
import { parseSyncArguments, syncCommand, syncEngineOptions } from './cli/sync-command.js';

/** How long in-flight requests get to finish on SIGTERM before their connections are cut. */
const DRAIN_TIMEOUT_MS = 8_000;
/** Bound on the whole shutdown (drain, the sync pass under way, leases, the rest); then exit anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

async function start(settings: Settings): Promise<void> {
  const supervisor = new Supervisor();
  const metrics = new Metrics({
    processMetrics: true,
    operationNames: [...KNOWN_OPERATION_NAMES, ...(settings.METRICS_OPERATIONS?.split(',') ?? [])],
  });
  const syncHistory = new SyncHistory();
  let stopSync: (() => Promise<void>) | undefined;
  // SIGTERM (and Ctrl-C): the gateway stops accepting connections and drains in-flight requests while
  // the sync pass under way finishes and the leases are released; then the rest stops in reverse
  // order and the process exits 0. A second signal kills at once (the handlers are `once`).
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ signal, timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    void stopSync?.();
    void supervisor.stop(signal).then(() => {
      const state = supervisor.phase;
      const failed = state.phase === 'stopped' && state.failures.length > 0;
      logger.info({ signal, state: supervisor.describe() }, 'stopped');
      process.exit(failed ? 1 : 0);
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  // A bad JWT configuration fails before anything starts.
  const jwt = await jwtVerifierFromSettings(settings);
  const mongo = await supervisor.start('mongodb', () => startMongo(settings));
  metrics.observeMongo(mongo.client);
  const apiKeys = new ApiKeyStore(mongo.db, { ttlMs: settings.API_KEY_CACHE_MS });
  if (settings.NODE_ENV === 'production' && !jwt && !(await apiKeys.list()).some((key) => key.revokedAt === null)) {
    throw new Error(
      'NODE_ENV=production needs authentication: create an API key (npm run keys -- create --name … --scopes …) or set AUTH_JWT_*',
    );
  }
  // A fresh all-scopes demo key per start (the previous one is revoked); never in production.
  const demoKey = settings.NODE_ENV === 'production' ? undefined : await issueDemoKey(apiKeys);
  await setupOperationIndexes(mongo.db); // the outbox's, idempotency keys included: at start-up, not on a first write
  const systems = await startReferenceSystems(settings, supervisor);
  const clientOptions = { timeoutMs: settings.UPSTREAM_TIMEOUT_MS, retries: settings.UPSTREAM_RETRIES };
  const customerp = new UpstreamClient({
    system: 'CUSTOMERP',
    url: systems.customerpUrl,
    token: systems.customerpToken,
    ...clientOptions,
  });
  const crmoffice = new UpstreamClient({
    system: 'CRMOFFICE',
    url: systems.crmofficeUrl,
    token: systems.crmofficeToken,
    ...clientOptions,
  });
  metrics.observeUpstream(customerp);
  metrics.observeUpstream(crmoffice);
  const apis = { customerp: new CustomerpApi(customerp), crmoffice: new CrmofficeApi(crmoffice) };
  const engine = new SyncEngine(
    { db: mongo.db, ...apis, writeOwnership: outboxWriteOwnership(mongo.db) },
    syncEngineOptions(settings),
  );
  const writeThrough = new WriteThrough({ db: mongo.db, ...apis });
  const outbox = new OutboxWorker({ db: mongo.db, ...apis });
  syncHistory.record(await engine.cursors.list()); // the baseline: the plot counts changes from here
  const worker: SyncWorker = new SyncWorker(tracePasses(engine), {
    intervalMs: settings.SYNC_INTERVAL_MS,
    afterPass: async () => {
      const feeds = await engine.cursors.list();
      if (worker.last) metrics.recordSyncPass(worker.last, feeds);
      syncHistory.record(feeds);
    },
  });
  // The syncNow mutation joins the worker's passes (one lease owner per process); once shutdown has
  // begun it runs none, since a pass then would take the leases that stopping just released.
  const syncNow = async (): Promise<void> => {
    const { phase } = worker.phase;
    if (phase === 'stopping' || phase === 'stopped') return;
    await worker.runNow();
  };
  let syncStopped: Promise<void> | undefined;
  stopSync = () => (syncStopped ??= worker.stop());
  await supervisor.start('sync worker', async () => {
    worker.start();
    return { name: 'sync worker', stop: () => stopSync?.() ?? Promise.resolve() };
  });
  // Writes left by an outage or a crash are finished on a loop of their own: a failing or long sync
  // pass never holds up PENDING writes.
  await supervisor.start('outbox', async () => {
    outbox.start();
    return { name: 'outbox', stop: () => outbox.stop() };
  });
  const gateway = await supervisor.start('gateway', async () => {
    const running = await startGateway({
      dependencies: { db: mongo.db, customerp, crmoffice, writeThrough, syncNow },
      port: settings.PORT,
      host: settings.HOST,
      mode: settings.NODE_ENV,
      introspection: settings.INTROSPECTION,
      metrics,
      syncHistory,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      authenticate: createAuthenticator({ apiKeys, jwt }),
      rateLimit: { points: settings.RATE_LIMIT_POINTS, windowSeconds: settings.RATE_LIMIT_WINDOW_S },
      admission: { maxConcurrent: settings.MAX_CONCURRENT_REQUESTS, maxQueued: settings.MAX_QUEUED_REQUESTS },
      subscriptions: {
        pollMs: settings.SUBSCRIPTION_POLL_MS,
        connectionsPerCaller: settings.MAX_CONNECTIONS_PER_CALLER,
        subscriptionsPerConnection: settings.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      },
      // Push from the systems: a verified notification wakes this process's sync worker at once.
      webhooks: new WebhookReceiver({ db: mongo.db, secrets: systems.webhookSecrets, wake: () => worker.wake() }),
    });
    return { name: 'gateway', stop: running.close, url: running.url, origin: running.origin };
  });
  await registerWebhooks(systems, gateway.origin);
  supervisor.running();

  const explorer = settings.INTROSPECTION ?? settings.NODE_ENV !== 'production';
  const lines = [
    '',
    `Gateway:   ${gateway.url}  (open it in a browser for Apollo Sandbox; subscriptions: ${gateway.url.replace(/^http/, 'ws')})`,
    ...(demoKey
      ? [
          `API key:   ${demoKey.secret}  (demo key, every scope, new each start; send it as  Authorization: Bearer <key>)`,
        ]
      : []),
    ...(explorer ? [`Explorer:  ${gateway.origin}/explorer  (GraphiQL served locally, works offline)`] : []),
    `Status:    ${gateway.origin}/status   Metrics: ${gateway.origin}/metrics   Ready: ${gateway.origin}/ready`,
    `Customerp: ${systems.customerpUrl}${systems.startedReference ? '  (reference system, demo data)' : ''}`,
    `Crmoffice: ${systems.crmofficeUrl}${systems.startedReference ? '  (reference system, demo data)' : ''}`,
    `MongoDB:   ${mongo.description}`,
    `Sync:      every ${settings.SYNC_INTERVAL_MS} ms, and at once on a webhook from ${
      Object.keys(systems.webhookSecrets).join(' and ').toLowerCase() || 'no system (none configured)'
    }`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  logger.info({ gateway: gateway.url }, 'gateway ready');
}

async function docs(): Promise<void> {
  const { writeDataflowDocument } = await import('./mappings/write-document.js');
  const path = projectPath('docs', 'dataflow.rst');
  await writeDataflowDocument(path);
  process.stdout.write(`wrote ${path}\n`);
  const indexes = projectPath('docs', 'indexes.md');
  await writeFile(indexes, indexDocument());
  process.stdout.write(`wrote ${indexes}\n`);
}

/** Runs `command` (start, sync, keys, docs) with its arguments; the settings are already valid. */
export async function runCommand(command: string, args: string[], settings: Settings): Promise<void> {
  switch (command) {
    case 'start':
      return start(settings);
    case 'docs':
      return docs();
    case 'keys': {
      const code = await keysCommand(settings, args);
      return process.exit(code);
    }
    case 'sync': {
      const options = parseSyncArguments(args);
      if (typeof options === 'string') {
        process.stderr.write(`${options}\n`);
        return process.exit(2);
      }
      const code = await syncCommand(settings, options);
      return process.exit(code);
    }
    default:
      process.stderr.write(`unknown command ${command}; expected start, sync, keys or docs\n`);
      process.exit(2);
  }
}

import { createServer, type Server } from 'node:http';
import cliProgress from 'cli-progress';
import express from 'express';
import type { Settings } from '../config.js';
import { logger } from '../logger.js';
import { connectMongo } from '../mongo/index.js';
import { keepRecentChanges, RecordChangeLog, setupIndexes } from '../links/index.js';
import { FEEDS, type Feed } from '../reconcile/index.js';
import {
  feedNamed,
  SyncEngine,
  SyncWorker,
  WebhookReceiver,
  type SyncEngineOptions,
  type SyncSummary,
} from '../sync/index.js';
import { webhookRouter } from '../gateway/webhooks.js';
import type { SystemName } from '../errors.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../upstreams/index.js';
import { OutboxWorker, outboxWriteOwnership, setupOperationIndexes } from '../writes/index.js';

export interface SyncCommandOptions {
  once: boolean;
  json: boolean;
  /**
   * `approve-deletes <feed>` / `discard-deletes <feed>`: act on held deletes and exit. The feed by its name
   * (`customerp:PRODUCT`, as /metrics and the status page show it) or as `<SYSTEM> <Entity>` (as the API takes it).
   */
  heldDeletes?:
    | { action: 'approve' | 'discard'; system: string; entity: string }
    | { action: 'approve' | 'discard'; feed: string }
    | undefined;
}

const USAGE =
  'usage: npm run sync -- [--once] [--json] | approve-deletes|discard-deletes <feed, e.g. customerp:PRODUCT> | approve-deletes|discard-deletes <SYSTEM> <Entity>';

/** Parses the sync command's arguments (`--once`, `--json`, `approve-deletes|discard-deletes <feed> | <SYSTEM> <Entity>`). */
export function parseSyncArguments(argv: readonly string[]): SyncCommandOptions | string {
  const options: SyncCommandOptions = { once: argv.includes('--once'), json: argv.includes('--json') };
  const positional = argv.filter((arg) => !arg.startsWith('--'));
  if (positional.length === 0) return options;
  const [verb, system, entity] = positional;
  const action = verb === 'approve-deletes' ? 'approve' : verb === 'discard-deletes' ? 'discard' : null;
  if (action && system && positional.length === 2 && system.includes(':'))
    return { ...options, heldDeletes: { action, feed: system } };
  if (!action || !system || !entity || positional.length !== 3) return USAGE;
  return { ...options, heldDeletes: { action, system: system.toUpperCase(), entity } };
}

/** Settings → the sync engine's options (the guard, conflict history, leases). */
export function syncEngineOptions(settings: Settings): SyncEngineOptions {
  return {
    massDelete: {
      share: settings.MASS_DELETE_SHARE,
      allowance: settings.MASS_DELETE_ALLOWANCE,
      windowMs: settings.MASS_DELETE_WINDOW_MS,
    },
    resolvedConflictsKept: settings.RESOLVED_CONFLICTS_KEPT,
    leaseTtlMs: settings.SYNC_LEASE_TTL_MS,
  };
}

/** `npm run sync -- [--once] [--json]`: the sync worker in a process of its own. */
export async function syncCommand(settings: Settings, options: SyncCommandOptions): Promise<number> {
  const missing = (['MONGODB_URI', 'CUSTOMERP_URL', 'CRMOFFICE_URL'] as const).filter((key) => !settings[key]);
  if (missing.length > 0) {
    process.stderr.write(
      `npm run sync works on the MongoDB and systems of a running installation: set ${missing.join(', ')} ` +
        '(npm start already runs a sync worker of its own)\n',
    );
    return 2;
  }
  const { client, db } = await connectMongo(settings.MONGODB_URI as string, settings.MONGODB_DB);
  await setupIndexes(db);
  await setupOperationIndexes(db);
  const clientOptions = { timeoutMs: settings.UPSTREAM_TIMEOUT_MS, retries: settings.UPSTREAM_RETRIES };
  // It never starts reference systems: the tokens are the configured ones (a system without one gets no header).
  const customerp = new CustomerpApi(
    new UpstreamClient({
      system: 'CUSTOMERP',
      url: settings.CUSTOMERP_URL as string,
      token: settings.CUSTOMERP_TOKEN,
      ...clientOptions,
    }),
  );
  const crmoffice = new CrmofficeApi(
    new UpstreamClient({
      system: 'CRMOFFICE',
      url: settings.CRMOFFICE_URL as string,
      token: settings.CRMOFFICE_TOKEN,
      ...clientOptions,
    }),
  );
  const bars = options.once && !options.json && process.stderr.isTTY ? progressBars() : undefined;
  const engine = new SyncEngine(
    { db, customerp, crmoffice, writeOwnership: outboxWriteOwnership(db) },
    { ...syncEngineOptions(settings), onProgress: bars?.update },
  );
  // Mutations left unfinished by an outage or a crash are finished by whichever sync process runs.
  const outbox = new OutboxWorker({ db, customerp, crmoffice });
  const runOutbox = () =>
    outbox.runOnce().then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'outbox run failed'),
    );
  try {
    if (options.heldDeletes) {
      const wanted = options.heldDeletes;
      const { action } = wanted;
      let feed: Feed;
      if ('feed' in wanted) {
        const found = FEEDS.find((f) => f.id === wanted.feed);
        if (!found) {
          process.stderr.write(`unknown feed ${wanted.feed}; expected one of ${FEEDS.map((f) => f.id).join(', ')}\n`);
          return 2;
        }
        feed = found;
      } else {
        if (wanted.system !== 'CUSTOMERP' && wanted.system !== 'CRMOFFICE') {
          process.stderr.write(`unknown system ${wanted.system}; expected CUSTOMERP or CRMOFFICE\n`);
          return 2;
        }
        feed = feedNamed(wanted.system, wanted.entity);
      }
      const count = await engine.heldDeletes[action](feed);
      process.stdout.write(
        action === 'approve'
          ? `${feed.id}: held deletes approved, ${count} counterparts deleted\n`
          : `${feed.id}: ${count} held deletes discarded, nothing deleted\n`,
      );
      return 0;
    }
    if (options.once) {
      const summary = await engine.runOnce();
      await runOutbox();
      bars?.stop();
      await engine.releaseLeases();
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
      return summary.feeds.some((f) => f.blocked && !f.blocked.startsWith('owned by')) || summary.totals.errors > 0
        ? 1
        : 0;
    }
    // The outbox runs on its own loop: a sync pass that fails or takes long never holds up PENDING writes.
    const worker = new SyncWorker(engine, { intervalMs: settings.SYNC_INTERVAL_MS });
    worker.start();
    outbox.start();
    // Its writes are recorded for subscribers (src/links/record-changes.ts): kept bounded even with no gateway.
    const stopForgetting = keepRecentChanges(new RecordChangeLog(db));
    // The worker in a process of its own receives the webhooks itself (WEBHOOK_PORT): a wake then
    // reaches the loop that runs the passes directly, with no signal through MongoDB to poll for.
    const hooks = await serveWebhooks(
      settings,
      new WebhookReceiver({ db, secrets: webhookSecretsOf(settings), wake: () => worker.wake() }),
    );
    logger.info(
      { owner: engine.owner, intervalMs: settings.SYNC_INTERVAL_MS, webhookPort: settings.WEBHOOK_PORT },
      'sync worker running',
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'sync worker stopping');
        stopForgetting();
        void Promise.all([worker.stop(), outbox.stop()])
          .then(() => new Promise<void>((closed) => (hooks ? hooks.close(() => closed()) : closed())))
          .then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  } finally {
    await client.close();
  }
}

function webhookSecretsOf(settings: Settings): Partial<Record<SystemName, string>> {
  const secrets: Partial<Record<SystemName, string>> = {};
  if (settings.WEBHOOK_SECRET_CUSTOMERP) secrets.CUSTOMERP = settings.WEBHOOK_SECRET_CUSTOMERP;
  if (settings.WEBHOOK_SECRET_CRMOFFICE) secrets.CRMOFFICE = settings.WEBHOOK_SECRET_CRMOFFICE;
  return secrets;
}

/** `POST /webhooks/<system>` on HOST:WEBHOOK_PORT; undefined when WEBHOOK_PORT is unset. */
async function serveWebhooks(settings: Settings, receiver: WebhookReceiver): Promise<Server | undefined> {
  if (settings.WEBHOOK_PORT === undefined) return undefined;
  const app = express();
  app.disable('x-powered-by');
  app.use(webhookRouter(receiver));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.WEBHOOK_PORT, settings.HOST, () => resolve());
  });
  return server;
}

/** One bar per feed on the terminal during a pass; feeds have no known length, so it counts changes. */
function progressBars(): {
  update: (event: { feed: string; changes: number; done: boolean }) => void;
  stop: () => void;
} {
  const multibar = new cliProgress.MultiBar(
    { format: ' {feed} | {value} changes {state}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(FEEDS.map((feed) => [feed.id, multibar.create(0, 0, { feed: feed.id.padEnd(22), state: '' })]));
  return {
    update: ({ feed, changes, done }) => bars.get(feed)?.update(changes, { state: done ? 'done' : '…' }),
    stop: () => multibar.stop(),
  };
}

/** The pass summary as a table, one row per feed. */
export function renderSummary(summary: SyncSummary): string {
  const columns = [
    'changes',
    'created',
    'linked',
    'tracked',
    'updated',
    'unchanged',
    'conflicts',
    'deferred',
    'deleted',
    'held',
    'errors',
  ] as const;
  const header = ['feed'.padEnd(22), ...columns.map((c) => c.padStart(9))].join(' ');
  const rows = summary.feeds.map(
    (feed) =>
      [feed.feed.padEnd(22), ...columns.map((c) => String(feed[c]).padStart(9))].join(' ') +
      (feed.blocked ? `  ! ${feed.blocked}` : ''),
  );
  const totalChanges = summary.feeds.reduce((sum, feed) => sum + feed.changes, 0);
  const totals = [
    'total'.padEnd(22),
    ...columns.map((c) => String(c === 'changes' ? totalChanges : summary.totals[c]).padStart(9)),
  ].join(' ');
  return [header, ...rows, totals, `pass took ${summary.durationMs} ms`, ''].join('\n');
}

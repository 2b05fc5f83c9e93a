import express, { type Router } from 'express';
import type { Db } from 'mongodb';
import { encodeUnifiedId, LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { FeedCursorStore } from '../reconcile/index.js';
import { OperationStore } from '../writes/index.js';
import { assertAssetsPresent, OWN_ASSETS_DIR, VENDOR_ASSETS } from './assets.js';
import { explorerExamples } from './explorer-examples.js';
import type { SyncHistory } from './sync-history.js';

export interface OpsDependencies {
  db: Db;
  metrics: Metrics;
  /** Per-minute sync samples for the status page's plot. */
  history: SyncHistory;
  /** Serve the GraphiQL explorer (it needs introspection, so it follows the INTROSPECTION rule). */
  explorer: boolean;
  /** Where the explorer and the status page send GraphQL requests. @default '/graphql' */
  graphqlPath?: string;
  /** Requests need a token: the explorer starts with an Authorization header to fill in. @default false */
  authentication?: boolean;
}

/**
 * The operator's pages and endpoints, beside /graphql:
 *   GET /                       an index of them
 *   GET /metrics                Prometheus text (prom-client)
 *   GET /status                 the status page; it polls /graphql (syncStatus, conflicts) and
 *   GET /status/history         the last hour of per-minute sync samples, as JSON
 *   GET /explorer               GraphiQL, served from node_modules, with saved example operations
 *   GET /explorer/examples.json those operations
 *   GET /assets/…               the pages' own files; /assets/vendor/… React, GraphiQL, uPlot
 * Nothing is loaded from outside the gateway. Fails at creation if a page's file is missing.
 */
export function createOpsRouter(dependencies: OpsDependencies): Router {
  assertAssetsPresent();
  const { db, metrics, history } = dependencies;
  const graphqlPath = dependencies.graphqlPath ?? '/graphql';
  const cursors = new FeedCursorStore(db);
  const router = express.Router();
  const page = (file: string) => (_req: express.Request, res: express.Response) => {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(file, { root: OWN_ASSETS_DIR });
  };

  router.get('/', page('index.html'));

  router.get('/metrics', async (_req, res) => {
    await refreshStoredGauges(db, metrics);
    res.setHeader('content-type', metrics.contentType);
    res.send(await metrics.render());
  });

  router.get('/status', page('status.html'));
  router.get('/status/history', async (_req, res) => {
    // Sampling here too keeps the plot going when sync runs in another process.
    try {
      history.record(await cursors.list());
    } catch (error) {
      logger.warn({ err: error }, 'could not read the feed cursors for the status history');
    }
    res.setHeader('cache-control', 'no-store');
    res.json({ now: new Date().toISOString(), samples: history.samples() });
  });

  if (dependencies.explorer) {
    router.get('/explorer', page('explorer.html'));
    router.get('/explorer/examples.json', async (_req, res) => {
      res.setHeader('cache-control', 'no-store');
      res.json({
        endpoint: graphqlPath,
        authentication: dependencies.authentication ?? false,
        examples: explorerExamples(await someContactId(db)),
      });
    });
  } else {
    router.get(['/explorer', '/explorer/examples.json'], (_req, res) => {
      res
        .status(404)
        .json({ error: 'the explorer needs introspection, which is off here (INTROSPECTION=true turns it on)' });
    });
  }

  router.get('/assets/vendor/:name', (req, res, next) => {
    const file = VENDOR_ASSETS[req.params['name'] ?? ''];
    if (!file) return next();
    res.sendFile(file, { maxAge: '1d', immutable: false });
  });
  router.use('/assets', express.static(OWN_ASSETS_DIR, { index: false, cacheControl: true, maxAge: 0 }));
  return router;
}

/**
 * Gauges whose truth is in MongoDB (so right whichever process runs sync and the outbox): each
 * feed's lag and the operations still in the outbox. Read at every scrape; a failure is logged and
 * the scrape still answers with what it has.
 */
export async function refreshStoredGauges(db: Db, metrics: Metrics): Promise<void> {
  try {
    const [feeds, pending] = await Promise.all([
      new FeedCursorStore(db).list(),
      new OperationStore(db).countUnfinished(),
    ]);
    for (const feed of feeds) if (typeof feed.lagMs === 'number') metrics.recordLag(feed._id, feed.lagMs);
    metrics.outboxPending.set(pending);
  } catch (error) {
    logger.warn({ err: error }, 'could not refresh the stored gauges for /metrics');
  }
}

/**
 * A linked, in-sync EMPLOYEE contact's public id, for the explorer's update example; null when there
 * is none. In sync: not a half link waiting on an ambiguous match (CONFLICT), whose update would reach
 * one system only.
 */
async function someContactId(db: Db): Promise<string | null> {
  try {
    const { links } = await new LinkStore(db).findPage({
      entity: 'Contact',
      filter: { kind: 'EMPLOYEE', state: 'IN_SYNC' },
      first: 20,
      after: null,
    });
    const link = links.find((candidate) => candidate.customerp && candidate.crmoffice);
    return link ? encodeUnifiedId('Contact', link._id) : null;
  } catch {
    return null;
  }
}

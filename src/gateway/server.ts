import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { OPEN_PRINCIPAL, type Authenticate } from '../auth/principal.js';
import { Metrics } from '../observability/metrics.js';
import { createOpsRouter, gracefulDrainPlugin, requestContextMiddleware, SyncHistory, withOpsLinks } from '../ops/index.js';
import { createContext, type GatewayContext, type GatewayDependencies } from './context.js';
import { createFormatError } from './format-error.js';
import { buildGatewaySchema } from './schema.js';
import { checkDependencies } from './resolvers/health.js';

export interface GatewayServerOptions {
  dependencies: GatewayDependencies;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * development: Apollo Sandbox as landing page, introspection, stack traces in errors. test: the
   * same without stack traces. production: no sandbox, no introspection (see `introspection`), and
   * unexpected errors masked. @default 'development'
   */
  mode?: 'development' | 'production' | 'test';
  /** Introspection and Apollo Sandbox, whatever the mode (the INTROSPECTION setting). @default mode !== 'production' */
  introspection?: boolean;
  /** Batch upstream reads and link lookups per tick; false only to benchmark naive resolvers. @default true */
  batching?: boolean;
  /** Where GraphQL operations are counted and `GET /metrics` reads from. @default a registry of this gateway's own */
  metrics?: Metrics;
  /** The status page's per-minute sync samples (fed by the process's sync worker). @default an empty one of its own */
  syncHistory?: SyncHistory;
  /** How long close() lets in-flight requests finish before it cuts their connections. @default 8000 */
  drainTimeoutMs?: number;
  /**
   * Who a request comes from, from its Authorization header. @default every request gets every scope
   * (OPEN_PRINCIPAL): for tests only; the composition root always passes one and production refuses to start without.
   */
  authenticate?: Authenticate;
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:4000/graphql` */
  url: string;
  port: number;
  /** e.g. `http://127.0.0.1:4000`: where /health, /ready, /metrics, /status and /explorer are. */
  origin: string;
  metrics: Metrics;
  syncHistory: SyncHistory;
  /**
   * Stops accepting connections, answers /ready with 503 on the connections still open, lets
   * in-flight requests finish (at most `drainTimeoutMs`), then stops Apollo Server.
   */
  close(): Promise<void>;
}

/**
 * Starts Apollo Server 5 on express 5: `/graphql` (Apollo Sandbox as landing page in development,
 * with a link to the offline explorer), `/health` (process alive), `/ready` (every dependency
 * reachable, else 503 naming each), and the operator's pages of src/ops (`/metrics`, `/status`,
 * `/explorer`, `/`). Every request runs with a request id (the client's `x-request-id` or a new one).
 */
export async function startGateway(options: GatewayServerOptions): Promise<RunningGateway> {
  const app = express();
  const httpServer: Server = createServer(app);
  const mode = options.mode ?? 'development';
  const development = mode === 'development';
  const introspection = options.introspection ?? mode !== 'production';
  const metrics = options.metrics ?? new Metrics();
  const syncHistory = options.syncHistory ?? new SyncHistory();
  const apollo = new ApolloServer<GatewayContext>({
    schema: buildGatewaySchema(),
    introspection,
    includeStacktraceInErrorResponses: development,
    formatError: createFormatError(development),
    // The process's composition root owns SIGINT/SIGTERM (it stops sync and the rest in order, then
    // exits 0); Apollo's own handler would re-raise the signal and kill the process midway.
    stopOnTerminationSignals: false,
    plugins: [
      gracefulDrainPlugin<GatewayContext>(httpServer, { timeoutMs: options.drainTimeoutMs ?? 8000 }),
      introspection ? withOpsLinks(ApolloServerPluginLandingPageLocalDefault({ embed: true })) : ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin<GatewayContext>(),
    ],
  });
  await apollo.start();

  const { db, customerp, crmoffice } = options.dependencies;
  let draining = false;
  app.disable('x-powered-by');
  app.use(requestContextMiddleware());
  app.get('/health', (_req, res) => {
    res.json({ status: 'UP' });
  });
  app.get('/ready', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'DRAINING' });
      return;
    }
    const health = await checkDependencies(db, customerp, crmoffice);
    res.status(health.status === 'UP' ? 200 : 503).json(health);
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    requestContextMiddleware(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const principal = options.authenticate ? await options.authenticate(req.headers.authorization) : OPEN_PRINCIPAL;
        return createContext(options.dependencies, { batch: options.batching ?? true }, principal);
      },
    }),
  );
  app.use(createOpsRouter({ db, metrics, history: syncHistory, explorer: introspection }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const origin = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `${origin}/graphql`,
    port,
    origin,
    metrics,
    syncHistory,
    close: async () => {
      draining = true;
      await apollo.stop();
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type RequestHandler } from 'express';
import { OPEN_PRINCIPAL, type Authenticate, type Principal } from '../auth/principal.js';
import { Metrics } from '../observability/metrics.js';
import {
  createOpsRouter,
  gracefulDrainPlugin,
  KNOWN_OPERATION_NAMES,
  requestContextMiddleware,
  SyncHistory,
  withOpsLinks,
} from '../ops/index.js';
import { createContext, type GatewayContext, type GatewayDependencies } from './context.js';
import { createFormatError } from './format-error.js';
import {
  admissionControl,
  jsonBody,
  operationLimitOptions,
  RateLimiter,
  setupRateLimitIndexes,
  type AdmissionOptions,
  type RateLimitOptions,
} from './limits/index.js';
import { buildGatewaySchema } from './schema.js';
import { keepRecentChanges, RecordChangeLog } from '../links/index.js';
import { RecordChangeFeed, type RecordChangeFeedOptions } from './subscriptions/record-change-feed.js';
import { serveSubscriptions, type SubscriptionLimits } from './subscriptions/websocket-server.js';
import type { WebhookReceiver } from '../sync/index.js';
import { webhookRouter } from './webhooks.js';
import { checkDependencies } from './resolvers/health.js';

export interface GatewayServerOptions {
  dependencies: GatewayDependencies;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * development: Apollo Sandbox as landing page, introspection, stack traces in errors, limits'
   * values in their errors. test: the same without stack traces and without limits' values, with
   * unexpected errors masked and no "Did you mean" suggestions. production: as test, and no sandbox,
   * no introspection (see `introspection`). @default 'development'
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
  /**
   * Requests per client and window, counted in MongoDB: a client is its principal's subject (API key,
   * JWT subject), or its IP address when unauthenticated (authentication not configured, or failed).
   * Over quota: RATE_LIMITED, HTTP 429, Retry-After. Indexes are ensured at start-up. @default false (no limit)
   */
  rateLimit?: RateLimitOptions | false;
  /** `POST /webhooks/customerp|crmoffice`: signed change notifications that wake the sync pass. @default none (404) */
  webhooks?: WebhookReceiver;
  /** GraphQL requests running at once and waiting; the rest get 503 with Retry-After. @default 64 running, 256 waiting */
  admission?: Pick<AdmissionOptions, 'maxConcurrent' | 'maxQueued'>;
  /**
   * Subscriptions over graphql-ws on `/graphql`: how often this process reads the shared change log
   * while it has subscribers, and the connection limits. @default a read every 250 ms, 16 connections
   * per caller, 32 subscriptions per connection
   */
  subscriptions?: RecordChangeFeedOptions & SubscriptionLimits;
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:4000/graphql` */
  url: string;
  port: number;
  /** e.g. `http://127.0.0.1:4000`: where /health, /ready, /metrics, /status and /explorer are. */
  origin: string;
  metrics: Metrics;
  syncHistory: SyncHistory;
  /** Subscriptions this gateway is serving now (also `gateway_subscriptions` in /metrics). */
  readonly subscriptions: number;
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
  const metrics = options.metrics ?? new Metrics({ operationNames: KNOWN_OPERATION_NAMES });
  const syncHistory = options.syncHistory ?? new SyncHistory();
  const limits = operationLimitOptions<GatewayContext>(development);
  const schema = buildGatewaySchema();
  const formatError = createFormatError(development);
  const changeLog = new RecordChangeLog(options.dependencies.db);
  const recordChanges = new RecordChangeFeed(changeLog, options.subscriptions);
  metrics.observeSubscriptions(() => recordChanges.size);
  // One object for the gateway's life: the context keeps its process-wide parts per dependencies.
  const dependencies: GatewayDependencies = { ...options.dependencies, recordChanges };
  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection,
    includeStacktraceInErrorResponses: development,
    formatError,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    allowBatchedHttpRequests: limits.allowBatchedHttpRequests,
    // Apollo's default, stated: a request without a JSON content type or an `apollo-require-preflight`
    // header (what a browser sends cross-site without a preflight) is refused with 400.
    csrfPrevention: true,
    // No automatic persisted queries: clients send the document (PERSISTED_QUERY_NOT_SUPPORTED
    // otherwise), and anonymous clients cannot fill a cache in this process.
    persistedQueries: false,
    // The process's composition root owns SIGINT/SIGTERM (it stops sync and the rest in order, then
    // exits 0); Apollo's own handler would re-raise the signal and kill the process midway.
    stopOnTerminationSignals: false,
    plugins: [
      gracefulDrainPlugin<GatewayContext>(httpServer, { timeoutMs: options.drainTimeoutMs ?? 8000 }),
      introspection
        ? withOpsLinks(sandboxLandingPage(options.authenticate !== undefined))
        : ApolloServerPluginLandingPageDisabled(),
      metrics.apolloPlugin<GatewayContext>(),
      ...limits.plugins,
      // The schema is a federation subgraph, for which Apollo Server would compute per-resolver timing
      // traces (ftv1) for any caller that asks with a header, and announce it on the console: timings
      // are /metrics' job, and a caller gets no view into resolver timings.
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  const { db, customerp, crmoffice } = options.dependencies;
  const admit = createAdmission(
    options.authenticate,
    options.rateLimit ? await startRateLimiter(options.rateLimit, db) : undefined,
  );
  await apollo.start();

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
  if (options.webhooks) app.use(webhookRouter(options.webhooks));
  const admission = admissionControl({
    maxConcurrent: options.admission?.maxConcurrent ?? 64,
    maxQueued: options.admission?.maxQueued ?? 256,
    onShed: () => metrics.requestsShed.inc(),
  });
  app.use(
    '/graphql',
    // Only requests that run operations wait for a turn; the Sandbox page a browser GETs does not.
    ((req, res, next) => (req.method === 'POST' ? admission(req, res, next) : next())) satisfies RequestHandler,
    ...jsonBody(development),
    requestContextMiddleware(),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createContext(
          dependencies,
          { batch: options.batching ?? true },
          await admit(addressOf(req), req.headers.authorization),
        ),
    }),
  );
  app.use(
    createOpsRouter({
      db,
      metrics,
      history: syncHistory,
      explorer: introspection,
      authentication: options.authenticate !== undefined,
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const subscriptions = serveSubscriptions({
    httpServer,
    path: '/graphql',
    schema,
    admit: (authorization, address) => admit(address, authorization),
    context: (principal) => createContext(dependencies, { batch: options.batching ?? true }, principal),
    limits,
    formatError,
    connections: options.subscriptions,
  });
  const stopForgetting = keepRecentChanges(changeLog);
  const { port } = httpServer.address() as AddressInfo;
  const origin = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `${origin}/graphql`,
    port,
    origin,
    metrics,
    syncHistory,
    get subscriptions() {
      return recordChanges.size;
    },
    close: async () => {
      draining = true;
      stopForgetting();
      // Subscribers are told the server is going away (1001), then in-flight HTTP requests drain.
      recordChanges.close();
      await subscriptions.close();
      await apollo.stop();
    },
  };
}

/**
 * Apollo Sandbox, embedded. Where requests need a token it opens with the Authorization header in
 * place, for the person to paste their key into (never a real key: the page is public).
 */
function sandboxLandingPage(authentication: boolean): ApolloServerPlugin<GatewayContext> {
  if (!authentication) return ApolloServerPluginLandingPageLocalDefault({ embed: true });
  return ApolloServerPluginLandingPageLocalDefault({
    embed: { initialState: { sharedHeaders: { Authorization: 'Bearer <paste your API key here>' } } },
  });
}

/** The rate limiter of `options`, its index ensured (so a missing MongoDB fails start-up, not the first request). */
async function startRateLimiter(options: RateLimitOptions, gatewayDb: GatewayDependencies['db']): Promise<RateLimiter> {
  const db = options.db ?? gatewayDb;
  await setupRateLimitIndexes(db);
  return new RateLimiter(db, options);
}

/** The rate limiter's key for an unauthenticated request: its address. */
function addressOf(req: Request): string {
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Who a GraphQL request (or a subscription connection) comes from, once they are within their rate limit: authenticate, then count
 * the request against the principal's subject. Unauthenticated requests count against the client's
 * address: all of them when authentication is not configured, the failed ones when it is (so that
 * guessing tokens is rate limited too).
 */
function createAdmission(
  authenticate: Authenticate | undefined,
  rateLimiter: RateLimiter | undefined,
): (address: string, authorization: string | undefined) => Promise<Principal> {
  return async (address, authorization) => {
    let principal: Principal;
    try {
      principal = authenticate ? await authenticate(authorization) : OPEN_PRINCIPAL;
    } catch (error) {
      await rateLimiter?.consume(address);
      throw error;
    }
    await rateLimiter?.consume(principal.kind === 'open' ? address : principal.subject);
    return principal;
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
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
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:4000/graphql` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts Apollo Server 5 on express 5: `/graphql` (Apollo Sandbox as landing page in development),
 * `/health` (process alive) and `/ready` (every dependency reachable, else 503).
 */
export async function startGateway(options: GatewayServerOptions): Promise<RunningGateway> {
  const app = express();
  const httpServer: Server = createServer(app);
  const mode = options.mode ?? 'development';
  const development = mode === 'development';
  const introspection = options.introspection ?? mode !== 'production';
  const apollo = new ApolloServer<GatewayContext>({
    schema: buildGatewaySchema(),
    introspection,
    includeStacktraceInErrorResponses: development,
    formatError: createFormatError(development),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      introspection ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  const { db, customerp, crmoffice } = options.dependencies;
  app.get('/health', (_req, res) => {
    res.json({ status: 'UP' });
  });
  app.get('/ready', async (_req, res) => {
    const health = await checkDependencies(db, customerp, crmoffice);
    res.status(health.status === 'UP' ? 200 : 503).json(health);
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: async () => createContext(options.dependencies, { batch: options.batching ?? true }) }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
}

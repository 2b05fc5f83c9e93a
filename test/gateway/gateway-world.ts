import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { countCommands, type CommandCounter } from '../../src/mongo/index.js';
import type { SyncSummary } from '../../src/sync/index.js';
import type { TestSystemsOptions } from '../support/systems.js';
import { startSyncWorld, upstreamClientsOf, type SyncWorld } from '../support/world.js';

/** A GraphQL answer as a client receives it: data and errors side by side. */
export interface GraphQLAnswer<T = Record<string, unknown>> {
  data: T | null;
  errors?: GatewayAnswerError[];
}

export interface GatewayAnswerError {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

/** The linked world of one suite (both systems, a database, one sync pass done) and a gateway over it. */
export interface GatewayWorld {
  world: SyncWorld;
  /** What the sync pass that linked the world did. */
  synced: SyncSummary;
  gateway: RunningGateway;
  /** Counts the commands the gateway (and anyone else on the suite's client) sends to MongoDB. */
  mongo: CommandCounter;
  /** POSTs one request to the gateway and returns the whole answer (errors included); throws only on a non-JSON reply. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  /** Like query(), but fails on any error in the answer. */
  data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export interface GatewayWorldOptions {
  seed?: TestSystemsOptions['seed'];
  /** The gateway's upstream timeout. @default 2000 */
  timeoutMs?: number;
  /** The gateway's upstream retries. @default 0 */
  retries?: number;
  /** @default 'test' */
  mode?: 'development' | 'production' | 'test';
  introspection?: boolean;
}

/**
 * Starts both reference systems (demo seed unless told), a database of the suite's own, runs one
 * full sync pass to link everything, then starts the gateway on a free port with clients of its own.
 */
export async function startGatewayWorld(suite: string, options: GatewayWorldOptions = {}): Promise<GatewayWorld> {
  const world = await startSyncWorld(suite, { seed: options.seed ?? 'demo' });
  const synced = await world.engine.runOnce();
  const clientOptions = { timeoutMs: options.timeoutMs ?? 2000, retries: options.retries ?? 0 };
  const gateway = await startGateway({
    dependencies: {
      db: world.database.db,
      ...upstreamClientsOf(world, clientOptions),
    },
    mode: options.mode ?? 'test',
    introspection: options.introspection,
  });
  const mongo = countCommands(world.database.client);
  const query = async <T>(text: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: text, variables }),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  };
  return {
    world,
    synced,
    gateway,
    mongo,
    query,
    data: async <T>(text: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const answer = await query<T>(text, variables);
      if (answer.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(answer.errors, null, 2)}`);
      return answer.data as T;
    },
    close: async () => {
      mongo.stop();
      await gateway.close();
      await world.close();
    },
  };
}

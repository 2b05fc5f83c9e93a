import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';

/** A connected client and the database the caller asked for. */
export interface MongoConnection {
  client: MongoClient;
  db: Db;
}

/**
 * Driver options that fail fast instead of hanging: the driver's defaults wait 30 s to select a
 * server and never time out a socket, which turns a dead MongoDB into a hung request.
 */
export const DEFAULT_MONGO_OPTIONS: Readonly<MongoClientOptions> = Object.freeze({
  /** @default 5000: how long an operation waits for a usable server before failing. */
  serverSelectionTimeoutMS: 5_000,
  /** @default 5000: TCP connect + handshake. */
  connectTimeoutMS: 5_000,
  /** @default 30000: a single command that takes longer is abandoned. */
  socketTimeoutMS: 30_000,
  /** @default 10000: how long an operation may wait for a pooled connection. */
  waitQueueTimeoutMS: 10_000,
  /** Shows up in server logs and currentOp. */
  appName: 'customerp-crmoffice-gateway',
});

/**
 * Connects to `uri` (waiting for server selection, so a bad URI fails here at start-up rather than
 * on the first request) and returns the client and `dbName`. `options` override the defaults above.
 */
export async function connectMongo(
  uri: string,
  dbName: string,
  options: MongoClientOptions = {},
): Promise<MongoConnection> {
  const client = new MongoClient(uri, { ...DEFAULT_MONGO_OPTIONS, ...options });
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot connect to MongoDB at ${redactUri(uri)}: ${(error as Error).message}`, { cause: error });
  }
  return { client, db: client.db(dbName) };
}

/** The URI without credentials, fit for error messages and logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

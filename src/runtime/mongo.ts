import type { Db, MongoClient } from 'mongodb';
import type { Settings } from '../config.js';
import { setupIndexes } from '../links/index.js';
import { logger } from '../logger.js';
import { connectMongo, EMBEDDED_MONGO_NAME, startEmbeddedMongo } from '../mongo/index.js';
import type { Component } from './supervisor.js';

export interface RunningMongo extends Component {
  client: MongoClient;
  db: Db;
  /** Where it is, for people; never includes credentials. */
  description: string;
}

/**
 * Connects to MONGODB_URI, or starts the embedded engine on a free loopback port when it is unset (its
 * data is then as short-lived as the demo reference systems it sits beside), and ensures every index.
 */
export async function startMongo(settings: Settings): Promise<RunningMongo> {
  const embedded = settings.MONGODB_URI ? undefined : await startEmbeddedMongo({});
  const uri = settings.MONGODB_URI ?? embedded?.uri;
  if (!uri) throw new Error('no MongoDB URI');
  try {
    // Command monitoring feeds the MongoDB latency metrics (Metrics.observeMongo).
    const { client, db } = await connectMongo(uri, settings.MONGODB_DB, { monitorCommands: true });
    await setupIndexes(db);
    const where = new URL(uri.replace(/^mongodb(\+srv)?:/, 'http:')).host;
    const description = embedded
      ? `${EMBEDDED_MONGO_NAME} at ${where}, database ${settings.MONGODB_DB}`
      : `${where}, database ${settings.MONGODB_DB}`;
    logger.debug({ mongodb: where, embedded: Boolean(embedded) }, 'mongodb connected');
    return {
      name: 'mongodb',
      client,
      db,
      description,
      stop: async () => {
        await client.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

import { randomBytes } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { LINKS_COLLECTION, RECORD_CHANGES_COLLECTION } from '../../src/links/index.js';
import { connectMongo } from '../../src/mongo/index.js';
import { FINISHED_OPERATIONS_COLLECTION, OPERATIONS_COLLECTION } from '../../src/writes/index.js';
import { recordQueryShapes } from './query-shapes.js';

/** A database of its own for one test suite, on the run's MongoDB (see global-setup.ts). */
export interface TestDatabase {
  client: MongoClient;
  db: Db;
  name: string;
  /** Drops the database and closes the client: call it in afterAll. */
  drop(): Promise<void>;
}

/**
 * Connects to MONGODB_URI and picks a fresh database `t_<suite>_<random>`, so suites running in
 * parallel never see each other's data. The client has command monitoring on, for countCommands().
 */
export async function testDatabase(suite: string): Promise<TestDatabase> {
  const uri = process.env['MONGODB_URI'];
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest, whose global setup provides it');
  const slug = suite
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 30);
  const name = `t_${slug}_${randomBytes(4).toString('hex')}`;
  const { client, db } = await connectMongo(uri, name, { monitorCommands: true });
  recordQueryShapes(
    client,
    new Set([LINKS_COLLECTION, RECORD_CHANGES_COLLECTION, OPERATIONS_COLLECTION, FINISHED_OPERATIONS_COLLECTION]),
  );
  return {
    client,
    db,
    name,
    drop: async () => {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

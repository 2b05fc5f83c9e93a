import type { Link, LinkEntity } from '../../src/links/index.js';
import { demoSizeOf, type DemoSize } from '../../src/reference/core/index.js';
import {
  ANONYMOUS_CALLER,
  callerKey,
  FINISHED_OPERATIONS_COLLECTION,
  OPERATIONS_COLLECTION,
  OutboxWorker,
  OperationStore,
  setupOperationIndexes,
  WriteThrough,
  type IdempotencyKey,
  type OperationDocument,
  type OutboxWorkerOptions,
  type WriteThroughOptions,
} from '../../src/writes/index.js';
import { gql } from '../support/graphql.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

type Fields = Record<string, unknown>;

/** The fields each system's record is read back with (its own API, over HTTP). */
const CUSTOMERP_SELECTIONS: Record<string, string> = {
  Employee: 'id firstName lastName email phone mobile jobTitle department active',
  Contact: 'id firstName lastName email phone jobTitle street city postalCode country',
  Product: 'id sku name description category website active',
  Project: 'id name description status startDate endDate managerId productId',
};
const CRMOFFICE_SELECTIONS: Record<string, string> = {
  Contact:
    'id firstName lastName email phone mobilePhone title department contactType companyId address { street city postalCode country } active',
  Company: 'id name description industry website code status',
  Activity: 'id subject description type status startAt dueAt ownerContactId companyId',
};

/** A synced world (both reference systems, a database, two sync passes done) with the write path over it. */
export interface WriteWorld {
  world: SyncWorld;
  writes: WriteThrough;
  outbox: OutboxWorker;
  operations: OperationStore;
  /** A Customerp record of `type` read through Customerp's API; null when it does not exist. */
  customerpRecord(type: string, id: string): Promise<Fields | null>;
  crmofficeRecord(type: string, id: string): Promise<Fields | null>;
  /** The link behind a unified id (deleted or not). */
  linkOf(linkId: string | null): Promise<Link>;
  /** Complete (both sides), in-sync links of an entity. */
  pairs(entity: LinkEntity, kind?: 'EMPLOYEE' | 'CUSTOMER_CONTACT'): Promise<Link[]>;
  /** Upstream mutations served since the last resetStats(). */
  upstreamWrites(): Promise<{ customerp: number; crmoffice: number }>;
  /** One sync pass; returns the upstream writes it made. */
  syncWrites(): Promise<{ customerp: number; crmoffice: number }>;
  /** Every operation, unfinished or finished, oldest first. */
  allOperations(): Promise<OperationDocument[]>;
  /** The environment of a child process working on this world (test/writes/*-process.ts, write-burst.ts): its database, both systems and their tokens, logs off. */
  childEnv(): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface WriteWorldOptions {
  /** @default demoSizeOf(60): small, so that sync passes are quick */
  seed?: DemoSize | 'demo' | 'empty';
  writeThrough?: WriteThroughOptions;
  outbox?: OutboxWorkerOptions;
  /** Upstream client timeout. @default 2000 */
  timeoutMs?: number;
  /** Upstream client retries. @default 1 */
  retries?: number;
}

export async function startWriteWorld(suite: string, options: WriteWorldOptions = {}): Promise<WriteWorld> {
  const world = await startSyncWorld(suite, {
    seed: options.seed ?? demoSizeOf(60),
    timeoutMs: options.timeoutMs,
    retries: options.retries,
  });
  const { db } = world.database;
  await setupOperationIndexes(db);
  await world.engine.runOnce();
  await world.engine.runOnce(); // the first pass's echoes
  const dependencies = { db, customerp: world.systems.customerp, crmoffice: world.systems.crmoffice };
  const writes = new WriteThrough(dependencies, options.writeThrough);
  const outbox = new OutboxWorker(dependencies, { backoff: { baseDelayMs: 40, maxDelayMs: 300 }, ...options.outbox });
  const read = async (
    url: string,
    selections: Record<string, string>,
    type: string,
    id: string,
  ): Promise<Fields | null> => {
    const field = type.charAt(0).toLowerCase() + type.slice(1);
    const data = await gql<{ record: Fields | null }>(
      url,
      `query($id: ID!) { record: ${field}(id: $id) { ${selections[type]} } }`,
      { id },
    );
    return data.record;
  };
  const upstreamWrites = () => world.systems.writes();
  return {
    world,
    writes,
    outbox,
    operations: writes.operations,
    customerpRecord: (type, id) => read(world.systems.customerpServer.url, CUSTOMERP_SELECTIONS, type, id),
    crmofficeRecord: (type, id) => read(world.systems.crmofficeServer.url, CRMOFFICE_SELECTIONS, type, id),
    linkOf: async (linkId) => {
      if (!linkId) throw new Error('no link id');
      const link = await world.links.findById(linkId);
      if (!link) throw new Error(`no link ${linkId}`);
      return link;
    },
    pairs: async (entity, kind) =>
      (await world.linksOf(entity, kind)).filter((l) => l.customerp && l.crmoffice && l.state === 'IN_SYNC'),
    upstreamWrites,
    syncWrites: async () => {
      await world.systems.resetStats();
      await world.engine.runOnce();
      return upstreamWrites();
    },
    allOperations: async () => {
      // Unfinished first, so that an operation caught between archive()'s copy and delete counts once, as finished.
      const byId = new Map<string, OperationDocument>();
      for (const operation of await db.collection<OperationDocument>(OPERATIONS_COLLECTION).find({}).toArray())
        byId.set(operation._id, operation);
      for (const operation of await db.collection<OperationDocument>(FINISHED_OPERATIONS_COLLECTION).find({}).toArray())
        byId.set(operation._id, operation);
      return [...byId.values()].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : 1),
      );
    },
    childEnv: () => ({
      ...process.env,
      LOG_LEVEL: 'silent',
      WRITE_DB: world.database.name,
      CUSTOMERP_URL: world.systems.customerpServer.url,
      CRMOFFICE_URL: world.systems.crmofficeServer.url,
      CUSTOMERP_TOKEN: world.systems.tokens.customerp,
      CRMOFFICE_TOKEN: world.systems.tokens.crmoffice,
    }),
    close: async () => {
      await outbox.stop();
      await world.close();
    },
  };
}

/** The operation key of an idempotency key sent to a world's WriteThrough (which answers as ANONYMOUS_CALLER). */
export function anonymousKey(key: string): IdempotencyKey {
  return callerKey(ANONYMOUS_CALLER, key) as IdempotencyKey;
}

import { startGateway, type RunningGateway } from '../../../src/gateway/server.js';
import { encodeUnifiedId, type Link, type LinkEntity } from '../../../src/links/index.js';
import { demoSizeOf } from '../../../src/reference/core/index.js';
import {
  FINISHED_OPERATIONS_COLLECTION,
  OPERATIONS_COLLECTION,
  setupOperationIndexes,
} from '../../../src/writes/index.js';
import { startSyncWorld, upstreamClientsOf, type SyncWorld } from '../../support/world.js';

/** Real values of the world, for documents that name existing records. */
export interface FuzzFixtures {
  /** Unified ids of live records, per entity. */
  ids: Readonly<Record<LinkEntity, readonly string[]>>;
  /** Record ids as each system knows them (what `…ByRef` and linkRecords take). */
  systemIds: { customerp: readonly string[]; crmoffice: readonly string[] };
}

/** A text that must never leave the gateway. */
export interface Secret {
  what: string;
  text: string;
}

function sideKey(link: Link): string {
  return `${link.customerp?.type ?? ''}:${link.customerp?.id ?? ''}/${link.crmoffice?.type ?? ''}:${link.crmoffice?.id ?? ''}`;
}

/** A synced world that stands still (no sync worker) and a production-mode gateway over it. */
export interface FuzzWorld {
  world: SyncWorld;
  gateway: RunningGateway;
  fixtures: FuzzFixtures;
  /** What no answer may ever show: each dependency's `host:port` (also as localhost) and the upstream tokens. */
  secrets: readonly Secret[];
  /** Upstream writes served so far, per system (create/update/delete root fields). */
  upstreamWrites(): Promise<{ customerp: number; crmoffice: number }>;
  /** Outbox operations recorded so far, unfinished and finished. */
  recordedOperations(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The gateway under test, kept in one place so that start-up options (authentication, limits) are
 * changed here only. Production mode: unexpected errors masked, no stack traces, no introspection.
 */
export async function startFuzzGateway(world: SyncWorld): Promise<RunningGateway> {
  const client = { timeoutMs: 5000, retries: 0 };
  return startGateway({
    dependencies: {
      db: world.database.db,
      ...upstreamClientsOf(world, client),
    },
    mode: 'production',
  });
}

/**
 * Both reference systems with a small demo world, linked by two sync passes (the second takes the
 * first one's echoes, so the world is at rest: nothing more to write), and the gateway over them.
 */
export async function startFuzzWorld(suite: string): Promise<FuzzWorld> {
  const world = await startSyncWorld(suite, { seed: demoSizeOf(60) });
  await setupOperationIndexes(world.database.db);
  await world.engine.runOnce();
  await world.engine.runOnce();
  const gateway = await startFuzzGateway(world);
  // In the order of the systems' own ids, which their seed fixes (link ids are random): a fuzz seed picks the same records.
  const live = async (entity: LinkEntity): Promise<Link[]> =>
    (await world.linksOf(entity))
      .filter((link) => link.deletedAt == null)
      .sort((a, b) => sideKey(a).localeCompare(sideKey(b)));
  const [contacts, companies, activities] = await Promise.all([live('Contact'), live('Company'), live('Activity')]);
  const all = [...contacts, ...companies, ...activities];
  const fixtures: FuzzFixtures = {
    ids: {
      Contact: contacts.map((link) => encodeUnifiedId('Contact', link._id)),
      Company: companies.map((link) => encodeUnifiedId('Company', link._id)),
      Activity: activities.map((link) => encodeUnifiedId('Activity', link._id)),
    },
    systemIds: {
      customerp: all.flatMap((link) => (link.customerp ? [link.customerp.id] : [])),
      crmoffice: all.flatMap((link) => (link.crmoffice ? [link.crmoffice.id] : [])),
    },
  };
  const mongoUri = new URL(process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017');
  const addresses = [
    { what: 'the Customerp address', url: new URL(world.systems.customerpServer.origin) },
    { what: 'the Crmoffice address', url: new URL(world.systems.crmofficeServer.origin) },
    { what: 'the MongoDB address', url: mongoUri },
  ];
  const secrets: Secret[] = [
    ...addresses.flatMap(({ what, url }) => [
      { what, text: `${url.hostname}:${url.port || '27017'}` },
      { what, text: `localhost:${url.port || '27017'}` },
    ]),
    { what: 'the Customerp token', text: world.systems.tokens.customerp },
    { what: 'the Crmoffice token', text: world.systems.tokens.crmoffice },
  ];
  const { db } = world.database;
  return {
    world,
    gateway,
    fixtures,
    secrets,
    upstreamWrites: () => world.systems.writes(),
    recordedOperations: async () =>
      (await db.collection(OPERATIONS_COLLECTION).countDocuments()) +
      (await db.collection(FINISHED_OPERATIONS_COLLECTION).countDocuments()),
    close: async () => {
      await gateway.close();
      await world.close();
    },
  };
}

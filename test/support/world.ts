import { LinkStore, setupIndexes, type Link, type LinkEntity, type LinkKind } from '../../src/links/index.js';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync/index.js';
import { UpstreamClient, type UpstreamClientOptions } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from './mongo.js';
import { startTestSystems, type TestSystems, type TestSystemsOptions } from './systems.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';
import { bySeededRecord } from './seeded-order.js';

/** Both reference systems, a database of its own and a sync engine over them: one suite's world. */
export interface SyncWorld {
  systems: TestSystems;
  database: TestDatabase;
  engine: SyncEngine;
  links: LinkStore;
  /**
   * Every non-deleted link of an entity (optionally of one kind), ordered by the seeded records they
   * hold (Customerp id, then Crmoffice id, numbers in numeric order: emp-2 before emp-10), never by
   * the random link `_id`: a test that takes the first ones always gets the same named records.
   */
  linksOf(entity: LinkEntity, kind?: LinkKind): Promise<Link[]>;
  close(): Promise<void>;
}

export async function startSyncWorld(
  suite: string,
  options: TestSystemsOptions & { engine?: SyncEngineOptions } = {},
): Promise<SyncWorld> {
  const systems = await startTestSystems(options);
  const database = await testDatabase(suite);
  await setupIndexes(database.db);
  const engine = new SyncEngine(
    {
      db: database.db,
      customerp: systems.customerp,
      crmoffice: systems.crmoffice,
      writeOwnership: outboxWriteOwnership(database.db),
    },
    options.engine,
  );
  const links = new LinkStore(database.db);
  return {
    systems,
    database,
    engine,
    links,
    linksOf: async (entity, kind) => {
      const all: Link[] = [];
      let after: string | null = null;
      do {
        const page = await links.page({ entity, filter: kind ? { kind } : {}, first: 500, after });
        all.push(...page.links);
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      return all.sort(bySeededRecord);
    },
    close: async () => {
      await systems.close();
      await database.drop();
    },
  };
}

/** Fresh clients of the world's two reference systems, with their tokens: what a gateway over the world is given. */
export function upstreamClientsOf(
  world: SyncWorld,
  options: Pick<UpstreamClientOptions, 'timeoutMs' | 'retries'> = {},
): { customerp: UpstreamClient; crmoffice: UpstreamClient } {
  return {
    customerp: new UpstreamClient({
      system: 'CUSTOMERP',
      url: world.systems.customerpServer.url,
      token: world.systems.tokens.customerp,
      ...options,
    }),
    crmoffice: new UpstreamClient({
      system: 'CRMOFFICE',
      url: world.systems.crmofficeServer.url,
      token: world.systems.tokens.crmoffice,
      ...options,
    }),
  };
}

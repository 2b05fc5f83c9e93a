import type { Db } from 'mongodb';
import { OPEN_PRINCIPAL, type Principal } from '../auth/principal.js';
import { LinkStore, RecordChangeLog } from '../links/index.js';
import { FeedCursorStore } from '../reconcile/index.js';
import { HeldDeletes, SyncEngine } from '../sync/index.js';
import { outboxWriteOwnership, WriteThrough } from '../writes/index.js';
import { CrmofficeApi, CustomerpApi } from '../upstreams/index.js';
import type { UpstreamClient } from '../upstreams/upstream-client.js';
import { createLoaders, type GatewayLoaders, type LoaderOptions } from './loaders/index.js';
import { RecordChangeFeed } from './subscriptions/record-change-feed.js';
import { UnifiedViews } from './unified-view.js';

/** What every resolver of one request can reach. Built per request by `createContext`. */
export interface GatewayContext {
  db: Db;
  customerp: UpstreamClient;
  crmoffice: UpstreamClient;
  links: LinkStore;
  cursors: FeedCursorStore;
  /** This request's DataLoaders: links and both systems' records. */
  loaders: GatewayLoaders;
  /** This request's unified values and sides, computed once per link. */
  views: UnifiedViews;
  /** The process's write-through service (mutations). */
  writeThrough: WriteThrough;
  /** Runs one sync pass now, or waits for the one running. */
  syncNow(): Promise<void>;
  /** Deletes the mass-delete guard holds: counted, approved, discarded. */
  heldDeletes: HeldDeletes;
  /** Who sent this request (the `@auth` directive checks its scopes). */
  principal: Principal;
  /** The process's feed of record changes (subscriptions). */
  recordChanges: RecordChangeFeed;
  /**
   * Replaces `loaders` and `views` with new ones. A subscription keeps one context for its life and
   * calls this per event, so that each event reads the records as they are then, not as cached.
   */
  freshen(): void;
}

/** The long-lived parts the per-request context is made from. */
export interface GatewayDependencies {
  db: Db;
  customerp: UpstreamClient;
  crmoffice: UpstreamClient;
  /** @default one WriteThrough over the same MongoDB and systems, made on first use */
  writeThrough?: WriteThrough;
  /** @default a sync pass by a SyncEngine of this process (the composition root passes its worker's) */
  syncNow?: () => Promise<void>;
  /** @default a feed over the database's change log with the default poll (the gateway server passes its own) */
  recordChanges?: RecordChangeFeed;
}

/** One write-through service and one sync entry per set of dependencies (i.e. per gateway), not per request. */
type ProcessParts = Pick<GatewayContext, 'writeThrough' | 'syncNow' | 'heldDeletes' | 'recordChanges'>;

const processParts = new WeakMap<GatewayDependencies, ProcessParts>();

function partsOf(dependencies: GatewayDependencies): ProcessParts {
  let parts = processParts.get(dependencies);
  if (!parts) {
    const apis = {
      db: dependencies.db,
      customerp: new CustomerpApi(dependencies.customerp),
      crmoffice: new CrmofficeApi(dependencies.crmoffice),
    };
    const engine = dependencies.syncNow
      ? undefined
      : new SyncEngine({ ...apis, writeOwnership: outboxWriteOwnership(dependencies.db) });
    parts = {
      writeThrough: dependencies.writeThrough ?? new WriteThrough(apis),
      syncNow: dependencies.syncNow ?? (async () => void (await engine?.runOnce())),
      heldDeletes: new HeldDeletes({
        links: new LinkStore(dependencies.db),
        apis: { CUSTOMERP: apis.customerp, CRMOFFICE: apis.crmoffice },
      }),
      recordChanges: dependencies.recordChanges ?? new RecordChangeFeed(new RecordChangeLog(dependencies.db)),
    };
    processParts.set(dependencies, parts);
  }
  return parts;
}

/** One context per request: per-request state (DataLoaders) must never be shared between requests. */
export function createContext(
  dependencies: GatewayDependencies,
  options: LoaderOptions = {},
  principal: Principal = OPEN_PRINCIPAL,
): GatewayContext {
  const links = new LinkStore(dependencies.db);
  const customerp = new CustomerpApi(dependencies.customerp);
  const crmoffice = new CrmofficeApi(dependencies.crmoffice);
  const loaders = createLoaders(links, customerp, crmoffice, options);
  const parts = partsOf(dependencies);
  const context: GatewayContext = {
    db: dependencies.db,
    customerp: dependencies.customerp,
    crmoffice: dependencies.crmoffice,
    ...parts,
    // Idempotency keys are the caller's own: the same key from two callers means two requests.
    writeThrough: parts.writeThrough.forCaller(principal.subject),
    links,
    cursors: new FeedCursorStore(dependencies.db),
    loaders,
    views: new UnifiedViews(loaders),
    principal,
    freshen: () => {
      context.loaders = createLoaders(links, customerp, crmoffice, options);
      context.views = new UnifiedViews(context.loaders);
    },
  };
  return context;
}

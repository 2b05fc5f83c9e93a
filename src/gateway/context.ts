import type { Db } from 'mongodb';
import { LinkStore } from '../links/index.js';
import { FeedCursorStore } from '../sync/cursors.js';
import { CrmofficeApi, CustomerpApi } from '../upstreams/index.js';
import type { UpstreamClient } from '../upstreams/upstream-client.js';
import { createLoaders, type GatewayLoaders, type LoaderOptions } from './loaders/index.js';
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
}

/** The long-lived parts the per-request context is made from. */
export interface GatewayDependencies {
  db: Db;
  customerp: UpstreamClient;
  crmoffice: UpstreamClient;
}

/** One context per request: per-request state (DataLoaders) must never be shared between requests. */
export function createContext(dependencies: GatewayDependencies, options: LoaderOptions = {}): GatewayContext {
  const links = new LinkStore(dependencies.db);
  const loaders = createLoaders(links, new CustomerpApi(dependencies.customerp), new CrmofficeApi(dependencies.crmoffice), options);
  return {
    ...dependencies,
    links,
    cursors: new FeedCursorStore(dependencies.db),
    loaders,
    views: new UnifiedViews(loaders),
  };
}

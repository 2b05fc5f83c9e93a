/** The per-request DataLoaders of the gateway: links (by id, by either side, children) and both systems' records. */
import type { LinkStore } from '../../links/index.js';
import type { CrmofficeApi, CrmofficeType, CustomerpApi, CustomerpType } from '../../upstreams/index.js';
import { createLinkLoaders, type LinkLoaders } from './link-loaders.js';
import { RequestOutages } from './outages.js';
import { createRecordLoader, type RecordLoader } from './record-loader.js';
import type { LoaderOptions } from './loader-options.js';

export { createLinkLoaders, type ChildrenKey, type LinkLoaders, type SideKey } from './link-loaders.js';
export { createRecordLoader, type RecordKey, type RecordLoader } from './record-loader.js';
export { RequestOutages } from './outages.js';
export type { LoaderOptions } from './loader-options.js';

export interface GatewayLoaders extends LinkLoaders {
  customerp: RecordLoader<CustomerpType>;
  crmoffice: RecordLoader<CrmofficeType>;
  outages: RequestOutages;
}

/** A fresh set for one request: their caches must never outlive it. */
export function createLoaders(
  store: LinkStore,
  customerp: CustomerpApi,
  crmoffice: CrmofficeApi,
  options: LoaderOptions = {},
): GatewayLoaders {
  const outages = new RequestOutages();
  return {
    ...createLinkLoaders(store, options),
    customerp: createRecordLoader(customerp, outages, options),
    crmoffice: createRecordLoader(crmoffice, outages, options),
    outages,
  };
}

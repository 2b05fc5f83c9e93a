export {
  UpstreamClient,
  type RequestOptions,
  type UpstreamClientOptions,
  type UpstreamRequestEvent,
} from './upstream-client.js';
export { BULK_READ_LIMIT, readInChunks, type FeedChange, type FeedPage, type SystemApi } from './system-api.js';
export { CustomerpApi, CUSTOMERP_FEEDS, CUSTOMERP_TYPES, type CustomerpType } from './customerp/api.js';
export { CrmofficeApi, CRMOFFICE_FEEDS, CRMOFFICE_TYPES, type CrmofficeType } from './crmoffice/api.js';
export { BulkReadMismatchError } from './system-api.js';
export { apiOf, otherSystem, SYSTEM_LABELS, SYSTEMS, type SystemApis } from './systems.js';

/** Operating the gateway: /metrics, the status page, the offline explorer, request ids, traced sync passes. */
export { createOpsRouter, refreshStoredGauges, type OpsDependencies } from './ops-router.js';
export { SyncHistory, type SyncHistoryOptions, type SyncSample } from './sync-history.js';
export { explorerExamples, KNOWN_OPERATION_NAMES, type ExplorerExample } from './explorer-examples.js';
export { withOpsLinks, addOpsLinks } from './landing-page.js';
export { requestContextMiddleware } from './request-id.js';
export { gracefulDrainPlugin, type GracefulDrainOptions } from './graceful-drain.js';
export { tracePasses, traced } from './traced-passes.js';
export { VENDOR_ASSETS, OWN_ASSETS_DIR } from './assets.js';
export { indexDocument } from './index-document.js';

export { RecordStore, type ChangeEntry, type ChangeOp, type Page, type StoredRecord } from './record-store.js';
export { FaultInjector, noFaults, parseFaultSettings, type FaultSettings, type FaultVerdict } from './faults.js';
export {
  startReferenceServer,
  type ReferenceServerOptions,
  type RequestStats,
  type RunningReferenceServer,
} from './http-server.js';
export { createRandom, type Random } from './random.js';
export { describeInputError } from './input-errors.js';
export {
  DEMO_SIZE,
  demoMatches,
  demoPeople,
  demoProducts,
  demoSizeOf,
  demoWorld,
  type DemoPerson,
  type DemoProduct,
  type DemoProject,
  type DemoSize,
  type DemoWorld,
} from './demo-data.js';
export {
  FeedAnnouncer,
  WebhookDispatcher,
  type AnnouncedFeed,
  type ChangeNotification,
  type WebhookDeliveryOptions,
  type WebhookStats,
  type WebhookSubscription,
} from './webhooks.js';

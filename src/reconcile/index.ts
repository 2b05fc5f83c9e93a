/**
 * The link rules that sync and write-through share, each written once: three-way merge, reference
 * resolution, link keys, half-link pairing, which mapping reads a link, feed ids and cursors, and the
 * question sync asks the write path (which records an unfinished operation owns).
 */
export { threeWayMerge, sortedValues, type MergeConflict, type MergeInput, type MergeResult } from './merge.js';
export { ReferenceIndex, referencesFor, type SystemRecordOf } from './reference-index.js';
export { linkKeysOf } from './link-keys.js';
export { mappingNamed, mappingOfLink } from './link-mapping.js';
export { pairRecords, type PairingRequest } from './pairing.js';
export { FEEDS, PENDING_FEED, feedIdOf, type Feed } from './feeds.js';
export { FeedCursorStore, type FeedCursorDocument } from './cursors.js';
export { NO_WRITE_OWNERSHIP, type RecordWithLink, type WriteOwnership } from './write-ownership.js';
export { syncReasonOf, waitingReason } from './sync-reason.js';
export { DEFAULT_RESOLVED_CONFLICTS_KEPT, withConflicts } from './conflict-history.js';

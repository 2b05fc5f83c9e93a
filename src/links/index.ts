/** The link store: one MongoDB document per unified record, its indexes and the public id codec. */
export { LinkStore } from './store.js';
export { setupIndexes, LINK_INDEXES, LINK_QUERY_SHAPES, LINKS_COLLECTION } from './indexes.js';
export { encodeUnifiedId, decodeUnifiedId, type UnifiedIdParts } from './unified-id.js';
export { DuplicateLinkError, LinkNotFoundError, SideTakenError, StaleLinkVersionError } from './link-errors.js';
export { SIDE_TYPES, assertSideFits, entityOfSideType } from './sides.js';
export {
  LINK_ENTITIES,
  contactKindOf,
  isLinkEntity,
  isLiveLink,
  isLiveLinkOf,
  sideFieldOf,
  type Conflict,
  type CrmofficeRef,
  type CrmofficeType,
  type CustomerpRef,
  type CustomerpType,
  type EnsuredLink,
  type Link,
  type LinkChanges,
  type LinkCountFilter,
  type LinkEntity,
  type LinkFilter,
  type LinkInit,
  type LinkKind,
  type LinkPage,
  type LinkPageRequest,
  type LinkState,
  type NewLink,
  type SideRef,
} from './link.js';
export { storedChanges } from './stored-form.js';
export {
  asOneChange,
  onChangesRecorded,
  changeBetween,
  keepRecentChanges,
  RecordChangeLog,
  RECORD_CHANGE_INDEXES,
  RECORD_CHANGE_QUERY_SHAPES,
  RECORD_CHANGES_COLLECTION,
  type RecordChange,
  type RecordChangeKind,
  type RecordedChange,
} from './record-changes.js';

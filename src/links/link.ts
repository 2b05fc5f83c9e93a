import type { SystemName } from '../errors.js';

/** The unified record types; each link belongs to exactly one. Also the GraphQL type names. */
export type LinkEntity = 'Contact' | 'Company' | 'Activity';
export const LINK_ENTITIES: readonly LinkEntity[] = ['Contact', 'Company', 'Activity'];

/** Which dataflow a Contact came through; null for Company and Activity links. */
export type LinkKind = 'EMPLOYEE' | 'CUSTOMER_CONTACT' | 'CRM_ONLY';

/** Sync state of a link, as the public SyncState enum shows it. */
export type LinkState = 'IN_SYNC' | 'PENDING' | 'CONFLICT' | 'ERROR';

export type CustomerpType = 'Employee' | 'Contact' | 'Product' | 'Project';
export type CrmofficeType = 'Contact' | 'Company' | 'Activity';

/** A record in Customerp. */
export interface CustomerpRef {
  type: CustomerpType;
  id: string;
}

/** A record in Crmoffice. */
export interface CrmofficeRef {
  type: CrmofficeType;
  id: string;
}

/** The reference type of one system's side: `SideRef<'CUSTOMERP'>` is a CustomerpRef. */
export type SideRef<S extends SystemName> = S extends 'CUSTOMERP' ? CustomerpRef : CrmofficeRef;

/** A field on which the two systems disagreed during a merge. */
export interface Conflict {
  id: string;
  field: string;
  customerpValue: unknown;
  crmofficeValue: unknown;
  /** The side whose value was kept, once decided. */
  kept: SystemName | null;
  detectedAt: Date;
  resolvedAt: Date | null;
}

/** A delete the mass-delete guard holds (docs/operations.md): it waits for an operator to approve or discard it. */
export interface HeldDelete {
  /** The feed that saw the delete (feedIdOf), e.g. `customerp:PRODUCT`. */
  feed: string;
  /** The system whose record was deleted. */
  system: SystemName;
  since: Date;
}

/** Which contact flow a Contact link came through: its own kind, else what its Customerp side is (a Crmoffice-only record when none). */
export function contactKindOf(link: Pick<Link, 'kind' | 'customerp'>): LinkKind {
  if (link.kind) return link.kind;
  if (link.customerp?.type === 'Employee') return 'EMPLOYEE';
  if (link.customerp?.type === 'Contact') return 'CUSTOMER_CONTACT';
  return 'CRM_ONLY';
}

/** One unified record: both systems' references (one may still be missing) and its sync state. */
export interface Link {
  /** UUID v4, assigned by the store; stable for the life of the link. */
  _id: string;
  entity: LinkEntity;
  kind: LinkKind | null;
  customerp: CustomerpRef | null;
  crmoffice: CrmofficeRef | null;
  /** The last synced canonical values: the base of three-way merges. */
  snapshot: Record<string, unknown> | null;
  /** Lookup keys for filters (email is stored lower-cased; name, code, status, companyId, ownerId, …). */
  keys: Record<string, string | null>;
  state: LinkState;
  /** Why a PENDING or ERROR link waits (the missing reference, the system's message); null otherwise. */
  reason: string | null;
  conflicts: Conflict[];
  /** Set while the mass-delete guard holds this link's delete. */
  heldDelete: HeldDelete | null;
  /**
   * Set by unlinkRecords on the half link that keeps the Customerp record: sync leaves it unpaired
   * (no identity match, no counterpart created) until linkRecords pairs it again.
   */
  detached: boolean;
  deletedAt: Date | null;
  lastSyncedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Optimistic concurrency token: 1 on creation, +1 on every update. */
  version: number;
}

/** What create() needs; everything but the entity and one side has a default. */
export interface NewLink {
  entity: LinkEntity;
  /** @default null */
  kind?: LinkKind | null;
  /** At least one of customerp / crmoffice is required. @default null */
  customerp?: CustomerpRef | null;
  /** @default null */
  crmoffice?: CrmofficeRef | null;
  /** @default null */
  snapshot?: Record<string, unknown> | null;
  /** @default {} */
  keys?: Record<string, string | null>;
  /** @default 'PENDING' */
  state?: LinkState;
  /** @default null */
  reason?: string | null;
  /** @default [] */
  conflicts?: Conflict[];
  /** @default null */
  lastSyncedAt?: Date | null;
}

/** The fields ensureLink() uses only if it creates the link (the side it looks up by is its own argument). */
export type LinkInit = Omit<NewLink, 'entity'>;

/** What update() may change; an omitted field is left alone. Sides change through attachSide/detachSide. */
export interface LinkChanges {
  kind?: LinkKind | null;
  snapshot?: Record<string, unknown> | null;
  /** Replaces all keys. */
  keys?: Record<string, string | null>;
  state?: LinkState;
  reason?: string | null;
  /** Replaces the whole list. */
  conflicts?: Conflict[];
  heldDelete?: HeldDelete | null;
  detached?: boolean;
  deletedAt?: Date | null;
  lastSyncedAt?: Date | null;
}

/** ensureLink()'s answer: the link, and whether this call created it. */
export interface EnsuredLink {
  link: Link;
  created: boolean;
}

/** Filters for listing links; each given (non-null) field must match, an omitted or null one is ignored. */
export interface LinkFilter {
  kind?: LinkKind | null;
  /** Exact, case-insensitive. */
  email?: string | null;
  /** Case-insensitive substring of keys.name. */
  nameContains?: string | null;
  code?: string | null;
  companyId?: string | null;
  ownerId?: string | null;
  status?: string | null;
  state?: LinkState | null;
  /** @default false: links with deletedAt set are left out */
  includeDeleted?: boolean;
}

/** count()'s filter: a LinkFilter, optionally narrowed to one entity. */
export interface LinkCountFilter extends LinkFilter {
  entity?: LinkEntity;
}

/** One forward page over one entity's links, in _id order. */
export interface LinkPageRequest {
  entity: LinkEntity;
  filter?: LinkFilter;
  /** Page size, 0 or more. */
  first: number;
  /** The endCursor of the previous page (the _id of its last link). */
  after?: string | null;
}

export interface LinkPage {
  links: Link[];
  hasNextPage: boolean;
  /** _id of the last link on this page, null when the page is empty. */
  endCursor: string | null;
  /** All links matching the filter, across pages. */
  totalCount: number;
}

/** The Link field that holds a system's side. */
export function sideFieldOf(system: SystemName): 'customerp' | 'crmoffice' {
  return system === 'CUSTOMERP' ? 'customerp' : 'crmoffice';
}

/** Whether `value` names a LinkEntity. */
export function isLinkEntity(value: unknown): value is LinkEntity {
  return typeof value === 'string' && (LINK_ENTITIES as readonly string[]).includes(value);
}

/** Whether `link` exists and still stands for a record (not soft-deleted): the one live-link rule. */
export function isLiveLink(link: Link | null | undefined): link is Link {
  return link != null && link.deletedAt == null;
}

/** isLiveLink, and of `entity`: what an id argument or a reference must name. */
export function isLiveLinkOf(link: Link | null | undefined, entity: LinkEntity): link is Link {
  return isLiveLink(link) && link.entity === entity;
}

import { randomUUID } from 'node:crypto';
import {
  MongoBulkWriteError,
  MongoServerError,
  type Collection,
  type Db,
  type Filter,
  type MatchKeysAndValues,
  type UpdateFilter,
} from 'mongodb';
import type { SystemName } from '../errors.js';
import { emailKeyOf } from '../mappings/index.js';
import { LINKS_COLLECTION } from './indexes.js';
import { RecordChangeLog } from './record-changes.js';
import { DuplicateLinkError, LinkNotFoundError, SideTakenError, StaleLinkVersionError } from './link-errors.js';
import {
  sideFieldOf,
  type CrmofficeRef,
  type CustomerpRef,
  type EnsuredLink,
  type Link,
  type LinkChanges,
  type LinkCountFilter,
  type LinkFilter,
  type LinkInit,
  type LinkPage,
  type LinkState,
  type LinkPageRequest,
  type NewLink,
  type SideRef,
} from './link.js';
import { assertSideFits, entityOfSideType, refKeyOf } from './sides.js';
import { storedConflicts, storedKeys, storedSnapshot } from './stored-form.js';

/** The stored shape: a Link plus the derived unique keys of its sides (refKeyOf); an absent side has none. */
interface LinkDocument extends Link {
  customerpKey?: string;
  crmofficeKey?: string;
}

type SideKeyField = 'customerpKey' | 'crmofficeKey';

/** A condition an update needs besides the version: as a MongoDB filter, and the error when it does not hold. */
interface Precondition {
  filter: Filter<LinkDocument>;
  failure(current: LinkDocument): Error;
}

/**
 * The link store: one MongoDB document per unified record. Every write is one single-document atomic
 * operation (no transactions needed); concurrent writers are kept apart by the unique side keys and by
 * the `version` token, checked in the same command that writes. Indexes come from setupIndexes().
 */
export class LinkStore {
  private readonly links: Collection<LinkDocument>;
  /** Where every write is reported, with the link before and after it (src/links/record-changes.ts). */
  private readonly changes: RecordChangeLog;

  constructor(db: Db) {
    this.links = db.collection<LinkDocument>(LINKS_COLLECTION);
    this.changes = new RecordChangeLog(db);
  }

  /** Inserts a new link (version 1). A side that already belongs to a link → DuplicateLinkError naming it. */
  async create(fields: NewLink): Promise<Link> {
    const doc = newLinkDocument(fields, new Date());
    try {
      await this.links.insertOne(doc);
    } catch (error) {
      throw await this.explainDuplicate(error, doc);
    }
    const link = toLink(doc);
    await this.changes.wrote(null, link);
    return link;
  }

  /**
   * A link as create() would store it, not stored: for a writer that settles a new link's values
   * before inserting it with others (createMany, given the draft's `_id`, which it keeps).
   */
  draft(fields: NewLink): Link {
    return toLink(newLinkDocument(fields, new Date()));
  }

  /**
   * Inserts new links (version 1) in one command, for a page of records whose links a batch lookup
   * has just found missing (each with a new _id, or its draft's). Each entry is the link, or DuplicateLinkError when one of its sides
   * already belongs to another link (a racing writer's); the others are inserted whatever happens to
   * it (an unordered insert).
   */
  async createMany(fields: readonly (NewLink & { _id?: string })[]): Promise<(Link | DuplicateLinkError)[]> {
    if (fields.length === 0) return [];
    const now = new Date();
    const docs = fields.map(({ _id, ...one }) => ({ ...newLinkDocument(one, now), ...(_id ? { _id } : {}) }));
    const failed = new Map<number, unknown>();
    try {
      await this.links.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
      for (const writeError of writeErrors) failed.set(writeError.index, writeError);
    }
    const results: (Link | DuplicateLinkError)[] = [];
    for (const [i, doc] of docs.entries()) {
      if (!failed.has(i)) {
        const link = toLink(doc);
        await this.changes.wrote(null, link);
        results.push(link);
        continue;
      }
      // Rare (a race): say which side and whose link, as create() does.
      const duplicate = await this.duplicateOf(doc);
      if (!duplicate) throw failed.get(i);
      results.push(duplicate);
    }
    return results;
  }

  /**
   * The link holding `system`'s `ref`, created from `init` if there is none. Race-safe: any number of
   * concurrent calls for the same ref end with one document, returned to all of them, and exactly one
   * of them reports `created`. If init's other side already belongs to another link → DuplicateLinkError.
   * A soft-deleted link is returned like any other (check deletedAt). `lookFirst: false` skips the
   * first read, for a caller that has just seen there is no such link (a batch lookup).
   */
  async ensureLink<S extends SystemName>(
    entity: Link['entity'],
    system: S,
    ref: SideRef<S>,
    init: LinkInit = {},
    options: { lookFirst?: boolean } = {},
  ): Promise<EnsuredLink> {
    // Read first (links mostly exist already), insert if missing, and let the unique side index decide
    // races: the losers' inserts fail and they read the winner's link.
    const existing = options.lookFirst === false ? null : await this.findByRef(system, ref);
    if (existing) return { link: existing, created: false };
    const doc = newLinkDocument({ ...init, entity, [sideFieldOf(system)]: ref }, new Date());
    try {
      await this.links.insertOne(doc);
      const link = toLink(doc);
      await this.changes.wrote(null, link);
      return { link, created: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const winner = await this.findByRef(system, ref);
      if (winner) return { link: winner, created: false };
      throw await this.explainDuplicate(error, doc);
    }
  }

  /** The link with this _id, or null. */
  async findById(id: string): Promise<Link | null> {
    const doc = await this.links.findOne({ _id: id });
    return doc ? toLink(doc) : null;
  }

  /** One entry per id, in the order asked, null for an unknown id. One query, none for no ids. */
  async findByIds(ids: readonly string[]): Promise<(Link | null)[]> {
    if (ids.length === 0) return [];
    const docs = await this.links.find({ _id: { $in: [...new Set(ids)] } }).toArray();
    const byId = new Map(docs.map((doc) => [doc._id, toLink(doc)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The link holding this record of `system` (soft-deleted or not), or null. */
  async findByRef<S extends SystemName>(system: S, ref: SideRef<S>): Promise<Link | null> {
    const doc = await this.links.findOne({ [sideKeyFieldOf(system)]: refKeyOf(ref) });
    return doc ? toLink(doc) : null;
  }

  /** One entry per ref, in the order asked, null for an unlinked record. One query, none for no refs. */
  async findByRefs<S extends SystemName>(system: S, refs: readonly SideRef<S>[]): Promise<(Link | null)[]> {
    if (refs.length === 0) return [];
    const keyField = sideKeyFieldOf(system);
    const keys = refs.map((ref) => refKeyOf(ref));
    const docs = await this.links.find({ [keyField]: { $in: [...new Set(keys)] } }).toArray();
    const byKey = new Map(docs.map((doc) => [doc[keyField], toLink(doc)]));
    return keys.map((key) => byKey.get(key) ?? null);
  }

  /**
   * Applies `changes` if the link is still at `expectedVersion`, in one atomic findOneAndUpdate that
   * also bumps the version and updatedAt. Returns the updated link; StaleLinkVersionError if someone
   * else wrote first (nothing is changed), LinkNotFoundError if there is no such link.
   */
  async update(id: string, expectedVersion: number, changes: LinkChanges): Promise<Link> {
    return this.updateAt(id, expectedVersion, { $set: changesToSet(changes) });
  }

  /**
   * Sets `system`'s side of a link that has none there yet (linking its second side), version-checked
   * like update(). A link that already holds a record there → SideTakenError (a side is never
   * re-pointed: the record it held would be left unlinked); a record that already belongs to another
   * link → DuplicateLinkError; a ref of the wrong type for the link's entity → TypeError.
   */
  async attachSide<S extends SystemName>(
    id: string,
    expectedVersion: number,
    system: S,
    ref: SideRef<S>,
  ): Promise<Link> {
    const entity = entityHolding(system, ref);
    assertSideFits(entity, system, ref);
    const set: MatchKeysAndValues<LinkDocument> = {
      [sideFieldOf(system)]: { type: ref.type, id: ref.id },
      [sideKeyFieldOf(system)]: refKeyOf(ref),
      detached: false, // a pair again
    };
    // Entity and empty side are part of the condition, so neither needs a read first.
    const side = sideFieldOf(system);
    const emptySideOfEntity: Precondition = {
      filter: { entity, [side]: null },
      failure: (current) =>
        current.entity !== entity
          ? new TypeError(`a ${current.entity} link cannot hold ${system} ${ref.type}`)
          : new SideTakenError(id, system, current[side] as CustomerpRef | CrmofficeRef),
    };
    try {
      return await this.updateAt(id, expectedVersion, { $set: set }, emptySideOfEntity);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const holder = await this.findByRef(system, ref);
      throw new DuplicateLinkError(system, ref, holder?._id ?? null);
    }
  }

  /**
   * Clears `system`'s side (unlinking), version-checked like update(). A link keeps at least one side:
   * detaching the only one is a TypeError.
   */
  async detachSide(id: string, expectedVersion: number, system: SystemName): Promise<Link> {
    const other = sideFieldOf(system === 'CUSTOMERP' ? 'CRMOFFICE' : 'CUSTOMERP');
    const keepsASide: Precondition = {
      filter: { [other]: { $ne: null } },
      failure: () => new TypeError(`link ${id} would be left without any side`),
    };
    const update: UpdateFilter<LinkDocument> = {
      $set: { [sideFieldOf(system)]: null },
      $unset: { [sideKeyFieldOf(system)]: '' },
    };
    return this.updateAt(id, expectedVersion, update, keepsASide);
  }

  /**
   * One page of an entity's links matching `filter`, in _id order (stable while links are added), with
   * the total count. Two queries: the page (first + 1 links, the extra one only tells hasNextPage) and
   * the count.
   */
  async page(request: LinkPageRequest): Promise<LinkPage> {
    const { entity, filter = {}, first, after } = request;
    if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be an integer ≥ 0, got ${first}`);
    const query = linkQuery(entity, filter);
    const pageQuery: Filter<LinkDocument> = after == null ? query : { ...query, _id: { $gt: after } };
    const [docs, totalCount] = await Promise.all([
      this.links
        .find(pageQuery)
        .sort({ _id: 1 })
        .limit(first + 1)
        .toArray(),
      this.links.countDocuments(query),
    ]);
    const links = docs.slice(0, first).map(toLink);
    return { links, hasNextPage: docs.length > first, endCursor: links.at(-1)?._id ?? null, totalCount };
  }

  /**
   * Removes a link for good, version-checked like update(). Only for a half link whose record has just
   * been linked through another link (its unified view is merged there); every other end of a link is
   * a soft delete (`deletedAt`), kept for audit.
   */
  async remove(id: string, expectedVersion: number): Promise<void> {
    const removed = await this.links.findOneAndDelete({ _id: id, version: expectedVersion });
    if (removed) {
      await this.changes.wrote(toLink(removed), null);
      return;
    }
    const current = await this.links.findOne({ _id: id });
    if (!current) throw new LinkNotFoundError(id);
    throw new StaleLinkVersionError(id, expectedVersion, current.version);
  }

  /** How many links match `filter` (all entities unless it names one). */
  async count(filter: LinkCountFilter = {}): Promise<number> {
    const { entity, ...rest } = filter;
    return this.links.countDocuments(linkQuery(entity, rest));
  }

  /**
   * The version-checked single-document update behind update(), attachSide() and detachSide(): one
   * atomic findOneAndUpdate whose filter carries every check (version, `precondition`), so of any
   * number of concurrent writers at one version exactly one wins; it also bumps version and updatedAt.
   */
  private async updateAt(
    id: string,
    expectedVersion: number,
    change: UpdateFilter<LinkDocument>,
    precondition?: Precondition,
  ): Promise<Link> {
    const set = { ...change.$set, updatedAt: new Date() };
    const update: UpdateFilter<LinkDocument> = { ...change, $set: set, $inc: { version: 1 } };
    // The document before the write (the change log needs both): the one after is exactly it with
    // this update's top-level $set, $unset and version + 1 applied.
    const before = await this.links.findOneAndUpdate(
      { ...precondition?.filter, _id: id, version: expectedVersion },
      update,
      { returnDocument: 'before' },
    );
    if (before) {
      const after: LinkDocument = { ...before, ...(set as Partial<LinkDocument>), version: before.version + 1 };
      for (const field of Object.keys(change.$unset ?? {})) delete after[field as SideKeyField];
      const link = toLink(after);
      await this.changes.wrote(toLink(before), link);
      return link;
    }
    // Nothing matched: say why (costs a read, but only on this path).
    const current = await this.links.findOne({ _id: id });
    if (!current) throw new LinkNotFoundError(id);
    if (current.version !== expectedVersion) throw new StaleLinkVersionError(id, expectedVersion, current.version);
    throw precondition ? precondition.failure(current) : new Error(`link ${id} did not accept the update`);
  }

  /** Turns a duplicate-key error from inserting `doc` into a DuplicateLinkError naming the taken side. */
  private async explainDuplicate(error: unknown, doc: LinkDocument): Promise<unknown> {
    if (!isDuplicateKeyError(error)) return error;
    return (await this.duplicateOf(doc)) ?? error;
  }

  /** Which side of `doc` another link holds, and whose link it is; null when none does (any more). */
  private async duplicateOf(doc: LinkDocument): Promise<DuplicateLinkError | null> {
    // Engines differ in how they name the violated index (MongoDB's keyValue), so look: a rare path.
    const taken = [doc.customerpKey, doc.crmofficeKey];
    const holder = await this.links.findOne({
      _id: { $ne: doc._id },
      $or: [
        { customerpKey: { $in: taken.filter((key) => key !== undefined) } },
        { crmofficeKey: { $in: taken.filter((key) => key !== undefined) } },
      ],
    });
    if (holder && doc.customerp && doc.customerpKey !== undefined && holder.customerpKey === doc.customerpKey) {
      return new DuplicateLinkError('CUSTOMERP', doc.customerp, holder._id);
    }
    if (holder && doc.crmoffice && doc.crmofficeKey !== undefined && holder.crmofficeKey === doc.crmofficeKey) {
      return new DuplicateLinkError('CRMOFFICE', doc.crmoffice, holder._id);
    }
    return null;
  }

  // Read queries of the unified API (src/gateway): each is one MongoDB command, whatever its input size.

  /** page() without the count: the page (first + 1 links, the extra one only tells hasNextPage). One query. */
  async findPage(request: LinkPageRequest): Promise<Omit<LinkPage, 'totalCount'>> {
    const { entity, filter = {}, first, after } = request;
    if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be an integer ≥ 0, got ${first}`);
    const query = linkQuery(entity, filter);
    const docs = await this.links
      .find(after == null ? query : { ...query, _id: { $gt: after } })
      .sort({ _id: 1 })
      .limit(first + 1)
      .toArray();
    const links = docs.slice(0, first).map(toLink);
    return { links, hasNextPage: docs.length > first, endCursor: links.at(-1)?._id ?? null };
  }

  /**
   * The links with any of `ids` or holding any of `refs` (either system), in one query: what a
   * request's loaders ask for in one tick, by id and by side at once. Each link once, in no order.
   */
  async findByIdsOrSideRefs(
    ids: readonly string[],
    refs: readonly { system: SystemName; ref: CustomerpRef | CrmofficeRef }[],
  ): Promise<Link[]> {
    if (ids.length === 0 && refs.length === 0) return [];
    const keysOf = (system: SystemName): string[] => [
      ...new Set(refs.filter((r) => r.system === system).map(({ ref }) => refKeyOf(ref))),
    ];
    // Always the three clauses (an empty $in matches nothing): one query shape, each clause on its index.
    const docs = await this.links
      .find({
        $or: [
          { _id: { $in: [...new Set(ids)] } },
          { customerpKey: { $in: keysOf('CUSTOMERP') } },
          { crmofficeKey: { $in: keysOf('CRMOFFICE') } },
        ],
      })
      .toArray();
    return docs.map(toLink);
  }

  /** One entry per (system, ref), in the order asked, null for an unlinked record: findByRefs over both systems at once. */
  async findBySideRefs(
    refs: readonly { system: SystemName; ref: CustomerpRef | CrmofficeRef }[],
  ): Promise<(Link | null)[]> {
    if (refs.length === 0) return [];
    const wanted = refs.map(({ system, ref }) => ({ field: sideKeyFieldOf(system), key: refKeyOf(ref) }));
    const keysOf = (field: SideKeyField): string[] => [
      ...new Set(wanted.filter((w) => w.field === field).map((w) => w.key)),
    ];
    const clauses: Filter<LinkDocument>[] = [];
    for (const field of ['customerpKey', 'crmofficeKey'] as const) {
      const keys = keysOf(field);
      if (keys.length > 0) clauses.push({ [field]: { $in: keys } });
    }
    const docs = await this.links.find(clauses.length === 1 ? clauses[0]! : { $or: clauses }).toArray();
    const byKey = new Map<string, Link>();
    for (const doc of docs) {
      if (doc.customerpKey !== undefined) byKey.set(`customerpKey ${doc.customerpKey}`, toLink(doc));
      if (doc.crmofficeKey !== undefined) byKey.set(`crmofficeKey ${doc.crmofficeKey}`, toLink(doc));
    }
    return wanted.map(({ field, key }) => byKey.get(`${field} ${key}`) ?? null);
  }

  /**
   * The live links of `entity` whose `keys[key]` is one of `values` (a company's contacts, an owner's
   * activities, for many parents at once), in _id order. Unpaged: callers group and slice per parent.
   */
  async findByKey(entity: Link['entity'], key: 'companyId' | 'ownerId', values: readonly string[]): Promise<Link[]> {
    if (values.length === 0) return [];
    const docs = await this.links
      .find({ entity, [`keys.${key}`]: { $in: [...new Set(values)] }, deletedAt: null })
      .sort({ _id: 1 })
      .toArray();
    return docs.map(toLink);
  }

  /** Up to `limit` live links that hold at least one conflict, after `after`, in _id order. */
  async findWithConflicts(after: string | null, limit: number): Promise<Link[]> {
    // `conflicts.id` exists exactly when the list is not empty, and the sparse conflict_ids index holds
    // only such links: the query reads those, not every link.
    const query: Filter<LinkDocument> = { deletedAt: null, 'conflicts.id': { $exists: true } };
    if (after !== null) query._id = { $gt: after };
    const docs = await this.links.find(query).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(toLink);
  }

  /** Up to `limit` live links whose delete the mass-delete guard holds for `feed`, in _id order. */
  async findHeldDeletes(feed: string, limit: number): Promise<Link[]> {
    const docs = await this.links
      .find({ 'heldDelete.feed': feed, deletedAt: null })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toLink);
  }

  /** How many live links' deletes the mass-delete guard holds, per feed (only feeds that hold some). One aggregation. */
  async countHeldDeletes(): Promise<Map<string, number>> {
    const groups = await this.links
      .aggregate<{ _id: string; count: number }>([
        { $match: { 'heldDelete.feed': { $exists: true, $ne: null }, deletedAt: null } },
        { $group: { _id: '$heldDelete.feed', count: { $sum: 1 } } },
      ])
      .toArray();
    return new Map(groups.map(({ _id, count }) => [_id, count]));
  }

  /** How many links of `entity` were soft-deleted at or after `since` (the mass-delete guard's window). */
  async countDeletedSince(entity: Link['entity'], since: Date): Promise<number> {
    return this.links.countDocuments({ entity, deletedAt: { $gte: since } });
  }

  /** How many live links there are per entity and state (only combinations that occur). One aggregation. */
  async countByEntityAndState(): Promise<{ entity: Link['entity']; state: LinkState; count: number }[]> {
    const groups = await this.links
      .aggregate<{ _id: { entity: Link['entity']; state: LinkState }; count: number }>([
        { $match: { deletedAt: null } },
        { $group: { _id: { entity: '$entity', state: '$state' }, count: { $sum: 1 } } },
      ])
      .toArray();
    return groups.map(({ _id, count }) => ({ entity: _id.entity, state: _id.state, count }));
  }
}

/** A complete document for `fields`, with a fresh _id, version 1 and both timestamps at `now`. */
function newLinkDocument(fields: NewLink, now: Date): LinkDocument {
  const { entity } = fields;
  const customerp = fields.customerp ? { type: fields.customerp.type, id: fields.customerp.id } : null;
  const crmoffice = fields.crmoffice ? { type: fields.crmoffice.type, id: fields.crmoffice.id } : null;
  if (!customerp && !crmoffice) throw new TypeError(`a ${entity} link needs at least one side`);
  if (customerp) assertSideFits(entity, 'CUSTOMERP', customerp);
  if (crmoffice) assertSideFits(entity, 'CRMOFFICE', crmoffice);
  if (entity !== 'Contact' && fields.kind != null) throw new TypeError(`only Contact links have a kind, not ${entity}`);
  const _id = randomUUID();
  return {
    _id,
    entity,
    kind: fields.kind ?? null,
    customerp,
    crmoffice,
    snapshot: encodeSnapshot(fields.snapshot ?? null),
    keys: storedKeys(fields.keys ?? {}),
    state: fields.state ?? 'PENDING',
    reason: fields.reason ?? null,
    conflicts: storedConflicts(fields.conflicts ?? []),
    heldDelete: null,
    detached: false,
    deletedAt: null,
    lastSyncedAt: fields.lastSyncedAt ?? null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...(customerp && { customerpKey: refKeyOf(customerp) }),
    ...(crmoffice && { crmofficeKey: refKeyOf(crmoffice) }),
  };
}

/** The link as callers see it: without the derived side keys. */
function toLink(doc: LinkDocument): Link {
  const { customerpKey: _customerpKey, crmofficeKey: _crmofficeKey, ...link } = doc;
  // Links stored before `detached`, `reason` and `heldDelete` existed read as their defaults.
  return {
    ...link,
    detached: link.detached ?? false,
    reason: link.reason ?? null,
    heldDelete: link.heldDelete ?? null,
    snapshot: decodeSnapshot(link.snapshot),
  };
}

/**
 * The snapshot in its stored form (personal data as digests), with canonical field paths such as
 * `address.city` kept as `address__city`: a `.` in a stored key is one MongoDB's update and query
 * paths cannot address.
 */
function encodeSnapshot(snapshot: Record<string, unknown> | null): Record<string, unknown> | null {
  const stored = storedSnapshot(snapshot);
  return (
    stored && Object.fromEntries(Object.entries(stored).map(([field, value]) => [field.replaceAll('.', '__'), value]))
  );
}

function decodeSnapshot(snapshot: Record<string, unknown> | null): Record<string, unknown> | null {
  return (
    snapshot &&
    Object.fromEntries(Object.entries(snapshot).map(([field, value]) => [field.replaceAll('__', '.'), value]))
  );
}

function sideKeyFieldOf(system: SystemName): SideKeyField {
  return system === 'CUSTOMERP' ? 'customerpKey' : 'crmofficeKey';
}

/** The entity whose links hold `ref` on `system`'s side (each record type belongs to exactly one). */
function entityHolding(system: SystemName, ref: CustomerpRef | CrmofficeRef): Link['entity'] {
  const entity = entityOfSideType(system, ref.type);
  if (!entity) throw new TypeError(`${system} has no record type ${ref.type} that a link can hold`);
  return entity;
}

/** The $set of update(): only the fields given (undefined would be stored as null). */
function changesToSet(changes: LinkChanges): Partial<LinkDocument> {
  const set: Partial<LinkDocument> = {};
  if (changes.kind !== undefined) set.kind = changes.kind;
  if (changes.snapshot !== undefined) set.snapshot = encodeSnapshot(changes.snapshot);
  if (changes.keys !== undefined) set.keys = storedKeys(changes.keys);
  // A reason belongs to the state it was given with: a new state without one clears it.
  if (changes.state !== undefined) set.reason = changes.reason ?? null;
  else if (changes.reason !== undefined) set.reason = changes.reason;
  if (changes.state !== undefined) set.state = changes.state;
  if (changes.conflicts !== undefined) set.conflicts = storedConflicts(changes.conflicts);
  if (changes.heldDelete !== undefined) set.heldDelete = changes.heldDelete;
  if (changes.detached !== undefined) set.detached = changes.detached;
  if (changes.deletedAt !== undefined) set.deletedAt = changes.deletedAt;
  if (changes.lastSyncedAt !== undefined) set.lastSyncedAt = changes.lastSyncedAt;
  return set;
}

/** The MongoDB query for `filter` (over one entity when given); see LinkFilter for the semantics. */
function linkQuery(entity: Link['entity'] | undefined, filter: LinkFilter): Filter<LinkDocument> {
  const query: Filter<LinkDocument> = {};
  if (entity !== undefined) query.entity = entity;
  if (!filter.includeDeleted) query.deletedAt = null;
  if (filter.kind != null) query.kind = filter.kind;
  if (filter.state != null) query.state = filter.state;
  if (filter.email != null) query['keys.email'] = emailKeyOf(filter.email);
  if (filter.nameContains != null) {
    query['keys.name'] = { $regex: escapeRegExp(filter.nameContains), $options: 'i' };
  }
  if (filter.code != null) query['keys.code'] = filter.code;
  if (filter.companyId != null) query['keys.companyId'] = filter.companyId;
  if (filter.ownerId != null) query['keys.ownerId'] = filter.ownerId;
  if (filter.status != null) query['keys.status'] = filter.status;
  return query;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A unique-index violation (E11000), on an insert or an update. */
function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

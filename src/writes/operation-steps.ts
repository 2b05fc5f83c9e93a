import { ErrorCode, UpstreamRejectedError, type SystemName } from '../errors.js';
import {
  DuplicateLinkError,
  LinkNotFoundError,
  SideTakenError,
  sideFieldOf,
  StaleLinkVersionError,
  type CrmofficeRef,
  type Link,
} from '../links/index.js';
import { logger } from '../logger.js';
import {
  diffForUpdate,
  inputFieldOf,
  propertyOf,
  toCreateInput,
  type Dataflow,
  type DeferredReference,
  type Mapping,
  type SystemInput,
  type SystemRecord,
} from '../mappings/index.js';
import { feedIdOf, linkKeysOf, referencesFor } from '../reconcile/index.js';
import { SYSTEM_LABELS, type CrmofficeType, type CustomerpType } from '../upstreams/index.js';
import { stableJson } from './fingerprint.js';
import { markLinkDeleted, settleLink } from './link-settlement.js';
import { nextState, sideKeyOf, type OperationDocument, type OperationRef } from './operation.js';
import type { OperationSet } from './operation-progress.js';
import { matchesInput, previousValues } from './record-input.js';
import type { RunContext } from './run-context.js';

/** Tries of attaching a created Crmoffice record to a link that keeps changing. */
const ATTACH_ATTEMPTS = 5;

/** The record type `mapping` writes in `system`, or null when it has none there (a Crmoffice-only view in Customerp). */
function mappedTypeOf(mapping: Mapping, system: SystemName): string | null {
  return (mapping as Partial<Dataflow>)[sideKeyOf(system)]?.type ?? null;
}

/** The record type a create of `mapping` makes in `system`; throws when the mapping has no records there. */
export function createTypeOf(mapping: Mapping, system: SystemName): string {
  const type = mappedTypeOf(mapping, system);
  if (type === null) throw new Error(`mapping ${mapping.name} creates nothing in ${SYSTEM_LABELS[system]}`);
  return type;
}

/** The record type `op` writes in `system`: its record's, else the mapping's ('' when it has none there). */
export function recordTypeOf(
  op: Pick<OperationDocument, 'customerp' | 'crmoffice'>,
  system: SystemName,
  mapping: Mapping,
): string {
  return op[sideKeyOf(system)].ref?.type ?? mappedTypeOf(mapping, system) ?? '';
}

/**
 * The fields that record `system`'s step as done: the operation moves on, with the record it wrote
 * (`ref`, when there is one) APPLIED, or SKIPPED for the reason `skipped` gives.
 */
export function stepDone(system: SystemName, ref: OperationRef | null, skipped: string | null): OperationSet {
  const key = sideKeyOf(system);
  return {
    state: nextState(system),
    ...(ref ? { [`${key}.ref`]: ref } : {}),
    [`${key}.write`]: skipped === null ? 'APPLIED' : 'SKIPPED',
    [`${key}.error`]: skipped,
  };
}

/** Writes the operation's change to `system` (its step), by the operation's kind. */
export function writeSystem(context: RunContext, system: SystemName): Promise<void> {
  const kind = context.progress.operation.kind;
  switch (kind) {
    case 'create':
      return createIn(context, system);
    case 'update':
      return updateIn(context, system);
    case 'delete':
      return deleteIn(context, system);
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown operation kind ${String(unreachable)}`);
    }
  }
}

/** Both systems are written: the link gets the snapshot and keys the sync engine would give it (or is deleted), and the operation is APPLIED. */
export async function finish(context: RunContext): Promise<void> {
  if (context.progress.operation.kind === 'delete') await markLinkDeleted(context);
  else await settleLink(context);
  await context.progress.advance({ state: 'APPLIED', finishedAt: new Date() });
}

// ---- the steps -----------------------------------------------------------------------------------

/**
 * Creates the record in `system`. Customerp's record gets its (half) link at once; Crmoffice's is
 * attached to it. A create is not retry-safe, so it is marked sent first: a later run that finds the
 * mark searches for the record before creating another.
 */
async function createIn(context: RunContext, system: SystemName): Promise<void> {
  const { progress, records, links, mapping, values } = context;
  const key = sideKeyOf(system);
  const type = createTypeOf(mapping, system);
  const linkId = progress.operation.linkId;
  let link = linkId ? await links.findById(linkId) : null;
  let record: SystemRecord | null = null;
  // Only Crmoffice's record can exist already: sync may have made the new Customerp record's counterpart; use it, not a second.
  if (system === 'CRMOFFICE' && link?.crmoffice)
    record = await records.getOne('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
  if (!record && progress.operation[key].sentAt) record = await findCreated(context, system);
  if (record) {
    record = (await applyValues(context, system, record)).record;
  } else {
    const refs = await referencesFor(links, mapping, [values], []);
    const { input, deferred } = toCreateInput(mapping, system, values, refs);
    if (deferred[0]) throw goneReference(mapping, system, deferred[0]);
    const feedCursor = await CREATE_SEARCHES[system].startOf(context, type);
    await progress.advance(
      { [`${key}.sentAt`]: new Date(), [`${key}.input`]: input, [`${key}.feedCursor`]: feedCursor },
      true,
    );
    record = await records.create(system, type, input);
  }
  records.known[system] = record;
  let recordAtOnce = false;
  // Customerp is written first: its record makes the link, Crmoffice's joins it.
  if (system === 'CUSTOMERP') {
    const ref = { type: type as CustomerpType, id: record.id };
    // Half linked, PENDING until Crmoffice has its record; its keys already let list filters find it.
    const keys = linkKeysOf(mapping, values, null, await referencesFor(links, mapping, [values], []));
    link = (
      await links.ensureLink(mapping.unifiedType, 'CUSTOMERP', ref, {
        kind: progress.operation.contactKind,
        state: 'PENDING',
        keys,
      })
    ).link;
    // From then on sync knows the record (and its half link) as this operation's by id, not only by its identity key (WriteOwnership).
    recordAtOnce = true;
  } else {
    if (!link) throw new Error(`operation ${progress.operation._id} reached Crmoffice without a link`);
    ({ link, record } = await attachCrmoffice(context, link, { type: type as CrmofficeType, id: record.id }, record));
    records.known.CRMOFFICE = record;
  }
  await progress.advance({ ...stepDone(system, { type, id: record.id }, null), linkId: link._id }, recordAtOnce);
}

/**
 * The record an update or delete writes in `system`, once older operations on it have written there;
 * null when the link has no record in `system` (the step is then recorded as skipped).
 */
async function stepTarget(context: RunContext, system: SystemName): Promise<OperationRef | null> {
  const { progress } = context;
  const ref = progress.operation[sideKeyOf(system)].ref ?? (await linkSide(context, system));
  if (!ref) {
    await progress.advance(stepDone(system, null, `no ${SYSTEM_LABELS[system]} record`));
    return null;
  }
  await context.order.waitForOlder(progress.operation, system);
  return ref;
}

/** Writes the mutation's fields that `system`'s record does not hold yet; a side the link lacks is skipped. */
async function updateIn(context: RunContext, system: SystemName): Promise<void> {
  const { progress, records } = context;
  const ref = await stepTarget(context, system);
  if (!ref) return;
  const known = records.known[system];
  const record = known?.id === ref.id ? known : await records.getOne(system, ref.type, ref.id);
  if (!record)
    throw new UpstreamRejectedError(system, `${ref.type} ${ref.id} no longer exists`, ErrorCode.NotFound, undefined);
  // Customerp is written first, so only its previous values may be needed to undo it.
  const { record: written, wrote } = await applyValues(context, system, record, system === 'CUSTOMERP');
  records.known[system] = written;
  await progress.advance(stepDone(system, ref, wrote ? null : 'nothing to change'));
}

/**
 * Deletes the record in `system` (Customerp first, then Crmoffice). A delete cannot be undone
 * (a re-created record would have a new id, and Customerp clears references to a deleted record),
 * so deletes are never compensated; they pass no concurrency token, because the delete wins anyway.
 */
async function deleteIn(context: RunContext, system: SystemName): Promise<void> {
  const { progress, records } = context;
  const ref = await stepTarget(context, system);
  if (!ref) return;
  const removed = await records.remove(system, ref.type, ref.id);
  // Gone from the unified API once Customerp's record (the source) is, and the sync engine does not propagate this delete again.
  if (system === 'CUSTOMERP') await markLinkDeleted(context);
  await progress.advance(stepDone(system, ref, removed ? null : 'already deleted'));
}

// ---- writing records -----------------------------------------------------------------------------

/**
 * Writes the mutation's values to `record` as an update of the fields that differ, with the
 * record's concurrency token. When the record was edited meanwhile, refetches it and writes the
 * difference again, so newer values of other fields are kept rather than overwritten. `track`:
 * records the update and the values it replaces in the operation before sending it (compensation).
 */
async function applyValues(
  context: RunContext,
  system: SystemName,
  record: SystemRecord,
  track = false,
): Promise<{ record: SystemRecord; wrote: boolean }> {
  const { progress, records, links, mapping, values } = context;
  const key = sideKeyOf(system);
  const type = recordTypeOf(progress.operation, system, mapping);
  let current = record;
  for (let attempt = 1; ; attempt++) {
    const refs = await referencesFor(links, mapping, [values], []);
    const { input, deferred } = diffForUpdate(mapping, system, values, current, refs);
    if (deferred[0]) throw goneReference(mapping, system, deferred[0]);
    if (Object.keys(input).length === 0) return { record: current, wrote: false };
    if (track && stableJson(input) !== stableJson(progress.operation[key].input)) {
      await progress.advance({ [`${key}.input`]: input, [`${key}.previous`]: previousValues(input, current) }, true);
    }
    try {
      return {
        record: await records.update(system, type, current.id, input, records.tokenOf(system, current)),
        wrote: true,
      };
    } catch (error) {
      if (
        !(error instanceof UpstreamRejectedError && error.isConcurrencyConflict) ||
        attempt >= context.concurrencyAttempts
      )
        throw error;
      const fresh = await records.getOne(system, type, current.id);
      if (!fresh)
        throw new UpstreamRejectedError(
          system,
          `${type} ${current.id} no longer exists`,
          ErrorCode.NotFound,
          undefined,
        );
      current = fresh;
    }
  }
}

/** What a create sent, as its sent mark recorded it. */
interface SentCreate {
  input: SystemInput;
  sentAt: Date;
  feedCursor: string | null;
}

/** How a system is searched for the record a create whose answer was lost may have made. */
interface CreateSearch {
  /** Noted with the sent mark before the create is sent: where the search starts (null: it needs none). */
  startOf(context: RunContext, type: string): Promise<string | null>;
  /** The records of `type` the create may have made. */
  candidates(context: RunContext, type: string, sent: SentCreate): Promise<SystemRecord[]>;
  /** Whether `holder`, the link holding a candidate (or null), makes it another record's than the operation's on `linkId`. */
  heldByAnother(holder: Link | null, linkId: string | null): boolean;
}

const CREATE_SEARCHES: Readonly<Record<SystemName, CreateSearch>> = {
  CUSTOMERP: {
    startOf: async (context, type) => (await context.cursors.get(feedIdOf('CUSTOMERP', type)))?.cursor ?? null,
    // The change feed from the cursor noted before sending: the records created since.
    async candidates(context, type, sent) {
      const customerp = context.records.apis.CUSTOMERP;
      const ids: string[] = [];
      let cursor = sent.feedCursor;
      for (;;) {
        const page = await customerp.changes(type as CustomerpType, cursor, 500);
        for (const change of page.items) if (change.op === 'UPSERT' && change.version === 1) ids.push(change.id);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      return (await customerp.getMany(type as CustomerpType, ids)).filter(isPresent);
    },
    // Sync may have linked the new record meanwhile (a half link, or a pair it made): that is still ours.
    heldByAnother: () => false,
  },
  CRMOFFICE: {
    startOf: () => Promise.resolve(null),
    // By identity key, among the records modified since the create was sent.
    async candidates(context, type, sent) {
      const crmoffice = context.records.apis.CRMOFFICE;
      const identity = (context.mapping as Dataflow).identity?.[0];
      const field = identity ? propertyOf(context.mapping, identity)?.crmoffice : undefined;
      const value = field ? sent.input[field] : undefined;
      if (typeof value !== 'string') return [];
      const found = await crmoffice.findByIdentity(type as CrmofficeType, [value]);
      // A minute of clock skew allowed.
      return found.filter((r) => Date.parse(crmoffice.modifiedAtOf(r)) >= sent.sentAt.getTime() - 60_000);
    },
    // A Crmoffice-only half link sync gave it is ours to take over; a pair with another Customerp record is not.
    heldByAnother: (holder, linkId) => holder !== null && holder._id !== linkId && Boolean(holder.customerp),
  },
};

/**
 * Searches `system` for the record an interrupted create may have made (CREATE_SEARCHES): it must
 * hold exactly what was sent, and no other operation or pair may own it.
 */
async function findCreated(context: RunContext, system: SystemName): Promise<SystemRecord | null> {
  const op = context.progress.operation;
  const { input, sentAt, feedCursor } = op[sideKeyOf(system)];
  if (!input || !sentAt) return null;
  const type = createTypeOf(context.mapping, system);
  const search = CREATE_SEARCHES[system];
  for (const candidate of await search.candidates(context, type, { input, sentAt, feedCursor })) {
    if (!matchesInput(candidate, input)) continue;
    if (await context.operations.refersTo(system, candidate.id, op._id)) continue;
    const holder = await context.links.findByRef(system, { type, id: candidate.id } as CrmofficeRef);
    if (search.heldByAnother(holder, op.linkId)) continue;
    logger.info({ operation: op._id, system, id: candidate.id }, 'interrupted create found; not creating it again');
    return candidate;
  }
  return null;
}

/**
 * Attaches the created Crmoffice record to the link. If the sync engine linked a counterpart of its
 * own meanwhile, ours is the duplicate: it is deleted and theirs brought up to date instead.
 */
async function attachCrmoffice(
  context: RunContext,
  start: Link,
  ref: CrmofficeRef,
  record: SystemRecord,
): Promise<{ link: Link; record: SystemRecord }> {
  const { records, links } = context;
  let link = start;
  for (let attempt = 1; attempt <= ATTACH_ATTEMPTS; attempt++) {
    if (link.crmoffice?.id === ref.id) return { link, record };
    if (link.crmoffice) {
      await records.remove('CRMOFFICE', ref.type, ref.id);
      const theirs = await records.getOne('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
      if (!theirs)
        throw new UpstreamRejectedError(
          'CRMOFFICE',
          `${link.crmoffice.type} ${link.crmoffice.id} no longer exists`,
          ErrorCode.NotFound,
          undefined,
        );
      return { link, record: (await applyValues(context, 'CRMOFFICE', theirs)).record };
    }
    try {
      return { link: await links.attachSide(link._id, link.version, 'CRMOFFICE', ref), record };
    } catch (error) {
      if (error instanceof DuplicateLinkError) {
        // The sync engine saw the new Crmoffice record first and gave it a Crmoffice-only half link: retire it.
        const holder = await links.findByRef('CRMOFFICE', ref);
        if (!holder || holder.customerp) throw error;
        await links.remove(holder._id, holder.version).catch(ignoreLinkRaces);
      } else if (!(error instanceof StaleLinkVersionError || error instanceof SideTakenError)) {
        throw error;
      }
    }
    const fresh = await links.findById(link._id);
    if (!fresh) throw new LinkNotFoundError(link._id);
    link = fresh;
  }
  throw new Error(`could not attach Crmoffice ${ref.type} ${ref.id} to link ${link._id}: it kept changing`);
}

/** The record the operation's link holds in `system`, or null. */
async function linkSide(context: RunContext, system: SystemName): Promise<OperationRef | null> {
  const linkId = context.progress.operation.linkId;
  const link = linkId ? await context.links.findById(linkId) : null;
  return link?.[sideFieldOf(system)] ?? null;
}

/** A reference that can no longer be written (its target lost its record there since validation). */
function goneReference(mapping: Mapping, system: SystemName, deferred: DeferredReference): UpstreamRejectedError {
  const name = inputFieldOf(mapping.unifiedType, deferred.field);
  return new UpstreamRejectedError(
    system,
    `${name} names a record that no longer exists in ${SYSTEM_LABELS[system]}`,
    ErrorCode.BadUserInput,
    undefined,
  );
}

/** A link race lost to another writer (the link changed or went): nothing to undo. */
function ignoreLinkRaces(error: unknown): void {
  if (!(error instanceof StaleLinkVersionError) && !(error instanceof LinkNotFoundError)) throw error;
}

function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { MatchKeysAndValues } from 'mongodb';
import { ErrorCode, UpstreamRejectedError, UpstreamUnavailableError, type SystemName } from '../errors.js';
import { DuplicateLinkError, LinkNotFoundError, SideTakenError, StaleLinkVersionError, type Conflict, type CrmofficeRef, type Link, type LinkState, type LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import {
  diffForUpdate,
  inputFieldOf,
  mappedProperties,
  propertyOf,
  toCanonical,
  toCreateInput,
  type CanonicalValues,
  type Dataflow,
  type DeferredReference,
  type Mapping,
  type SystemInput,
  type SystemRecord,
} from '../mappings/index.js';
import {
  feedIdOf,
  linkKeysOf,
  mappingNamed,
  referencesFor,
  sortedValues,
  threeWayMerge,
  type FeedCursorStore,
  type SystemRecordOf,
} from '../reconcile/index.js';
import { apiOf, SYSTEM_LABELS, type CrmofficeApi, type CrmofficeType, type CustomerpApi, type CustomerpType, type SystemApis } from '../upstreams/index.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { stableJson } from './fingerprint.js';
import { matchesInput, previousValues } from './record-input.js';
import {
  decodeValues,
  isFinal,
  sideKeyOf,
  writesOf,
  type OperationDocument,
  type OperationFailure,
  type OperationRef,
  type OperationState,
} from './operation.js';
import { blockerOf, LeaseLostError, type OperationStore, type OperationSummary } from './operations.js';

export interface OperationRunnerDependencies {
  operations: OperationStore;
  links: LinkStore;
  /** The sync engine's feed cursors: where the search for a create whose answer was lost starts. */
  cursors: FeedCursorStore;
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
}

export interface OperationRunnerOptions {
  /** How long an operation stays with the process advancing it without a sign of life before another may take it over. @default 30000 */
  leaseMs?: number;
  /** How long a step waits for an older operation on the same record that is being applied right now. @default 2000 */
  orderWaitMs?: number;
  /** Spacing of retries after a system could not be reached. */
  backoff?: BackoffOptions;
  /** Attempts of one write that keeps meeting concurrent edits (each refetches and merges). @default 5 */
  concurrencyAttempts?: number;
}

/** Records this process has just read, fresh enough to write against (their tokens guard the write). */
export type KnownRecords = Partial<Record<SystemName, SystemRecord>>;

export interface RunOptions {
  known?: KnownRecords;
  /** This run's stopping point is a client's answer: record it as the outcome. @default false */
  answering?: boolean;
  /** The older unfinished operations on the same link, when the caller just read them. @default read when needed */
  older?: OperationSummary[];
}

/** Another operation on the same record has to write this system first. */
class WaitingForOlderError extends Error {
  constructor(readonly blocker: OperationSummary, readonly system: SystemName) {
    super(`waiting for an earlier change of this record to reach ${nameOf(system)}`);
    this.name = 'WaitingForOlderError';
  }
}

/**
 * Advances outbox operations through their state machine (operation.ts). Used by the write path for
 * a mutation's first run and by the outbox worker for every later one: the same code either way, so a
 * crash at any point resumes where the last recorded state left it.
 */
export class OperationRunner {
  readonly leaseMs: number;
  readonly orderWaitMs: number;
  readonly backoff: BackoffOptions;
  readonly concurrencyAttempts: number;

  /** Both systems' APIs by name. */
  readonly apis: SystemApis;

  constructor(readonly dependencies: OperationRunnerDependencies, options: OperationRunnerOptions = {}) {
    this.apis = { CUSTOMERP: dependencies.customerp, CRMOFFICE: dependencies.crmoffice };
    this.leaseMs = options.leaseMs ?? 30_000;
    this.orderWaitMs = options.orderWaitMs ?? 2000;
    this.backoff = options.backoff ?? {};
    this.concurrencyAttempts = options.concurrencyAttempts ?? 5;
  }

  /**
   * Advances `operation`, which `owner` must hold (lease), until it is finished or has to wait for a
   * system or an older operation; returns it as recorded then. A step that fails unexpectedly parks the
   * operation for a later retry and rethrows. `answering`: where this run stops is the answer a client
   * gets, recorded as the operation's outcome in the same update (for replays of its idempotency key).
   */
  run(operation: OperationDocument, owner: string, options: RunOptions = {}): Promise<OperationDocument> {
    return new OperationRun(this, operation, owner, { ...options.known }, options.answering ?? false, options.older ?? null).run();
  }
}

/** One run of one operation: the document as last recorded, and what this run has read. */
class OperationRun {
  private readonly store: OperationStore;
  private readonly links: LinkStore;
  private readonly mapping: Mapping;
  private readonly values: CanonicalValues;
  /** The state as last recorded (what the next update is guarded by), and progress not recorded yet. */
  private savedState: OperationState;
  private savedAt = Date.now();
  private unsaved: Record<string, unknown> = {};

  constructor(
    private readonly runner: OperationRunner,
    private op: OperationDocument,
    private readonly owner: string,
    private readonly known: KnownRecords,
    private readonly answering: boolean,
    /** Older unfinished operations on the link, as last read (refreshed while waiting for one). */
    private older: OperationSummary[] | null,
  ) {
    this.store = runner.dependencies.operations;
    this.links = runner.dependencies.links;
    this.mapping = mappingNamed(op.mapping);
    this.values = decodeValues(op.values);
    this.savedState = op.state;
  }

  async run(): Promise<OperationDocument> {
    for (;;) {
      const state: OperationState = this.op.state;
      try {
        switch (state) {
          case 'RECORDED':
            await this.writeSystem('CUSTOMERP');
            break;
          case 'CUSTOMERP_DONE':
            await this.writeSystem('CRMOFFICE');
            break;
          case 'CRMOFFICE_DONE':
            await this.finish();
            break;
          case 'COMPENSATING':
            await this.compensate();
            break;
          case 'APPLIED':
          case 'COMPENSATED':
          case 'FAILED':
            return this.op;
          default: {
            const unreachable: never = state;
            throw new Error(`unknown operation state ${String(unreachable)}`);
          }
        }
      } catch (error) {
        if (error instanceof LeaseLostError) return (await this.store.findById(this.op._id)) ?? this.op;
        if (error instanceof UpstreamRejectedError && !error.isConcurrencyConflict) {
          await this.reject(this.failureOf(error));
          continue;
        }
        if (error instanceof UpstreamUnavailableError) {
          await this.parkUnavailable(error.system, error.message, error.retryAfterSeconds);
          return this.op;
        }
        if (error instanceof UpstreamRejectedError) {
          // Concurrent edits kept winning: try again later rather than give up.
          await this.parkUnavailable(error.system, `kept meeting concurrent edits: ${error.message}`);
          return this.op;
        }
        if (error instanceof WaitingForOlderError) {
          await this.parkBehind(error);
          return this.op;
        }
        await this.parkUnexpected(error);
        throw error;
      }
    }
  }

  // ---- the steps ---------------------------------------------------------------------------------

  private writeSystem(system: SystemName): Promise<void> {
    const kind = this.op.kind;
    switch (kind) {
      case 'create':
        return this.createIn(system);
      case 'update':
        return this.updateIn(system);
      case 'delete':
        return this.deleteIn(system);
      default: {
        const unreachable: never = kind;
        throw new Error(`unknown operation kind ${String(unreachable)}`);
      }
    }
  }

  /**
   * Creates the record in `system`. Customerp's record gets its (half) link at once; Crmoffice's is
   * attached to it. A create is not retry-safe, so it is marked sent first: a later run that finds the
   * mark searches for the record before creating another.
   */
  private async createIn(system: SystemName): Promise<void> {
    const key = sideKeyOf(system);
    const type = this.createTypeIn(system);
    let link = this.op.linkId ? await this.links.findById(this.op.linkId) : null;
    let record: SystemRecord | null = null;
    if (system === 'CRMOFFICE' && link?.crmoffice) {
      // The sync engine gave the new Customerp record its counterpart first: use it, don't make a second.
      record = await this.getOne('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
    }
    if (!record && this.op[key].sentAt) record = await this.findCreated(system);
    if (record) {
      record = (await this.applyValues(system, record)).record;
    } else {
      const refs = await referencesFor(this.links, this.mapping, [this.values], []);
      const { input, deferred } = toCreateInput(this.mapping, system, this.values, refs);
      if (deferred[0]) throw this.goneReference(system, deferred[0]);
      const feedCursor = system === 'CUSTOMERP' ? ((await this.runner.dependencies.cursors.get(feedIdOf(system, type)))?.cursor ?? null) : null;
      await this.advance({ [`${key}.sentAt`]: new Date(), [`${key}.input`]: input, [`${key}.feedCursor`]: feedCursor }, true);
      record = await this.create(system, type, input);
    }
    this.known[system] = record;
    if (system === 'CUSTOMERP') {
      const ref = { type: type as CustomerpType, id: record.id };
      // Half linked, PENDING until Crmoffice has its record; its keys already let list filters find it.
      const keys = linkKeysOf(this.mapping, this.values, null, await referencesFor(this.links, this.mapping, [this.values], []));
      link = (await this.links.ensureLink(this.mapping.unifiedType, 'CUSTOMERP', ref, { kind: this.op.contactKind, state: 'PENDING', keys })).link;
    } else {
      if (!link) throw new Error(`operation ${this.op._id} reached Crmoffice without a link`);
      ({ link, record } = await this.attachCrmoffice(link, { type: type as CrmofficeType, id: record.id }, record));
      this.known.CRMOFFICE = record;
    }
    // Recorded at once after the Customerp create: from then on sync knows the record (and its half
    // link) as this operation's by id, not only by its identity key (WriteOwnership).
    await this.advance(
      {
        state: nextState(system),
        linkId: link._id,
        [`${key}.ref`]: { type, id: record.id },
        [`${key}.write`]: 'APPLIED',
        [`${key}.error`]: null,
      },
      system === 'CUSTOMERP',
    );
  }

  /** Writes the mutation's fields that `system`'s record does not hold yet; a side the link lacks is skipped. */
  private async updateIn(system: SystemName): Promise<void> {
    const key = sideKeyOf(system);
    const ref = this.op[key].ref ?? (await this.linkSide(system));
    if (!ref) {
      await this.advance({ state: nextState(system), [`${key}.write`]: 'SKIPPED', [`${key}.error`]: `no ${nameOf(system)} record` });
      return;
    }
    await this.waitForOlder(system);
    const known = this.known[system];
    const record = known?.id === ref.id ? known : await this.getOne(system, ref.type, ref.id);
    if (!record) throw new UpstreamRejectedError(system, `${ref.type} ${ref.id} no longer exists`, ErrorCode.NotFound, undefined);
    // Customerp is written first, so only its previous values may be needed to undo it.
    const { record: written, wrote } = await this.applyValues(system, record, system === 'CUSTOMERP');
    this.known[system] = written;
    await this.advance({
      state: nextState(system),
      [`${key}.ref`]: ref,
      [`${key}.write`]: wrote ? 'APPLIED' : 'SKIPPED',
      [`${key}.error`]: wrote ? null : 'nothing to change',
    });
  }

  /**
   * Deletes the record in `system` (Customerp first, then Crmoffice). A delete cannot be undone
   * (a re-created record would have a new id, and Customerp clears references to a deleted record),
   * so deletes are never compensated; they pass no concurrency token, because the delete wins anyway.
   */
  private async deleteIn(system: SystemName): Promise<void> {
    const key = sideKeyOf(system);
    const ref = this.op[key].ref ?? (await this.linkSide(system));
    if (!ref) {
      await this.advance({ state: nextState(system), [`${key}.write`]: 'SKIPPED', [`${key}.error`]: `no ${nameOf(system)} record` });
      return;
    }
    await this.waitForOlder(system);
    const removed = await this.remove(system, ref.type, ref.id);
    // Gone from the unified API at once, and the sync engine does not propagate this delete again.
    if (system === 'CUSTOMERP') await this.markLinkDeleted();
    await this.advance({
      state: nextState(system),
      [`${key}.ref`]: ref,
      [`${key}.write`]: removed ? 'APPLIED' : 'SKIPPED',
      [`${key}.error`]: removed ? null : 'already deleted',
    });
  }

  /** Both systems are written: the link gets the snapshot and keys the sync engine would give it. */
  private async finish(): Promise<void> {
    if (this.op.kind === 'delete') await this.markLinkDeleted();
    else await this.settleLink();
    await this.advance({ state: 'APPLIED', finishedAt: new Date() });
  }

  /** Crmoffice refused for good: undo what Customerp applied. */
  private async compensate(): Promise<void> {
    try {
      if (this.op.kind === 'create') {
        const ref = this.op.customerp.ref;
        if (ref) await this.remove('CUSTOMERP', ref.type, ref.id);
        const link = this.op.linkId ? await this.links.findById(this.op.linkId) : null;
        // A counterpart the sync engine made meanwhile goes too: the record as a whole is undone.
        if (link?.crmoffice) await this.remove('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
        await this.markLinkDeleted();
      } else {
        await this.restoreCustomerp();
        await this.settleLinkState();
      }
    } catch (error) {
      if (!(error instanceof UpstreamRejectedError) || error.isConcurrencyConflict) throw error;
      logger.error({ operation: this.op._id, reason: error.message }, 'write-through compensation refused; left as it is');
      await this.advance({ state: 'FAILED', finishedAt: new Date(), 'customerp.error': `could not be undone: ${error.message}` });
      return;
    }
    const cause = this.op.failure ? `${nameOf(this.op.failure.system)} refused the change` : 'the other system refused the change';
    await this.advance({ state: 'COMPENSATED', finishedAt: new Date(), 'customerp.write': 'COMPENSATED', 'customerp.error': `undone because ${cause}` });
  }

  /** A system refused the step for good: fail, or go undo the first system. */
  private async reject(failure: OperationFailure): Promise<void> {
    const now = new Date();
    if (this.op.state === 'RECORDED') {
      await this.advance({
        state: 'FAILED',
        failure,
        finishedAt: now,
        'customerp.write': 'FAILED',
        'customerp.error': failure.message,
        'crmoffice.write': 'SKIPPED',
        'crmoffice.error': 'not written: Customerp refused the change',
      });
      await this.settleLinkState();
      return;
    }
    if (this.op.state !== 'CUSTOMERP_DONE') throw new Error(`operation ${this.op._id}: a rejection in state ${this.op.state}`);
    const crmoffice = { 'crmoffice.write': 'FAILED', 'crmoffice.error': failure.message };
    if (this.op.kind === 'delete' && this.op.customerp.write === 'APPLIED') {
      await this.advance({ state: 'FAILED', failure, finishedAt: now, ...crmoffice });
      await this.keepAsCrmofficeOnly();
      return;
    }
    const customerpWritten =
      (this.op.kind === 'create' && this.op.customerp.ref !== null) ||
      (this.op.kind === 'update' && this.op.customerp.write === 'APPLIED' && Object.keys(this.op.customerp.input ?? {}).length > 0);
    if (customerpWritten) await this.advance({ state: 'COMPENSATING', failure, ...crmoffice }, true);
    else {
      await this.advance({ state: 'FAILED', failure, finishedAt: now, ...crmoffice });
      await this.settleLinkState();
    }
  }

  // ---- writing records ---------------------------------------------------------------------------

  /**
   * Writes the mutation's values to `record` as an update of the fields that differ, with the
   * record's concurrency token. When the record was edited meanwhile, refetches it and writes the
   * difference again, so newer values of other fields are kept rather than overwritten. `track`:
   * records the update and the values it replaces in the operation before sending it (compensation).
   */
  private async applyValues(system: SystemName, record: SystemRecord, track = false): Promise<{ record: SystemRecord; wrote: boolean }> {
    const key = sideKeyOf(system);
    const type = recordTypeOf(this.op, system, this.mapping);
    let current = record;
    for (let attempt = 1; ; attempt++) {
      const refs = await referencesFor(this.links, this.mapping, [this.values], []);
      const { input, deferred } = diffForUpdate(this.mapping, system, this.values, current, refs);
      if (deferred[0]) throw this.goneReference(system, deferred[0]);
      if (Object.keys(input).length === 0) return { record: current, wrote: false };
      if (track && stableJson(input) !== stableJson(this.op[key].input)) {
        await this.advance({ [`${key}.input`]: input, [`${key}.previous`]: previousValues(input, current) }, true);
      }
      try {
        return { record: await this.update(system, type, current.id, input, this.tokenOf(system, current)), wrote: true };
      } catch (error) {
        if (!(error instanceof UpstreamRejectedError && error.isConcurrencyConflict) || attempt >= this.runner.concurrencyAttempts) throw error;
        const fresh = await this.getOne(system, type, current.id);
        if (!fresh) throw new UpstreamRejectedError(system, `${type} ${current.id} no longer exists`, ErrorCode.NotFound, undefined);
        current = fresh;
      }
    }
  }

  /** Writes back the values an update replaced in Customerp, on the fields that still hold what it wrote. */
  private async restoreCustomerp(): Promise<void> {
    const { ref, input, previous } = this.op.customerp;
    if (!ref || !input || !previous) return;
    let current = await this.getOne('CUSTOMERP', ref.type, ref.id);
    for (let attempt = 1; current; attempt++) {
      const fields = current as unknown as Record<string, unknown>;
      const restore: SystemInput = {};
      for (const [field, written] of Object.entries(input)) {
        if (stableJson(fields[field] ?? null) === stableJson(written ?? null)) restore[field] = previous[field] ?? null;
      }
      if (Object.keys(restore).length === 0) return;
      try {
        this.known.CUSTOMERP = await this.update('CUSTOMERP', ref.type, ref.id, restore, this.tokenOf('CUSTOMERP', current));
        return;
      } catch (error) {
        if (!(error instanceof UpstreamRejectedError && error.isConcurrencyConflict) || attempt >= this.runner.concurrencyAttempts) throw error;
        current = await this.getOne('CUSTOMERP', ref.type, ref.id);
      }
    }
  }

  /**
   * Searches `system` for the record an interrupted create may have made: Customerp's change feed from
   * the cursor noted before sending (records created since), Crmoffice by identity key; the record
   * must hold exactly what was sent, and no other operation or pair may own it.
   */
  private async findCreated(system: SystemName): Promise<SystemRecord | null> {
    const key = sideKeyOf(system);
    const { input, sentAt } = this.op[key];
    if (!input || !sentAt) return null;
    const type = this.createTypeIn(system);
    let candidates: SystemRecord[] = [];
    if (system === 'CUSTOMERP') {
      const ids: string[] = [];
      let cursor = this.op.customerp.feedCursor;
      for (;;) {
        const page = await this.runner.dependencies.customerp.changes(type as CustomerpType, cursor, 500);
        for (const change of page.items) if (change.op === 'UPSERT' && change.version === 1) ids.push(change.id);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      candidates = (await this.runner.dependencies.customerp.getMany(type as CustomerpType, ids)).filter(isPresent);
    } else {
      const identity = (this.mapping as Dataflow).identity?.[0];
      const field = identity ? propertyOf(this.mapping, identity)?.crmoffice : undefined;
      const value = field ? input[field] : undefined;
      if (typeof value === 'string') {
        const found = await this.runner.dependencies.crmoffice.findByIdentity(type as CrmofficeType, [value]);
        // Only records made since the create was sent (a minute of clock skew allowed).
        candidates = found.filter((r) => Date.parse(this.runner.dependencies.crmoffice.modifiedAtOf(r)) >= sentAt.getTime() - 60_000);
      }
    }
    for (const candidate of candidates) {
      if (!matchesInput(candidate, input)) continue;
      if (await this.store.refersTo(system, candidate.id, this.op._id)) continue;
      const holder = await this.links.findByRef(system, { type, id: candidate.id } as CrmofficeRef);
      if (system === 'CRMOFFICE' && holder && holder._id !== this.op.linkId && holder.customerp) continue;
      logger.info({ operation: this.op._id, system, id: candidate.id }, 'interrupted create found; not creating it again');
      return candidate;
    }
    return null;
  }

  /**
   * Attaches the created Crmoffice record to the link. If the sync engine linked a counterpart of its
   * own meanwhile, ours is the duplicate: it is deleted and theirs brought up to date instead.
   */
  private async attachCrmoffice(start: Link, ref: CrmofficeRef, record: SystemRecord): Promise<{ link: Link; record: SystemRecord }> {
    let link = start;
    for (let attempt = 1; attempt <= 5; attempt++) {
      if (link.crmoffice?.id === ref.id) return { link, record };
      if (link.crmoffice) {
        await this.remove('CRMOFFICE', ref.type, ref.id);
        const theirs = await this.getOne('CRMOFFICE', link.crmoffice.type, link.crmoffice.id);
        if (!theirs) throw new UpstreamRejectedError('CRMOFFICE', `${link.crmoffice.type} ${link.crmoffice.id} no longer exists`, ErrorCode.NotFound, undefined);
        return { link, record: (await this.applyValues('CRMOFFICE', theirs)).record };
      }
      try {
        return { link: await this.links.attachSide(link._id, link.version, 'CRMOFFICE', ref), record };
      } catch (error) {
        if (error instanceof DuplicateLinkError) {
          // The sync engine saw the new Crmoffice record first and gave it a Crmoffice-only half link: retire it.
          const holder = await this.links.findByRef('CRMOFFICE', ref);
          if (!holder || holder.customerp) throw error;
          await this.links.remove(holder._id, holder.version).catch(ignoreLinkRaces);
        } else if (!(error instanceof StaleLinkVersionError || error instanceof SideTakenError)) {
          throw error;
        }
      }
      const fresh = await this.links.findById(link._id);
      if (!fresh) throw new LinkNotFoundError(link._id);
      link = fresh;
    }
    throw new Error(`could not attach Crmoffice ${ref.type} ${ref.id} to link ${link._id}: it kept changing`);
  }

  // ---- the link ----------------------------------------------------------------------------------

  /**
   * Saves the link's snapshot, keys and state after both systems hold the values. Creates: the merge
   * the sync engine makes when it links a new pair. Updates: the previous snapshot with the mutation's
   * fields (only they are known to be on both sides now; a concurrent edit of another field stays a
   * change for the sync engine to carry over). Crmoffice-only records: their values as they are.
   */
  private async settleLink(): Promise<void> {
    if (!this.op.linkId) return;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const link = await this.links.findById(this.op.linkId);
      if (!link || link.deletedAt) return;
      const customerp = link.customerp ? await this.current('CUSTOMERP', link.customerp) : null;
      const crmoffice = link.crmoffice ? await this.current('CRMOFFICE', link.crmoffice) : null;
      const records: SystemRecordOf[] = [];
      if (customerp) records.push({ system: 'CUSTOMERP', record: customerp });
      if (crmoffice) records.push({ system: 'CRMOFFICE', record: crmoffice });
      const refs = await referencesFor(this.links, this.mapping, [this.values], records);
      let snapshot: CanonicalValues;
      if (this.op.kind === 'create' && customerp && crmoffice) {
        snapshot = threeWayMerge({
          base: null,
          customerp: toCanonical(this.mapping, 'CUSTOMERP', customerp, refs).values,
          crmoffice: toCanonical(this.mapping, 'CRMOFFICE', crmoffice, refs).values,
          customerpModifiedAt: this.runner.dependencies.customerp.modifiedAtOf(customerp),
          crmofficeModifiedAt: this.runner.dependencies.crmoffice.modifiedAtOf(crmoffice),
        }).merged;
      } else if (!link.customerp && crmoffice) {
        snapshot = toCanonical(this.mapping, 'CRMOFFICE', crmoffice, refs).values;
      } else {
        snapshot = sortedValues({ ...((link.snapshot ?? {}) as CanonicalValues), ...this.values });
      }
      const now = new Date();
      const resolved = this.op.conflict;
      const conflicts: Conflict[] = resolved
        ? link.conflicts.map((c) => (c.id === resolved.id ? { ...c, kept: resolved.keep, resolvedAt: c.resolvedAt ?? now } : c))
        : link.conflicts;
      const keys = linkKeysOf(this.mapping, snapshot, crmoffice, refs);
      try {
        await this.links.update(link._id, link.version, { snapshot, keys, conflicts, state: await this.settledState(link, conflicts), lastSyncedAt: now });
        return;
      } catch (error) {
        if (!(error instanceof StaleLinkVersionError)) throw error;
      }
    }
    throw new Error(`link ${this.op.linkId} kept changing while operation ${this.op._id} settled it`);
  }

  /** The link's state once this operation is done: PENDING while others are not, then by its conflicts. */
  private async settledState(link: Link, conflicts: readonly Conflict[]): Promise<LinkState> {
    if (await this.store.hasOtherUnfinished(link._id, this.op._id)) return 'PENDING';
    return conflicts.some((c) => !c.resolvedAt) ? 'CONFLICT' : 'IN_SYNC';
  }

  /** A link this operation marked PENDING goes back to its settled state (after a failure or an undo). */
  private async settleLinkState(): Promise<void> {
    await this.updateLink(async (link) => (link.state === 'PENDING' ? { state: await this.settledState(link, link.conflicts) } : null));
  }

  private async markLinkPending(): Promise<void> {
    await this.updateLink((link) => Promise.resolve(link.state === 'PENDING' ? null : { state: 'PENDING' as const }));
  }

  private async markLinkDeleted(): Promise<void> {
    await this.updateLink(() => Promise.resolve({ deletedAt: new Date(), state: 'IN_SYNC' as const }));
  }

  /** A delete Crmoffice refused for good: the Crmoffice record lives on as a Crmoffice-only record. */
  private async keepAsCrmofficeOnly(): Promise<void> {
    if (!this.op.linkId) return;
    const kind = this.mapping.unifiedType === 'Contact' ? ('CRM_ONLY' as const) : null;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const link = await this.links.findById(this.op.linkId);
      if (!link) return;
      try {
        const revived = await this.links.update(link._id, link.version, { deletedAt: null, state: 'ERROR', kind });
        if (revived.customerp) await this.links.detachSide(revived._id, revived.version, 'CUSTOMERP');
        return;
      } catch (error) {
        if (!(error instanceof StaleLinkVersionError)) throw error;
      }
    }
  }

  /** Applies `change(link)` (null: nothing to change) to the live link, retrying when it moved meanwhile. */
  private async updateLink(change: (link: Link) => Promise<Parameters<LinkStore['update']>[2] | null>): Promise<void> {
    if (!this.op.linkId) return;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const link = await this.links.findById(this.op.linkId);
      if (!link || link.deletedAt) return;
      const changes = await change(link);
      if (!changes) return;
      try {
        await this.links.update(link._id, link.version, changes);
        return;
      } catch (error) {
        if (!(error instanceof StaleLinkVersionError)) throw error;
      }
    }
  }

  // ---- waiting -----------------------------------------------------------------------------------

  /**
   * Operations of one record write each system in the order they were recorded (else a retried older
   * change could overwrite a newer one). An older one being applied right now is waited for briefly;
   * one that waits itself (a system down) makes this one wait too.
   */
  private async waitForOlder(system: SystemName): Promise<void> {
    const deadline = Date.now() + this.runner.orderWaitMs;
    // Read once per run: operations recorded later can never be older than this one.
    this.older ??= await this.store.olderOnLink(this.op);
    for (;;) {
      const blocker = blockerOf(this.older, system);
      if (!blocker) return;
      const inFlight = blocker.lease.owner !== null && blocker.lease.until.getTime() > Date.now();
      if (!inFlight || Date.now() >= deadline) throw new WaitingForOlderError(blocker, system);
      await sleep(20);
      this.older = await this.store.olderOnLink(this.op);
    }
  }

  private async parkUnavailable(system: SystemName, reason: string, retryAfterSeconds?: number): Promise<void> {
    const delay = backoffDelay(this.op.attempts + 1, this.runner.backoff, retryAfterSeconds);
    await this.park(new Date(Date.now() + delay), { lastError: reason, ...this.pendingStep(system, reason) }, true);
    await this.markLinkPending();
    logger.info({ operation: this.op._id, system, retryInMs: Math.round(delay), reason }, 'write-through step left for the outbox worker');
  }

  private async parkBehind(waiting: WaitingForOlderError): Promise<void> {
    const after = Math.max(waiting.blocker.nextAttemptAt.getTime(), Date.now()) + 50;
    await this.park(new Date(after), this.pendingStep(waiting.system, waiting.message), false);
    await this.markLinkPending();
  }

  private async parkUnexpected(error: unknown): Promise<void> {
    logger.error({ operation: this.op._id, err: error }, 'write-through step failed unexpectedly; retried later');
    try {
      const delay = backoffDelay(this.op.attempts + 1, this.runner.backoff);
      await this.park(new Date(Date.now() + delay), { lastError: String(error) }, true);
    } catch {
      // MongoDB itself may be what failed: the lease runs out and the worker takes over.
    }
  }

  /** The side fields that say the current step's system is pending, when `system` is that step's. */
  private pendingStep(system: SystemName, reason: string): MatchKeysAndValues<OperationDocument> {
    const step: SystemName | null = this.op.state === 'RECORDED' ? 'CUSTOMERP' : this.op.state === 'CUSTOMERP_DONE' ? 'CRMOFFICE' : null;
    if (step !== system) return {};
    const key = sideKeyOf(system);
    return { [`${key}.write`]: 'PENDING', [`${key}.error`]: reason };
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /**
   * Moves the operation on. Progress is recorded lazily: it is kept in memory and written in one update
   * at the next point that needs it recorded (`persist`: before a create or an update that must be
   * undoable is sent; a final state; parking; a lease that needs renewing). Losing unrecorded progress
   * in a crash is safe because every step is idempotent when repeated: updates write only what still
   * differs, deletes of a gone record do nothing, and creates are marked sent (persisted) first.
   */
  private async advance(set: MatchKeysAndValues<OperationDocument>, persist = false): Promise<void> {
    this.unsaved = { ...this.unsaved, ...(set as Record<string, unknown>) };
    this.op = withSet(this.op, set as Record<string, unknown>);
    if (persist || isFinal(this.op.state) || Date.now() - this.savedAt > this.runner.leaseMs / 3) await this.save();
  }

  /** Records the progress kept in memory, in one update guarded by the last recorded state and the lease. */
  private async save(): Promise<void> {
    const set = isFinal(this.op.state) ? this.answered(this.unsaved) : this.unsaved;
    this.op = await this.store.advance({ _id: this.op._id, state: this.savedState }, this.owner, this.runner.leaseMs, set);
    this.savedState = this.op.state;
    this.savedAt = Date.now();
    this.unsaved = {};
  }

  /** Records the progress kept in memory and `set`, gives the lease up and schedules the next attempt. */
  private async park(nextAttemptAt: Date, set: Record<string, unknown>, countAttempt: boolean): Promise<void> {
    this.op = withSet(this.op, set);
    const all = this.answered({ ...this.unsaved, ...set });
    this.op = await this.store.park({ _id: this.op._id, state: this.savedState }, this.owner, nextAttemptAt, all, countAttempt);
    this.savedState = this.op.state;
    this.unsaved = {};
  }

  /** `set`, plus the outcome the operation (as in memory) gives, when this run answers a client and none was recorded yet. */
  private answered(set: Record<string, unknown>): MatchKeysAndValues<OperationDocument> {
    if (!this.answering || this.op.outcome) return set;
    return { ...set, outcome: { writes: writesOf(this.op), failure: this.op.failure } };
  }

  private async linkSide(system: SystemName): Promise<OperationRef | null> {
    const link = this.op.linkId ? await this.links.findById(this.op.linkId) : null;
    return (system === 'CUSTOMERP' ? link?.customerp : link?.crmoffice) ?? null;
  }

  /** The record of `ref` as this run last saw it, or read now. */
  private async current(system: SystemName, ref: OperationRef): Promise<SystemRecord | null> {
    const known = this.known[system];
    if (known?.id === ref.id) return known;
    const record = await this.getOne(system, ref.type, ref.id);
    if (record) this.known[system] = record;
    return record;
  }

  private createTypeIn(system: SystemName): string {
    if (system === 'CRMOFFICE') return this.mapping.crmoffice.type;
    const flow = this.mapping as Partial<Dataflow>;
    if (!flow.customerp) throw new Error(`mapping ${this.mapping.name} creates nothing in Customerp`);
    return flow.customerp.type;
  }

  private failureOf(error: UpstreamRejectedError): OperationFailure {
    return { message: error.message, system: error.system, upstreamCode: error.upstreamCode ?? null, field: unifiedFieldOf(this.mapping, error.system, error.field) };
  }

  /** A reference that can no longer be written (its target lost its record there since validation). */
  private goneReference(system: SystemName, deferred: DeferredReference): UpstreamRejectedError {
    const name = inputFieldOf(this.mapping.unifiedType, deferred.field);
    return new UpstreamRejectedError(system, `${name} names a record that no longer exists in ${nameOf(system)}`, ErrorCode.BadUserInput, undefined);
  }

  private getOne(system: SystemName, type: string, id: string): Promise<SystemRecord | null> {
    return this.api(system).getMany(type, [id]).then((records) => records[0] ?? null);
  }

  private create(system: SystemName, type: string, input: SystemInput): Promise<SystemRecord> {
    return this.api(system).create(type, input);
  }

  private update(system: SystemName, type: string, id: string, input: SystemInput, token: string): Promise<SystemRecord> {
    return this.api(system).update(type, id, input, token);
  }

  private remove(system: SystemName, type: string, id: string): Promise<boolean> {
    return this.api(system).remove(type, id, null);
  }

  private tokenOf(system: SystemName, record: SystemRecord): string {
    return this.api(system).tokenOf(record);
  }

  private api(system: SystemName) {
    return apiOf(this.runner.apis, system);
  }
}

/** The document as `set` ($set's dotted paths) would leave it. */
function withSet(operation: OperationDocument, set: Record<string, unknown>): OperationDocument {
  const next = structuredClone(operation) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(set)) {
    const parts = path.split('.');
    let target = next;
    for (const part of parts.slice(0, -1)) {
      const child = target[part];
      target = (typeof child === 'object' && child !== null ? child : (target[part] = {})) as Record<string, unknown>;
    }
    target[parts.at(-1) as string] = value;
  }
  return next as unknown as OperationDocument;
}

function nextState(system: SystemName): OperationState {
  return system === 'CUSTOMERP' ? 'CUSTOMERP_DONE' : 'CRMOFFICE_DONE';
}

function nameOf(system: SystemName): string {
  return SYSTEM_LABELS[system];
}


/** The record type an operation writes in `system`. */
function recordTypeOf(op: OperationDocument, system: SystemName, mapping: Mapping): string {
  const ref = op[sideKeyOf(system)].ref;
  if (ref) return ref.type;
  return system === 'CRMOFFICE' ? mapping.crmoffice.type : ((mapping as Partial<Dataflow>).customerp?.type ?? '');
}

/** The unified input field behind a system's field name (`mobilePhone` → `mobile`), or null. */
function unifiedFieldOf(mapping: Mapping, system: SystemName, field: string | undefined): string | null {
  if (!field) return null;
  const property = mappedProperties(mapping).find((p) => (system === 'CUSTOMERP' ? p.customerp : p.crmoffice) === field);
  return property ? inputFieldOf(mapping.unifiedType, property.field) : null;
}

function ignoreLinkRaces(error: unknown): void {
  if (!(error instanceof StaleLinkVersionError) && !(error instanceof LinkNotFoundError)) throw error;
}

function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { BadUserInputError, NotFoundError, UpstreamUnavailableError, type SystemName } from '../errors.js';
import {
  asOneChange,
  decodeUnifiedId,
  DuplicateLinkError,
  encodeUnifiedId,
  isLiveLink,
  LinkStore,
  SideTakenError,
  StaleLinkVersionError,
  type CrmofficeRef,
  type CustomerpRef,
  type Link,
  type LinkEntity,
} from '../links/index.js';
import {
  IDENTITY_CONFLICT_FIELD,
  crmofficeOnly,
  dataflowForCustomerp,
  dataflowForUnified,
  diffForUpdate,
  isDigest,
  personalValueOf,
  toCanonical,
  withoutDigests,
  type CanonicalValue,
  type CanonicalValues,
  type Dataflow,
  type Mapping,
} from '../mappings/index.js';
import { FeedCursorStore, linkKeysOf, mappingOfLink, pairRecords, referencesFor } from '../reconcile/index.js';
import {
  CRMOFFICE_TYPES,
  CUSTOMERP_TYPES,
  type CrmofficeApi,
  type CrmofficeType,
  type CustomerpApi,
  type CustomerpType,
} from '../upstreams/index.js';
import { fingerprintOf } from './fingerprint.js';
import {
  encodeValues,
  isFinal,
  writesOf,
  type OperationDocument,
  type OperationKind,
  type OperationOutcome,
  type OperationRef,
  type SideProgress,
  type SystemWrite,
} from './operation.js';
import { OperationRunner, type KnownRecords, type OperationRunnerOptions } from './operation-runner.js';
import { previousValues } from './record-input.js';
import { callerKey, internalKey, OperationStore, operationIdOf, type IdempotencyKey } from './operations.js';
import {
  idempotencyKeyOf,
  linkOfArgument,
  validatedValues,
  type CreateActivityInput,
  type CreateCompanyInput,
  type CreateContactInput,
  type RecordRefInput,
  type UpdateActivityInput,
  type UpdateCompanyInput,
  type UpdateContactInput,
} from './unified-input.js';
import { WriteRejectedError } from './write-errors.js';

export interface WriteThroughDependencies {
  db: Db;
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
}

export interface WriteThroughOptions extends OperationRunnerOptions {
  /** This process's name on the operations it leases. @default host:pid:random */
  owner?: string;
  /** How long a retry with the same idempotency key waits for the first call's answer. @default 10000 */
  replayWaitMs?: number;
}

/** What a create, update or delete did. */
export interface WriteResult {
  operationId: string;
  entity: LinkEntity;
  /** The link written; null while no record exists yet (a create whose first system is unreachable). */
  linkId: string | null;
  /** The unified id of the record (null like linkId). */
  id: string | null;
  /** Per system, Customerp first. */
  writes: SystemWrite[];
}

/** What linkRecords / unlinkRecords did: the links afterwards (one, or one per side) and no upstream write. */
export interface LinkResult {
  links: Link[];
  writes: SystemWrite[];
}

/** What resolveConflict did: the write of the kept value, and the conflict it closed. */
export interface ConflictResult extends WriteResult {
  conflictId: string;
}

/** The caller of a WriteThrough not given one (forCaller): processes and tests acting on their own. */
export const ANONYMOUS_CALLER = 'anonymous';

/** Not an input field: the idempotency key is no part of what a retry must repeat. */
type WithKey = { idempotencyKey?: string | null };

/**
 * The write-through service (docs/design.md, "Write-through semantics"): each mutation is validated before anything
 * is written, recorded as an operation in the outbox, then written to Customerp and Crmoffice in that
 * order, with the link and its snapshot kept as the sync engine would keep them. A system that cannot
 * be reached leaves its write PENDING for the outbox worker; one that refuses for good gets the other
 * system's write undone. Idempotency keys make retries return the first answer.
 */
export class WriteThrough {
  readonly operations: OperationStore;
  readonly links: LinkStore;
  readonly runner: OperationRunner;
  readonly owner: string;
  private readonly customerp: CustomerpApi;
  private readonly crmoffice: CrmofficeApi;
  private readonly replayWaitMs: number;
  /** Whose idempotency keys this service answers with (forCaller). */
  private caller = ANONYMOUS_CALLER;

  constructor(dependencies: WriteThroughDependencies, options: WriteThroughOptions = {}) {
    this.operations = new OperationStore(dependencies.db);
    this.links = new LinkStore(dependencies.db);
    this.customerp = dependencies.customerp;
    this.crmoffice = dependencies.crmoffice;
    this.runner = new OperationRunner(
      {
        operations: this.operations,
        links: this.links,
        cursors: new FeedCursorStore(dependencies.db),
        customerp: this.customerp,
        crmoffice: this.crmoffice,
      },
      options,
    );
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}:writes`;
    this.replayWaitMs = options.replayWaitMs ?? 10_000;
  }

  /**
   * This service answering for `caller` (a principal's subject): its idempotency keys are its own,
   * so the same key from two callers gives two independent results. One view per request; the
   * stores, the runner and the systems are shared.
   */
  forCaller(caller: string): WriteThrough {
    const view = Object.create(this) as WriteThrough;
    view.caller = caller;
    return view;
  }

  // ---- contacts, companies, activities ------------------------------------------------------------

  /** Creates a Customerp Employee (kind EMPLOYEE) or Contact (CUSTOMER_CONTACT) and its Crmoffice Contact. */
  async createContact(input: CreateContactInput): Promise<WriteResult> {
    const kind = input.kind;
    const flow = kind === 'EMPLOYEE' || kind === 'CUSTOMER_CONTACT' ? dataflowForUnified('Contact', kind) : null;
    if (!flow)
      throw new BadUserInputError(
        'kind must be EMPLOYEE or CUSTOMER_CONTACT (Crmoffice-only contacts are made in Crmoffice)',
        'kind',
      );
    return this.create('createContact', flow, input);
  }

  /** Updates both records of a contact: only the fields given (null clears one). */
  updateContact(id: string, input: UpdateContactInput): Promise<WriteResult> {
    return this.update('updateContact', 'Contact', id, input);
  }

  deleteContact(id: string, idempotencyKey?: string | null): Promise<WriteResult> {
    return this.delete('deleteContact', 'Contact', id, idempotencyKey);
  }

  /** Creates a Customerp Product and its Crmoffice Company. */
  createCompany(input: CreateCompanyInput): Promise<WriteResult> {
    return this.create('createCompany', requiredFlow('Company'), input);
  }

  updateCompany(id: string, input: UpdateCompanyInput): Promise<WriteResult> {
    return this.update('updateCompany', 'Company', id, input);
  }

  deleteCompany(id: string, idempotencyKey?: string | null): Promise<WriteResult> {
    return this.delete('deleteCompany', 'Company', id, idempotencyKey);
  }

  /** Creates a Customerp Project and its Crmoffice Activity; `ownerId` must name an EMPLOYEE contact. */
  createActivity(input: CreateActivityInput): Promise<WriteResult> {
    return this.create('createActivity', requiredFlow('Activity'), input);
  }

  updateActivity(id: string, input: UpdateActivityInput): Promise<WriteResult> {
    return this.update('updateActivity', 'Activity', id, input);
  }

  deleteActivity(id: string, idempotencyKey?: string | null): Promise<WriteResult> {
    return this.delete('deleteActivity', 'Activity', id, idempotencyKey);
  }

  // ---- links and conflicts -----------------------------------------------------------------------

  /**
   * Links two existing records that belong together, after checking that both exist and neither is
   * linked (a Crmoffice-only record's half link does not count: it is retired). Writes no system: the
   * link starts without a snapshot, PENDING, and the next sync pass merges the two records' values.
   */
  async linkRecords(customerp: RecordRefInput, crmoffice: RecordRefInput): Promise<LinkResult> {
    const cpRef = customerpRefOf(customerp);
    const crmRef = crmofficeRefOf(crmoffice);
    const flow = dataflowForCustomerp(cpRef.type);
    if (flow.crmoffice.type !== crmRef.type) {
      throw new BadUserInputError(
        `a Customerp ${cpRef.type} links with a Crmoffice ${flow.crmoffice.type}, not a ${crmRef.type}`,
        'crmoffice.type',
      );
    }
    const [[cpRecord], [crmRecord]] = await Promise.all([
      this.customerp.getMany(cpRef.type, [cpRef.id]),
      this.crmoffice.getMany(crmRef.type, [crmRef.id]),
    ]);
    if (!cpRecord) throw new BadUserInputError(`customerp.id names no Customerp ${cpRef.type}`, 'customerp.id');
    if (!crmRecord) throw new BadUserInputError(`crmoffice.id names no Crmoffice ${crmRef.type}`, 'crmoffice.id');
    for (let attempt = 1; ; attempt++) {
      try {
        return {
          links: [await asOneChange(() => this.pair(flow, cpRef, crmRef))],
          writes: skipped('nothing written: the next sync pass merges the two records'),
        };
      } catch (error) {
        if (!(error instanceof StaleLinkVersionError) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Separates a linked record into two: the link (and its id) keeps the Customerp record, the
   * Crmoffice record gets a half link of its own. Writes no system.
   */
  unlinkRecords(id: string): Promise<LinkResult> {
    // Subscribers see the two records (the kept link, the new half link) change once each.
    return asOneChange(() => this.unlink(id));
  }

  private async unlink(id: string): Promise<LinkResult> {
    const entity = decodeUnifiedId(id)?.entity;
    const link = entity ? await linkOfArgument(this.links, id, entity, 'id') : null;
    if (!entity || !link) throw new BadUserInputError('id names no record', 'id');
    if (!link.customerp || !link.crmoffice)
      throw new BadUserInputError('id names a record that is not linked to both systems', 'id');
    const crmRef = link.crmoffice;
    const [crmRecord] = await this.crmoffice.getMany(crmRef.type, [crmRef.id]);
    // Not PENDING: the sync engine retries pending links at once. Detached: otherwise the record's next
    // change would pair it again by identity key (or create a counterpart).
    let kept = await this.links.detachSide(link._id, link.version, 'CRMOFFICE');
    kept = await this.links.update(kept._id, kept.version, { state: 'IN_SYNC', detached: true });
    const mapping = crmofficeOnly[crmRef.type];
    const refs = await referencesFor(
      this.links,
      mapping,
      [],
      crmRecord ? [{ system: 'CRMOFFICE', record: crmRecord }] : [],
    );
    const values = crmRecord ? toCanonical(mapping, 'CRMOFFICE', crmRecord, refs).values : null;
    const { link: detached } = await this.links.ensureLink(entity, 'CRMOFFICE', crmRef, {
      kind: entity === 'Contact' ? 'CRM_ONLY' : null,
      snapshot: values,
      keys: values ? linkKeysOf(mapping, values, crmRecord ?? null, refs) : {},
      state: 'IN_SYNC',
      lastSyncedAt: new Date(),
    });
    return { links: [kept, detached], writes: skipped('nothing written: the records are no longer synchronized') };
  }

  /**
   * Closes a conflict the sync engine recorded, keeping `keep`'s value as it was when the conflict was
   * detected: that value is written through to both systems (where they differ from it), then the
   * conflict is marked resolved. Idempotent: resolving it again the same way returns the first answer.
   */
  async resolveConflict(conflict: { linkId: string; conflictId: string }, keep: SystemName): Promise<ConflictResult> {
    if (keep !== 'CUSTOMERP' && keep !== 'CRMOFFICE')
      throw new BadUserInputError('keep must be CUSTOMERP or CRMOFFICE', 'keep');
    // The gateway's own key (internalKey): no client key can take it first.
    const key = internalKey(`resolveConflict:${conflict.linkId}:${conflict.conflictId}`);
    const fingerprint = fingerprintOf('resolveConflict', conflict.conflictId, { keep });
    const existing = await this.operations.findByKey(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint)
        throw new BadUserInputError(`the conflict was already resolved keeping the other system's value`, 'keep');
      return { ...(await this.replay(existing._id, existing, fingerprint)), conflictId: conflict.conflictId };
    }
    const link = await this.links.findById(conflict.linkId);
    const found = isLiveLink(link) ? link.conflicts.find((c) => c.id === conflict.conflictId) : undefined;
    if (!link || !found) throw new NotFoundError('no such conflict');
    if (found.resolvedAt) throw new BadUserInputError('the conflict is already resolved', 'id');
    if (found.field === IDENTITY_CONFLICT_FIELD)
      throw new BadUserInputError(
        'an ambiguous identity match is resolved by linking the right records (linkRecords)',
        'id',
      );
    const recorded = keep === 'CUSTOMERP' ? found.customerpValue : found.crmofficeValue;
    const value = isDigest(recorded)
      ? await this.liveValue(link, keep, found.field)
      : ((recorded ?? null) as CanonicalValue);
    const operation = this.newOperation({
      key,
      fingerprint,
      mutation: 'resolveConflict',
      kind: 'update',
      mapping: mappingOfLink(link),
      link,
      values: { [found.field]: value },
      conflict: { id: found.id, keep },
    });
    return { ...(await this.execute(operation, {})), conflictId: conflict.conflictId };
  }

  /**
   * The value `system` holds now for `field` of the link's record: what keeping a personal field's value
   * keeps, since the link stores only its digest (and that is also what the conflict shows).
   */
  private async liveValue(link: Link, system: SystemName, field: string): Promise<CanonicalValue> {
    const ref = system === 'CUSTOMERP' ? link.customerp : link.crmoffice;
    const [record] = ref
      ? system === 'CUSTOMERP'
        ? await this.customerp.getMany(ref.type as CustomerpType, [ref.id])
        : await this.crmoffice.getMany(ref.type as CrmofficeType, [ref.id])
      : [];
    if (!record) throw new NotFoundError(`the record no longer exists in ${system}`);
    return personalValueOf(mappingOfLink(link), system, record, field);
  }

  // ---- the three kinds of operations -------------------------------------------------------------

  private async create(mutation: string, flow: Dataflow, input: object & WithKey): Promise<WriteResult> {
    const key = callerKey(this.caller, idempotencyKeyOf(input.idempotencyKey));
    const fingerprint = fingerprintOf(mutation, null, withoutKey(input));
    const replayed = key ? await this.replayOf(key, fingerprint) : null;
    if (replayed) return replayed;
    const values = await validatedValues(this.links, {
      mapping: flow,
      input: input as Record<string, unknown>,
      mode: 'create',
      systems: ['CUSTOMERP', 'CRMOFFICE'],
    });
    return this.execute(
      this.newOperation({ key, fingerprint, mutation, kind: 'create', mapping: flow, link: null, values }),
      {},
    );
  }

  private async update(
    mutation: string,
    entity: LinkEntity,
    id: string,
    input: object & WithKey,
  ): Promise<WriteResult> {
    const key = callerKey(this.caller, idempotencyKeyOf(input.idempotencyKey));
    const fingerprint = fingerprintOf(mutation, id, withoutKey(input));
    const replayed = key ? await this.replayOf(key, fingerprint) : null;
    if (replayed) return replayed;
    const link = await linkOfArgument(this.links, id, entity, 'id');
    if (!link) throw new NotFoundError(`no ${entity} with id ${id}`);
    const mapping = mappingOfLink(link);
    const known: KnownRecords = {};
    // The Customerp record as it is now: rules across fields check against it, and its values are what
    // compensation would restore. If Customerp is unreachable the operation is still recorded.
    if (link.customerp) {
      try {
        const [record] = await this.customerp.getMany(link.customerp.type, [link.customerp.id]);
        if (!record) throw new NotFoundError(`the ${entity} no longer exists in Customerp`);
        known.CUSTOMERP = record;
      } catch (error) {
        if (!(error instanceof UpstreamUnavailableError)) throw error;
      }
    }
    const refs = await referencesFor(
      this.links,
      mapping,
      [],
      known.CUSTOMERP ? [{ system: 'CUSTOMERP', record: known.CUSTOMERP }] : [],
    );
    const current = known.CUSTOMERP
      ? toCanonical(mapping, 'CUSTOMERP', known.CUSTOMERP, refs).values
      : withoutDigests(link.snapshot ?? {});
    const systems: SystemName[] = [
      ...(link.customerp ? (['CUSTOMERP'] as const) : []),
      ...(link.crmoffice ? (['CRMOFFICE'] as const) : []),
    ];
    const values = await validatedValues(this.links, {
      mapping,
      input: input as Record<string, unknown>,
      mode: 'update',
      current,
      systems,
    });
    const operation = this.newOperation({ key, fingerprint, mutation, kind: 'update', mapping, link, values });
    if (known.CUSTOMERP) {
      // Recorded before the first write: the update Customerp will get and the values it replaces.
      const refsForValues = await referencesFor(this.links, mapping, [values], []);
      const { input: customerpInput } = diffForUpdate(mapping, 'CUSTOMERP', values, known.CUSTOMERP, refsForValues);
      operation.customerp.input = customerpInput;
      operation.customerp.previous = previousValues(customerpInput, known.CUSTOMERP);
    }
    return this.execute(operation, known);
  }

  private async delete(
    mutation: string,
    entity: LinkEntity,
    id: string,
    idempotencyKey: string | null | undefined,
  ): Promise<WriteResult> {
    const key = callerKey(this.caller, idempotencyKeyOf(idempotencyKey));
    const fingerprint = fingerprintOf(mutation, id, {});
    const replayed = key ? await this.replayOf(key, fingerprint) : null;
    if (replayed) return replayed;
    const link = await linkOfArgument(this.links, id, entity, 'id');
    if (!link) throw new NotFoundError(`no ${entity} with id ${id}`);
    return this.execute(
      this.newOperation({ key, fingerprint, mutation, kind: 'delete', mapping: mappingOfLink(link), link, values: {} }),
      {},
    );
  }

  // ---- running and answering ---------------------------------------------------------------------

  /** Records the operation (or finds the one holding its idempotency key), runs it, answers. */
  private async execute(operation: OperationDocument, known: KnownRecords): Promise<WriteResult> {
    const { operation: recorded, created } = await this.operations.insert(operation);
    if (!created) return this.replay(operation._id, recorded, operation.fingerprint);
    const done = await this.runner.run(operation, this.owner, { known, answering: true });
    const outcome: OperationOutcome = done.outcome ?? { writes: writesOf(done), failure: done.failure };
    // Normally recorded by the run's last update; not when it stopped otherwise (its lease lost).
    if (!done.outcome) await this.operations.recordOutcome(done._id, outcome);
    if (isFinal(done.state)) await this.operations.archive(done);
    return resultOf(done, outcome);
  }

  private async replayOf(key: IdempotencyKey, fingerprint: string): Promise<WriteResult | null> {
    const existing = await this.operations.findByKey(key);
    return existing ? this.replay(existing._id, existing, fingerprint) : null;
  }

  /**
   * The answer for a retry with a known idempotency key: the first answer (waiting a little for it
   * when the first call is still running), or a clear error when the key came with another request.
   * `existing` is null while the first call is still recording the operation.
   */
  private async replay(id: string, existing: OperationDocument | null, fingerprint: string): Promise<WriteResult> {
    let operation = existing;
    const deadline = Date.now() + this.replayWaitMs;
    while (!operation && Date.now() < deadline) {
      await sleep(10);
      operation = await this.operations.findById(id);
    }
    if (!operation) throw new Error(`operation ${id} holds its idempotency key but cannot be read`);
    if (operation.fingerprint !== fingerprint) {
      throw new BadUserInputError(
        `idempotencyKey was already used for a different request (${operation.mutation} with other input)`,
        'idempotencyKey',
      );
    }
    while (!operation.outcome && !isFinal(operation.state) && Date.now() < deadline) {
      await sleep(25);
      operation = (await this.operations.findById(operation._id)) ?? operation;
    }
    return resultOf(operation, operation.outcome ?? { writes: writesOf(operation), failure: operation.failure });
  }

  private newOperation(spec: {
    key: IdempotencyKey | null;
    fingerprint: string;
    mutation: string;
    kind: OperationKind;
    mapping: Mapping;
    link: Link | null;
    values: CanonicalValues;
    conflict?: OperationDocument['conflict'];
  }): OperationDocument {
    const now = new Date();
    const _id = operationIdOf(spec.key);
    return {
      _id,
      idempotencyKey: spec.key?.key ?? null,
      fingerprint: spec.fingerprint,
      mutation: spec.mutation,
      kind: spec.kind,
      entity: spec.mapping.unifiedType,
      mapping: spec.mapping.name,
      contactKind: spec.link ? spec.link.kind : ((spec.mapping as Partial<Dataflow>).contactKind ?? null),
      linkId: spec.link?._id ?? null,
      values: encodeValues(spec.values),
      conflict: spec.conflict ?? null,
      state: 'RECORDED',
      customerp: newSide(spec.link?.customerp ?? null),
      crmoffice: newSide(spec.link?.crmoffice ?? null),
      attempts: 0,
      nextAttemptAt: now,
      lease: { owner: this.owner, until: new Date(now.getTime() + this.runner.leaseMs) },
      lastError: null,
      failure: null,
      outcome: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
  }

  /** Puts the two records into one link, reusing whichever half links exist (pairRecords, as sync does). */
  private async pair(flow: Dataflow, cpRef: CustomerpRef, crmRef: CrmofficeRef): Promise<Link> {
    const [ours, theirs] = await Promise.all([
      this.links.findByRef('CUSTOMERP', cpRef),
      this.links.findByRef('CRMOFFICE', crmRef),
    ]);
    if (ours && theirs && ours._id === theirs._id && isLiveLink(ours)) return ours;
    if (ours && (ours.crmoffice || !isLiveLink(ours)))
      throw new BadUserInputError(
        `customerp.id: Customerp ${cpRef.type} ${cpRef.id} is already linked`,
        'customerp.id',
      );
    if (theirs && (theirs.customerp || !isLiveLink(theirs)))
      throw new BadUserInputError(
        `crmoffice.id: Crmoffice ${crmRef.type} ${crmRef.id} is already linked`,
        'crmoffice.id',
      );
    let link: Link;
    try {
      link = await pairRecords(this.links, {
        flow,
        customerp: { ref: cpRef, link: ours },
        crmoffice: { ref: crmRef, link: theirs },
      });
    } catch (error) {
      if (error instanceof SideTakenError) {
        // The link that holds one record got the other side meanwhile: that record is linked now.
        const field = error.system === 'CRMOFFICE' ? 'customerp.id' : 'crmoffice.id';
        throw new BadUserInputError(`${field}: the record was linked meanwhile`, field);
      }
      if (error instanceof DuplicateLinkError) {
        const field = error.system === 'CUSTOMERP' ? 'customerp.id' : 'crmoffice.id';
        throw new BadUserInputError(`${field}: ${error.message}`, field);
      }
      throw error;
    }
    // No snapshot: the first sync merges the pair as a new match (gaps filled, the newer side wins).
    return this.links.update(link._id, link.version, {
      kind: flow.contactKind,
      snapshot: null,
      state: 'PENDING',
      lastSyncedAt: null,
    });
  }
}

function resultOf(operation: OperationDocument, outcome: OperationOutcome): WriteResult {
  if (outcome.failure) throw new WriteRejectedError(outcome.failure, outcome.writes);
  return {
    operationId: operation._id,
    entity: operation.entity,
    linkId: operation.linkId,
    id: operation.linkId ? encodeUnifiedId(operation.entity, operation.linkId) : null,
    writes: outcome.writes,
  };
}

function newSide(ref: OperationRef | null): SideProgress {
  return {
    ref: ref ? { type: ref.type, id: ref.id } : null,
    write: 'PENDING',
    error: null,
    input: null,
    previous: null,
    sentAt: null,
    feedCursor: null,
  };
}

function skipped(reason: string): SystemWrite[] {
  return [
    { system: 'CUSTOMERP', state: 'SKIPPED', error: reason },
    { system: 'CRMOFFICE', state: 'SKIPPED', error: reason },
  ];
}

function withoutKey(input: object & WithKey): object {
  const { idempotencyKey: _key, ...rest } = input;
  return rest;
}

function requiredFlow(entity: 'Company' | 'Activity'): Dataflow {
  const flow = dataflowForUnified(entity);
  if (!flow) throw new Error(`no dataflow for ${entity}`);
  return flow;
}

function customerpRefOf(input: RecordRefInput): CustomerpRef {
  if (input.system !== 'CUSTOMERP')
    throw new BadUserInputError('customerp.system must be CUSTOMERP', 'customerp.system');
  if (!(CUSTOMERP_TYPES as readonly string[]).includes(input.type)) {
    throw new BadUserInputError(`customerp.type must be one of ${CUSTOMERP_TYPES.join(', ')}`, 'customerp.type');
  }
  if (typeof input.id !== 'string' || input.id === '')
    throw new BadUserInputError('customerp.id must be an id', 'customerp.id');
  return { type: input.type as CustomerpType, id: input.id };
}

function crmofficeRefOf(input: RecordRefInput): CrmofficeRef {
  if (input.system !== 'CRMOFFICE')
    throw new BadUserInputError('crmoffice.system must be CRMOFFICE', 'crmoffice.system');
  if (!(CRMOFFICE_TYPES as readonly string[]).includes(input.type)) {
    throw new BadUserInputError(`crmoffice.type must be one of ${CRMOFFICE_TYPES.join(', ')}`, 'crmoffice.type');
  }
  if (typeof input.id !== 'string' || input.id === '')
    throw new BadUserInputError('crmoffice.id must be an id', 'crmoffice.id');
  return { type: input.type as CrmofficeType, id: input.id };
}

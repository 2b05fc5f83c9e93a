import type { SystemName } from '../errors.js';
import type { LinkEntity, LinkKind } from '../links/index.js';
import type { CanonicalValue, SystemInput } from '../mappings/index.js';

/**
 * The outbox's document: one write-through mutation, recorded before its first upstream write and
 * advanced step by step (docs/design.md, "Write-through semantics"). Its `state` is the phase of a small state machine:
 *
 *   RECORDED ──Customerp step──▶ CUSTOMERP_DONE ──Crmoffice step──▶ CRMOFFICE_DONE ──link──▶ APPLIED
 *       │                              │
 *       └─Customerp rejects─▶ FAILED   └─Crmoffice rejects─▶ COMPENSATING ──undo Customerp──▶ COMPENSATED
 *
 * Customerp goes first (it is the dataflows' source). A step whose system cannot be reached leaves the
 * state where it is, reports that side PENDING and schedules a retry; the outbox worker resumes it.
 */

/** What a client is told about one system's part of a mutation (the public WriteState enum). */
export type WriteState = 'APPLIED' | 'PENDING' | 'FAILED' | 'COMPENSATED' | 'SKIPPED';

/** One system's outcome, as payloads report it (the public SystemWrite type). */
export interface SystemWrite {
  system: SystemName;
  state: WriteState;
  /** Why it is not simply APPLIED: the rejection, the outage, what was skipped or undone. */
  error: string | null;
}

export type OperationKind = 'create' | 'update' | 'delete';

export type OperationState =
  'RECORDED' | 'CUSTOMERP_DONE' | 'CRMOFFICE_DONE' | 'COMPENSATING' | 'APPLIED' | 'COMPENSATED' | 'FAILED';

/** States in which an operation is finished; everything else is still to be applied (syncStatus.pendingOperations). */
export const FINAL_STATES = ['APPLIED', 'COMPENSATED', 'FAILED'] as const satisfies readonly OperationState[];
export const UNFINISHED_STATES = [
  'RECORDED',
  'CUSTOMERP_DONE',
  'CRMOFFICE_DONE',
  'COMPENSATING',
] as const satisfies readonly OperationState[];

export type FinalState = (typeof FINAL_STATES)[number];

/** Whether an operation in `state` is finished (applied, compensated or failed). */
export function isFinal(state: OperationState): state is FinalState {
  return (FINAL_STATES as readonly string[]).includes(state);
}

/** A record in one system. */
export interface OperationRef {
  type: string;
  id: string;
}

/** One system's part of an operation. */
export interface SideProgress {
  /** The record this side writes: known up front for updates and deletes, set by the create for creates. */
  ref: OperationRef | null;
  /** What the client is (or would be) told for this side. */
  write: WriteState;
  error: string | null;
  /** The system input of the write: a create's whole input, an update's changed fields only. */
  input: SystemInput | null;
  /** The values `input`'s fields held before the update: what compensation writes back. */
  previous: SystemInput | null;
  /**
   * Set just before a create is sent. A create is not retry-safe: if the process dies before its
   * answer is recorded, recovery first searches the system for the record instead of creating again.
   */
  sentAt: Date | null;
  /** Customerp creates: the sync engine's feed cursor at `sentAt`, where that search starts. */
  feedCursor: string | null;
}

/** What went wrong for good, kept so that a replay with the same idempotency key fails the same way. */
export interface OperationFailure {
  message: string;
  system: SystemName;
  upstreamCode: string | null;
  /** The unified input field the system named, when it named one. */
  field: string | null;
}

/** The first answer given for an operation, returned again to a retry with the same idempotency key. */
export interface OperationOutcome {
  writes: SystemWrite[];
  failure: OperationFailure | null;
}

export interface OperationDocument {
  /** `caller:<caller>:<key>`, `internal:<key>`, or `op:<UUID>` without a key (see operationIdOf). */
  _id: string;
  /** The idempotency key as its caller sent it, or null (its uniqueness, per caller, is the `_id`'s: see operationIdOf). */
  idempotencyKey: string | null;
  /** Hash of the mutation, its target and its input: the same key with another input is refused. */
  fingerprint: string;
  /** The public mutation, e.g. `updateContact`. */
  mutation: string;
  kind: OperationKind;
  entity: LinkEntity;
  /** The mapping (dataflow, or Crmoffice-only view) the values are in; see mappingNamed(). */
  mapping: string;
  contactKind: LinkKind | null;
  /** The link written; set for creates once the first record exists. */
  linkId: string | null;
  /** The mutation's canonical values (only the fields it sets). `.` in field names is stored as `__`. */
  values: { [field: string]: CanonicalValue };
  /** resolveConflict: the conflict closed when the operation is applied. */
  conflict: { id: string; keep: SystemName } | null;
  state: OperationState;
  customerp: SideProgress;
  crmoffice: SideProgress;
  /** Attempts that ended in an unavailable system (drives the backoff). */
  attempts: number;
  /** When the outbox worker may try again. */
  nextAttemptAt: Date;
  /** Who is advancing it right now; a lease that ran out (its holder died) may be taken over. */
  lease: { owner: string | null; until: Date };
  lastError: string | null;
  /** Set when a system refused the change for good (the operation is then FAILED or compensated). */
  failure: OperationFailure | null;
  outcome: OperationOutcome | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** The field of an operation that holds one system's part. */
export type SideKey = 'customerp' | 'crmoffice';

const SIDE_KEYS: Readonly<Record<SystemName, SideKey>> = { CUSTOMERP: 'customerp', CRMOFFICE: 'crmoffice' };

/** The side field of an operation for a system. */
export function sideKeyOf(system: SystemName): SideKey {
  return SIDE_KEYS[system];
}

/** The state each system's step leads to (the diagram's arrows to the right). */
const STATE_AFTER_STEP: Readonly<Record<SystemName, OperationState>> = {
  CUSTOMERP: 'CUSTOMERP_DONE',
  CRMOFFICE: 'CRMOFFICE_DONE',
};

/** The system whose step an unfinished state waits for; the others write no system forward. */
const STEP_OF_STATE: Readonly<Partial<Record<OperationState, SystemName>>> = {
  RECORDED: 'CUSTOMERP',
  CUSTOMERP_DONE: 'CRMOFFICE',
};

/** The state an operation reaches once `system`'s step is done (written, or skipped). */
export function nextState(system: SystemName): OperationState {
  return STATE_AFTER_STEP[system];
}

/** The system whose step an operation in `state` takes next, or null when it is past both steps. */
export function stepSystemOf(state: OperationState): SystemName | null {
  return STEP_OF_STATE[state] ?? null;
}

/** Per-system writes as payloads report them: Customerp first. */
export function writesOf(operation: Pick<OperationDocument, 'customerp' | 'crmoffice'>): SystemWrite[] {
  return [
    { system: 'CUSTOMERP', state: operation.customerp.write, error: operation.customerp.error },
    { system: 'CRMOFFICE', state: operation.crmoffice.write, error: operation.crmoffice.error },
  ];
}

/** Canonical field names as stored (MongoDB keys may not contain `.`). */
export function encodeValues(values: Readonly<Record<string, CanonicalValue>>): { [field: string]: CanonicalValue } {
  return Object.fromEntries(Object.entries(values).map(([field, value]) => [field.replaceAll('.', '__'), value]));
}

/** Canonical field names as stored back to theirs (encodeValues undone). */
export function decodeValues(values: Readonly<Record<string, CanonicalValue>>): { [field: string]: CanonicalValue } {
  return Object.fromEntries(Object.entries(values).map(([field, value]) => [field.replaceAll('__', '.'), value]));
}

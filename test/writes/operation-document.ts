import type { OperationDocument, SideProgress } from '../../src/writes/index.js';

/** When every fixture operation was recorded: fixed, so that tests compare whole documents. */
export const RECORDED_AT = new Date('2025-06-01T10:00:00.000Z');

/** One system's part of an operation, untouched, with `fields` over it. */
export function sideProgress(fields: Partial<SideProgress> = {}): SideProgress {
  return {
    ref: null,
    write: 'PENDING',
    error: null,
    input: null,
    previous: null,
    sentAt: null,
    feedCursor: null,
    ...fields,
  };
}

/** An updateCompany operation just recorded (both sides pending), with `fields` over it: for tests that need no MongoDB. */
export function operationDocument(fields: Partial<OperationDocument> = {}): OperationDocument {
  return {
    _id: 'key:k1',
    idempotencyKey: 'k1',
    fingerprint: 'f1',
    mutation: 'updateCompany',
    kind: 'update',
    entity: 'Company',
    mapping: 'product-company',
    contactKind: null,
    linkId: 'link-1',
    values: { name: 'Atlas' },
    conflict: null,
    state: 'RECORDED',
    customerp: sideProgress(),
    crmoffice: sideProgress(),
    attempts: 0,
    nextAttemptAt: RECORDED_AT,
    lease: { owner: 'me', until: new Date(RECORDED_AT.getTime() + 30_000) },
    lastError: null,
    failure: null,
    outcome: null,
    createdAt: RECORDED_AT,
    updatedAt: RECORDED_AT,
    finishedAt: null,
    ...fields,
  };
}

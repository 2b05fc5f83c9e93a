import fc from 'fast-check';
import type { LinkEntity } from '../../../src/links/index.js';
import type { FuzzFixtures } from './fuzz-world.js';
import { hostileString, INJECTION_STRINGS, UNICODE_STRINGS } from './hostile-values.js';
import { unknownUnifiedId, withoutValueAt, withValueAt, type OperationPlan } from './operation-plans.js';

/**
 * What makes a mutation invalid by the published contract (schema/gateway-mutations.graphql and the
 * dataflow tables: required fields, formats, lengths, enum values, date order, ids), so that it must
 * be refused before anything is written whatever else its input holds. Applied last to a plan, a
 * poison stays in it: nothing generated afterwards can make the mutation valid again.
 */
export interface Poison {
  /** For reports: `input.email: not an e-mail address`. */
  label: string;
  apply(plan: OperationPlan): OperationPlan;
}

const set = (label: string, path: readonly string[], value: unknown): Poison => ({
  label: `${path.join('.')}: ${label}`,
  apply: (plan) => ({ ...plan, args: withValueAt(plan.args, path, value) }),
});
const drop = (label: string, path: readonly string[]): Poison => ({
  label: `${path.join('.')}: ${label}`,
  apply: (plan) => ({ ...plan, args: withoutValueAt(plan.args, path) }),
});

const blank = fc.constantFrom('', ' ', '\t\n', '\u00A0', '\u3000');
const notEmail = fc.constantFrom(
  'anna at example.org',
  'anna@',
  '@example.org',
  'anna@example',
  "' OR 1=1 --",
  '<script>@x',
  'a b@example.org',
  '{"$gt": ""}',
);
const notUrl = fc.constantFrom(
  'javascript:alert(1)',
  'ftp://files.example.org',
  'file:///etc/passwd',
  'example.org',
  'http//x',
  '<script>',
  'data:text/html,<b>x</b>',
);
const notDate = fc.constantFrom(
  'next Tuesday',
  '2026-02-30',
  '2026-13-01',
  '31.12.2026',
  "' OR 1=1 --",
  '{"$gt": ""}',
  '0000-00-00',
  '',
);
const notStatus = fc.constantFrom('FINISHED', 'open', 'DONE ', '{"$ne": null}', '<script>', 'CANCELLED\u0000');
/** Longer than every text field allows (200 characters; 2,000 for descriptions). */
const overLong = fc
  .tuple(fc.constantFrom(201, 201, 2001, 2001, 100_000), fc.constantFrom('V', '😀', "' OR 1=1 -- "))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/**
 * Ids that name nothing a mutation may touch: malformed ones and well-formed ones of no record. Not
 * the empty string: in an input, '' stands for null, and `ownerId: ""` in an update clears the owner.
 */
const badId: fc.Arbitrary<string> = fc
  .oneof(hostileString, unknownUnifiedId, fc.constantFrom(...INJECTION_STRINGS), fc.constantFrom(...UNICODE_STRINGS))
  .filter((id) => id !== '');

/** The poisons of each mutation that takes input; syncNow takes none and is valid whatever is sent. */
export function mutationPoisons(fixtures: FuzzFixtures): Readonly<Record<string, fc.Arbitrary<Poison>>> {
  const realId = (entity: LinkEntity) => fc.constantFrom(...fixtures.ids[entity]);
  /** An id of another entity: `updateContact(id: <a company's id>)`. */
  const otherEntityId = (entity: LinkEntity) =>
    fc
      .constantFrom(...(['Contact', 'Company', 'Activity'] as const).filter((e) => e !== entity))
      .chain((other) => realId(other));
  const wrongId = (entity: LinkEntity) =>
    fc.oneof(
      badId.map((id) => set('an id of no record', ['id'], id)),
      otherEntityId(entity).map((id) => set(`the id of another type than ${entity}`, ['id'], id)),
    );
  /** An existing record with input that must be refused. */
  const onRealRecord = (entity: LinkEntity, poisons: fc.Arbitrary<Poison>) =>
    fc.tuple(realId(entity), poisons).map(([id, poison]): Poison => ({
      label: `real ${entity}, ${poison.label}`,
      apply: (plan) => poison.apply({ ...plan, args: withValueAt(plan.args, ['id'], id) }),
    }));
  const blankKey = (path: readonly string[]) => blank.map((key) => set('a blank idempotency key', path, key));

  const contactInput = fc.oneof(
    notEmail.map((v) => set('not an e-mail address', ['input', 'email'], v)),
    overLong.map((v) => set('too long', ['input', 'firstName'], v)),
    overLong.map((v) => set('too long', ['input', 'title'], v)),
    blank.map((v) => set('a required field blank', ['input', 'lastName'], v)),
    blankKey(['input', 'idempotencyKey']),
  );
  const companyInput = fc.oneof(
    notUrl.map((v) => set('not an http(s) URL', ['input', 'website'], v)),
    overLong.map((v) => set('too long', ['input', 'name'], v)),
    overLong.map((v) => set('too long', ['input', 'industry'], v)),
    blank.map((v) => set('a required field blank', ['input', 'code'], v)),
    blankKey(['input', 'idempotencyKey']),
  );
  const activityInput = fc.oneof(
    notDate.map((v) => set('not a date', ['input', 'startAt'], v)),
    notStatus.map((v) => set('not an activity status', ['input', 'status'], v)),
    overLong.map((v) => set('too long', ['input', 'subject'], v)),
    badId.map((v) => set('an owner id of no EMPLOYEE contact', ['input', 'ownerId'], v)),
    badId.map((v) => set('a company id of no company', ['input', 'companyId'], v)),
    blankKey(['input', 'idempotencyKey']),
  );
  const deleteOf = (entity: LinkEntity) =>
    fc.oneof(wrongId(entity), onRealRecord(entity, blankKey(['idempotencyKey'])));
  const refInput = fc.oneof(
    badId.map((id) => set('a Customerp record that does not exist', ['customerp', 'id'], id)),
    badId.map((id) => set('a Crmoffice record that does not exist', ['crmoffice', 'id'], id)),
    fc.constant(set('a Customerp ref naming Crmoffice', ['customerp', 'system'], 'CRMOFFICE')),
    fc.constant(set('a Crmoffice ref naming Customerp', ['crmoffice', 'system'], 'CUSTOMERP')),
    hostileString.map((type) => set('a record type no system has', ['customerp', 'type'], `${type}Nope`)),
  );

  const noFeed = hostileString.map((entity) => set('a feed that does not exist', ['entity'], `${entity}Nope`));

  return {
    approveHeldDeletes: noFeed,
    discardHeldDeletes: noFeed,
    createContact: fc.oneof(
      contactInput,
      fc.constant(set('a kind that cannot be created', ['input', 'kind'], 'CRM_ONLY')),
      fc.constant(drop('a required field missing', ['input', 'email'])),
    ),
    updateContact: fc.oneof(
      wrongId('Contact'),
      onRealRecord('Contact', contactInput),
      onRealRecord('Contact', fc.constant(set('a required field cleared', ['input', 'email'], null))),
    ),
    deleteContact: deleteOf('Contact'),
    createCompany: fc.oneof(
      companyInput,
      fc.constant(drop('a required field missing', ['input', 'name'])),
      fc.constant(drop('a required field missing', ['input', 'code'])),
    ),
    updateCompany: fc.oneof(
      wrongId('Company'),
      onRealRecord('Company', companyInput),
      onRealRecord('Company', fc.constant(set('a required field cleared', ['input', 'name'], null))),
    ),
    deleteCompany: deleteOf('Company'),
    createActivity: fc.oneof(
      activityInput,
      fc.constant(drop('a required field missing', ['input', 'subject'])),
      fc.constant(drop('a required field missing', ['input', 'startAt'])),
      fc.constant({
        label: 'input.dueAt: before startAt',
        apply: (plan: OperationPlan) =>
          set('', ['input', 'dueAt'], '2026-05-31').apply(set('', ['input', 'startAt'], '2026-06-01').apply(plan)),
      }),
    ),
    updateActivity: fc.oneof(
      wrongId('Activity'),
      onRealRecord('Activity', activityInput),
      onRealRecord('Activity', fc.constant(set('a required field cleared', ['input', 'startAt'], null))),
    ),
    deleteActivity: deleteOf('Activity'),
    linkRecords: refInput,
    // A real id would really unlink or resolve: only ids that name nothing of the kind.
    unlinkRecords: badId.map((id) => set('an id of no record', ['id'], id)),
    resolveConflict: fc
      .oneof(badId, realId('Contact'), realId('Company'))
      .map((id) => set('an id of no conflict', ['id'], id)),
  };
}

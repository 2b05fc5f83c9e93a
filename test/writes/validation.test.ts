import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import type { CreateContactInput } from '../../src/generated/gateway-server.js';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Every input is checked before anything is written: each kind of bad input gets BAD_USER_INPUT
 * naming the unified input field, no operation is recorded and neither system sees a write.
 */

interface Fixtures {
  employee: Link;
  customerContact: Link;
  company: Link;
  crmOnlyCompany: Link;
  activity: Link;
  deletedEmployee: string;
}

interface BadInputCase {
  what: string;
  run: (world: WriteWorld, f: Fixtures) => Promise<unknown>;
  field: string;
  message: string;
}

const contactId = (link: Link): string => encodeUnifiedId('Contact', link._id);
const companyId = (link: Link): string => encodeUnifiedId('Company', link._id);
const employee: CreateContactInput = {
  kind: 'EMPLOYEE',
  firstName: 'Vera',
  lastName: 'Valid',
  email: 'vera.valid@example.org',
};
const activity = { subject: 'Checked first', startAt: '2026-06-01T00:00:00.000Z' };

const cases: BadInputCase[] = [
  // required fields
  {
    what: 'a create without a required field',
    run: (w) => w.writes.createContact({ ...employee, lastName: undefined }),
    field: 'lastName',
    message: 'lastName is required',
  },
  {
    what: 'a required field that is blank',
    run: (w) => w.writes.createCompany({ name: '  ', code: 'SKU-V-1' }),
    field: 'name',
    message: 'name is required',
  },
  {
    what: 'an update clearing a required field',
    run: (w, f) => w.writes.updateContact(contactId(f.employee), { email: null }),
    field: 'email',
    message: 'email is required',
  },
  {
    what: 'a company without its code',
    run: (w) => w.writes.createCompany({ name: 'No Code Inc' }),
    field: 'code',
    message: 'code is required',
  },
  // formats
  {
    what: 'an e-mail that is not one',
    run: (w) => w.writes.createContact({ ...employee, email: 'vera at example' }),
    field: 'email',
    message: 'email must be an e-mail address',
  },
  {
    what: 'a website that is no http(s) URL',
    run: (w) => w.writes.createCompany({ name: 'Ftp Corp', code: 'SKU-V-2', website: 'ftp://files.example' }),
    field: 'website',
    message: 'website must be an http or https URL',
  },
  {
    what: 'a value of the wrong type',
    run: (w, f) => w.writes.updateCompany(companyId(f.company), { active: 'yes' as unknown as boolean }),
    field: 'active',
    message: 'active must be a boolean',
  },
  // lengths
  {
    what: 'a name over 200 characters',
    run: (w) => w.writes.createContact({ ...employee, firstName: 'V'.repeat(201) }),
    field: 'firstName',
    message: 'firstName must be at most 200 characters long',
  },
  {
    what: 'a description over 2000 characters',
    run: (w) => w.writes.createActivity({ ...activity, description: 'd'.repeat(2001) }),
    field: 'description',
    message: 'description must be at most 2000 characters long',
  },
  // enum values
  {
    what: 'an activity status that does not exist',
    run: (w) => w.writes.createActivity({ ...activity, status: 'FINISHED' }),
    field: 'status',
    message: 'status must be one of OPEN, IN_PROGRESS, DONE, CANCELLED',
  },
  {
    what: 'a contact kind that cannot be created',
    run: (w) => w.writes.createContact({ ...employee, kind: 'CRM_ONLY' }),
    field: 'kind',
    message: 'kind must be EMPLOYEE or CUSTOMER_CONTACT (Crmoffice-only contacts are made in Crmoffice)',
  },
  // A caller that bypasses GraphQL (and its enum check) gets the same answer for a kind that does not exist.
  {
    what: 'a contact kind that does not exist',
    run: (w) => w.writes.createContact({ ...employee, kind: 'MANAGER' as CreateContactInput['kind'] }),
    field: 'kind',
    message: 'kind must be EMPLOYEE or CUSTOMER_CONTACT (Crmoffice-only contacts are made in Crmoffice)',
  },
  // fields the record's dataflow does not carry
  {
    what: 'an address on an EMPLOYEE contact',
    run: (w) => w.writes.createContact({ ...employee, address: { city: 'Oslo' } }),
    field: 'address.city',
    message: 'address.city is not synchronized by the employee-contact dataflow',
  },
  {
    what: 'a mobile number on a CUSTOMER_CONTACT',
    run: (w, f) => w.writes.updateContact(contactId(f.customerContact), { mobile: '+1 555 0199' }),
    field: 'mobile',
    message: 'mobile is not synchronized by the customer-contact dataflow',
  },
  // dates
  {
    what: 'a start that is no date',
    run: (w) => w.writes.createActivity({ ...activity, startAt: 'next Tuesday' }),
    field: 'startAt',
    message: 'startAt must be a date (YYYY-MM-DD) or an ISO date-time',
  },
  {
    what: 'a day that does not exist',
    run: (w) => w.writes.createActivity({ ...activity, startAt: '2026-02-30' }),
    field: 'startAt',
    message: 'startAt must be a date (YYYY-MM-DD) or an ISO date-time',
  },
  {
    what: 'an activity without its start',
    run: (w) => w.writes.createActivity({ subject: 'No start' }),
    field: 'startAt',
    message: 'startAt is required',
  },
  {
    what: 'a due date before the start',
    run: (w) => w.writes.createActivity({ ...activity, dueAt: '2026-05-31T00:00:00.000Z' }),
    field: 'dueAt',
    message: 'dueAt must not be before startAt',
  },
  {
    what: "a due date before the record's current start (update)",
    run: (w, f) => w.writes.updateActivity(encodeUnifiedId('Activity', f.activity._id), { dueAt: '1999-01-01' }),
    field: 'dueAt',
    message: 'dueAt must not be before startAt',
  },
  // references
  {
    what: 'an owner id that is no id',
    run: (w) => w.writes.createActivity({ ...activity, ownerId: 'not-an-id' }),
    field: 'ownerId',
    message: 'ownerId is not a valid id',
  },
  {
    what: 'an owner that is a CUSTOMER_CONTACT',
    run: (w, f) => w.writes.createActivity({ ...activity, ownerId: contactId(f.customerContact) }),
    field: 'ownerId',
    message: 'ownerId must name an existing EMPLOYEE contact',
  },
  {
    what: 'an owner that is a company',
    run: (w, f) => w.writes.createActivity({ ...activity, ownerId: companyId(f.company) }),
    field: 'ownerId',
    message: 'ownerId must name an existing EMPLOYEE contact',
  },
  {
    what: 'an owner that was deleted',
    run: (w, f) => w.writes.createActivity({ ...activity, ownerId: f.deletedEmployee }),
    field: 'ownerId',
    message: 'ownerId must name an existing EMPLOYEE contact',
  },
  {
    what: 'an owner that never existed',
    run: (w) => w.writes.createActivity({ ...activity, ownerId: encodeUnifiedId('Contact', randomUUID()) }),
    field: 'ownerId',
    message: 'ownerId must name an existing EMPLOYEE contact',
  },
  {
    what: 'a company that is a contact',
    run: (w, f) => w.writes.createActivity({ ...activity, companyId: contactId(f.employee) }),
    field: 'companyId',
    message: 'companyId must name an existing company',
  },
  {
    what: 'a company that exists in Crmoffice only',
    run: (w, f) => w.writes.createActivity({ ...activity, companyId: companyId(f.crmOnlyCompany) }),
    field: 'companyId',
    message: 'companyId names a Company that has no record in Customerp (yet)',
  },
  // ids of the record itself, keys
  {
    what: 'an update of a malformed id',
    run: (w) => w.writes.updateContact('Contact:42', { title: 'x' }),
    field: 'id',
    message: 'id is not a valid id',
  },
  {
    what: 'an update of a company through updateContact',
    run: (w, f) => w.writes.updateContact(companyId(f.company), { title: 'x' }),
    field: 'id',
    message: 'id is the id of a Company, not of a Contact',
  },
  {
    what: 'a blank idempotency key',
    run: (w) => w.writes.createCompany({ name: 'Keyed', code: 'SKU-V-3', idempotencyKey: ' ' }),
    field: 'idempotencyKey',
    message: 'idempotencyKey must be a non-empty string',
  },
  // linking
  {
    what: 'a link whose Customerp side names another system',
    run: (w, f) =>
      w.writes.linkRecords(
        { system: 'CRMOFFICE', type: 'Employee', id: 'x' },
        { system: 'CRMOFFICE', type: 'Contact', id: f.employee.crmoffice?.id as string },
      ),
    field: 'customerp.system',
    message: 'customerp.system must be CUSTOMERP',
  },
  {
    what: 'a link of records of different kinds',
    run: (w, f) =>
      w.writes.linkRecords(
        { system: 'CUSTOMERP', type: 'Product', id: f.company.customerp?.id as string },
        { system: 'CRMOFFICE', type: 'Contact', id: f.employee.crmoffice?.id as string },
      ),
    field: 'crmoffice.type',
    message: 'a Customerp Product links with a Crmoffice Company, not a Contact',
  },
  {
    what: 'a link to a record that does not exist',
    run: (w, f) =>
      w.writes.linkRecords(
        { system: 'CUSTOMERP', type: 'Product', id: 'no-such-product' },
        { system: 'CRMOFFICE', type: 'Company', id: f.crmOnlyCompany.crmoffice?.id as string },
      ),
    field: 'customerp.id',
    message: 'customerp.id names no Customerp Product',
  },
  {
    what: 'a link of a record that is already linked',
    run: (w, f) =>
      w.writes.linkRecords(
        { system: 'CUSTOMERP', type: 'Product', id: f.company.customerp?.id as string },
        { system: 'CRMOFFICE', type: 'Company', id: f.crmOnlyCompany.crmoffice?.id as string },
      ),
    field: 'customerp.id',
    message: `customerp.id: Customerp Product ${'{product}'} is already linked`,
  },
];

let world: WriteWorld;
let fixtures: Fixtures;

beforeAll(async () => {
  world = await startWriteWorld('write validation');
  const [employeeLink] = await world.pairs('Contact', 'EMPLOYEE');
  const [customerContact] = await world.pairs('Contact', 'CUSTOMER_CONTACT');
  const [company] = await world.pairs('Company');
  const [activityLink] = await world.pairs('Activity');
  const crmOnlyCompany = (await world.world.linksOf('Company')).find((l) => !l.customerp && l.crmoffice);
  if (!employeeLink || !customerContact || !company || !activityLink || !crmOnlyCompany)
    throw new Error('the demo world lacks a kind of record');
  const doomed = await world.writes.createContact({
    kind: 'EMPLOYEE',
    firstName: 'Gone',
    lastName: 'Soon',
    email: 'gone.soon@example.org',
  });
  await world.writes.deleteContact(doomed.id as string);
  fixtures = {
    employee: employeeLink,
    customerContact,
    company,
    crmOnlyCompany,
    activity: activityLink,
    deletedEmployee: doomed.id as string,
  };
});

afterAll(() => world.close());

describe('WriteThrough input validation', () => {
  it.each(cases)(
    'refuses $what with BAD_USER_INPUT on $field, and writes nothing anywhere',
    async ({ run, field, message }) => {
      const operationsBefore = (await world.allOperations()).length;
      await world.world.systems.resetStats();
      const error = await run(world, fixtures).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(GraphQLError);
      const expected = message.replace('{product}', fixtures.company.customerp?.id ?? '');
      expect({ message: (error as GraphQLError).message, extensions: (error as GraphQLError).extensions }).toEqual({
        message: expected,
        extensions: { code: 'BAD_USER_INPUT', field },
      });
      expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
      expect((await world.allOperations()).length).toBe(operationsBefore);
    },
  );

  it('answers NOT_FOUND for a well-formed id that names no record, and writes nothing', async () => {
    await world.world.systems.resetStats();
    const id = encodeUnifiedId('Contact', randomUUID());
    await expect(world.writes.updateContact(id, { title: 'Ghost' })).rejects.toMatchObject({
      message: `no Contact with id ${id}`,
      extensions: { code: 'NOT_FOUND' },
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

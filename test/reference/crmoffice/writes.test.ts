import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ActivitiesByIdsDocument,
  ContactsByIdsDocument,
  CreateActivityDocument,
  CreateCompanyDocument,
  CreateContactDocument,
  DeleteCompanyDocument,
  DeleteContactDocument,
  UpdateActivityDocument,
  UpdateCompanyDocument,
  UpdateContactDocument,
  type ContactInput,
} from '../../../src/generated/crmoffice-client.js';
import type { RunningReferenceServer } from '../../../src/reference/core/index.js';
import { startCrmoffice } from '../../../src/reference/crmoffice/index.js';
import { send } from './adapter.js';
import { codesOf, postGraphQL } from './graphql.js';

/** What a failed call threw, as code and field; fails the test when the call succeeded. */
async function failureOf(
  call: Promise<unknown>,
): Promise<{ code: string | undefined; field: string | undefined; message: string }> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    const { code, field, message } = error as { code: string | undefined; field: string | undefined; message: string };
    return { code, field, message };
  }
  throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
}

const fullAddress = { street: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };

describe('Crmoffice writes', () => {
  let server: RunningReferenceServer;
  let url: string;

  beforeAll(async () => {
    server = await startCrmoffice({ seed: 'empty' });
    url = server.url;
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(async () => {
    await fetch(`${server.origin}/admin/reset`, { method: 'POST' });
  });

  const createContact = async (data: Partial<ContactInput> = {}) =>
    (await send(url, CreateContactDocument, { data: { lastName: 'Lovelace', email: 'ada@x.example', ...data } }))
      .createContact;
  const createCompany = async (code: string) =>
    (await send(url, CreateCompanyDocument, { data: { name: `Company ${code}`, code } })).createCompany;

  describe('contacts', () => {
    it('fills defaults on create: OTHER, active, no address, first etag', async () => {
      const created = await createContact();
      expect(created).toEqual({
        id: 'c-1',
        firstName: null,
        lastName: 'Lovelace',
        email: 'ada@x.example',
        phone: null,
        mobilePhone: null,
        title: null,
        department: null,
        contactType: 'OTHER',
        companyId: null,
        address: { street: null, city: null, postalCode: null, country: null },
        active: true,
        etag: 'W/"1"',
        modifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
    });

    it('leaves omitted fields alone, clears null ones, and replaces only the address fields given', async () => {
      const created = await createContact({
        firstName: 'Ada',
        phone: '+49 30 1',
        title: 'Countess',
        address: fullAddress,
      });

      const updated = (
        await send(url, UpdateContactDocument, {
          id: created.id,
          data: { phone: null, title: 'Analyst', address: { city: 'Hamburg', postalCode: null } },
          ifMatch: created.etag,
        })
      ).updateContact;

      expect(updated).toEqual({
        ...created,
        phone: null,
        title: 'Analyst',
        address: { street: '1 Main Street', city: 'Hamburg', postalCode: null, country: 'DE' },
        etag: 'W/"2"',
        modifiedAt: expect.any(String),
      });
    });

    it('clears the whole address when given null', async () => {
      const created = await createContact({ address: fullAddress });
      const updated = (await send(url, UpdateContactDocument, { id: created.id, data: { address: null } }))
        .updateContact;
      expect(updated.address).toEqual({ street: null, city: null, postalCode: null, country: null });
    });

    it('bumps the etag on every update, even one that changes nothing', async () => {
      const created = await createContact();
      const first = (await send(url, UpdateContactDocument, { id: created.id, data: {} })).updateContact;
      const second = (await send(url, UpdateContactDocument, { id: created.id, data: {}, ifMatch: first.etag }))
        .updateContact;
      expect([created.etag, first.etag, second.etag]).toEqual(['W/"1"', 'W/"2"', 'W/"3"']);
    });

    it('keeps the e-mail in the letter case it was given', async () => {
      expect((await createContact({ email: 'Ada.Lovelace@X.Example' })).email).toBe('Ada.Lovelace@X.Example');
    });

    it('rejects a null contactType and a company that does not exist', async () => {
      const created = await createContact();
      expect(
        await failureOf(send(url, UpdateContactDocument, { id: created.id, data: { contactType: null } })),
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'contactType',
        message: 'contactType is required',
      });
      expect(await failureOf(createContact({ companyId: 'co-7' }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'companyId',
        message: 'companyId co-7 is not a company',
      });
    });

    it('rejects a create without lastName, or with an unknown contactType, as BAD_USER_INPUT naming the field', async () => {
      const create = 'mutation($d: ContactInput!) { createContact(data: $d) { id } }';
      const missing = await postGraphQL(url, create, { d: { email: 'ada@x.example' } });
      const unknownType = await postGraphQL(url, create, {
        d: { lastName: 'L', email: 'ada@x.example', contactType: 'VIP' },
      });
      expect([codesOf(missing), codesOf(unknownType)]).toEqual([
        [{ code: 'BAD_USER_INPUT', field: 'lastName' }],
        [{ code: 'BAD_USER_INPUT', field: 'contactType' }],
      ]);
    });

    it('answers NOT_FOUND to an update of an unknown id, and false to its delete', async () => {
      expect(await failureOf(send(url, UpdateContactDocument, { id: 'c-404', data: { title: 'x' } }))).toEqual({
        code: 'NOT_FOUND',
        field: undefined,
        message: 'no contact c-404',
      });
      expect((await send(url, DeleteContactDocument, { id: 'c-404', ifMatch: 'W/"1"' })).deleteContact).toBe(false);
    });

    it('answers PRECONDITION_FAILED naming the current etag', async () => {
      const created = await createContact();
      await send(url, UpdateContactDocument, { id: created.id, data: { title: 'A' } });
      expect(await failureOf(send(url, DeleteContactDocument, { id: created.id, ifMatch: created.etag }))).toEqual({
        code: 'PRECONDITION_FAILED',
        field: undefined,
        message: 'contact c-1 has etag W/"2", not W/"1"',
      });
    });
  });

  describe('companies', () => {
    it('fills defaults on create: ACTIVE', async () => {
      expect(await createCompany('A-1')).toEqual({
        id: 'co-1',
        name: 'Company A-1',
        description: null,
        industry: null,
        website: null,
        code: 'A-1',
        status: 'ACTIVE',
        etag: 'W/"1"',
        modifiedAt: expect.any(String),
      });
    });

    it('keeps codes unique: a company may keep its own code, not take another one, and a deleted one frees its code', async () => {
      const a = await createCompany('A-1');
      await createCompany('B-1');

      const kept = (await send(url, UpdateCompanyDocument, { id: a.id, data: { code: 'A-1', name: 'Renamed' } }))
        .updateCompany;
      expect([kept.code, kept.name]).toEqual(['A-1', 'Renamed']);
      expect(await failureOf(send(url, UpdateCompanyDocument, { id: a.id, data: { code: 'B-1' } }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'code',
        message: 'code B-1 is already used by company co-2',
      });

      await send(url, DeleteCompanyDocument, { id: 'co-2' });
      expect((await send(url, UpdateCompanyDocument, { id: a.id, data: { code: 'B-1' } })).updateCompany.code).toBe(
        'B-1',
      );
    });

    it('accepts http and https websites only', async () => {
      const a = await createCompany('A-1');
      const ok = (await send(url, UpdateCompanyDocument, { id: a.id, data: { website: 'http://a.example/path' } }))
        .updateCompany;
      expect(ok.website).toBe('http://a.example/path');
      const failures = [];
      for (const website of ['mailto:a@a.example', 'a.example', 'https://']) {
        failures.push(
          codesOf(
            await postGraphQL(url, 'mutation($w: String) { updateCompany(id: "co-1", data: { website: $w }) { id } }', {
              w: website,
            }),
          ),
        );
      }
      expect(failures).toEqual([1, 2, 3].map(() => [{ code: 'BAD_USER_INPUT', field: 'website' }]));
    });

    it('may be deleted while contacts and activities refer to it: their references stay as they were', async () => {
      const company = await createCompany('A-1');
      const contact = await createContact({ companyId: company.id });
      const activity = (
        await send(url, CreateActivityDocument, {
          data: { subject: 'Visit', companyId: company.id, ownerContactId: contact.id },
        })
      ).createActivity;

      expect((await send(url, DeleteCompanyDocument, { id: company.id, ifMatch: company.etag })).deleteCompany).toBe(
        true,
      );

      const [contactAfter] = (await send(url, ContactsByIdsDocument, { ids: [contact.id] })).contacts.nodes;
      const [activityAfter] = (await send(url, ActivitiesByIdsDocument, { ids: [activity.id] })).activities.nodes;
      expect([contactAfter?.companyId, activityAfter?.companyId]).toEqual([company.id, company.id]);
      // A dangling reference does not block other edits, but cannot be set anew.
      expect(
        (await send(url, UpdateContactDocument, { id: contact.id, data: { title: 'Still here' } })).updateContact
          .companyId,
      ).toBe(company.id);
      expect(
        (await failureOf(send(url, UpdateContactDocument, { id: contact.id, data: { companyId: company.id } }))).field,
      ).toBe('companyId');
    });
  });

  describe('activities', () => {
    it('fills defaults on create (TASK, OPEN) and stores instants in UTC with milliseconds', async () => {
      const created = (
        await send(url, CreateActivityDocument, {
          data: { subject: 'Plan', startAt: '2025-03-01T10:30:00+01:00', dueAt: '2025-03-01T09:30Z' },
        })
      ).createActivity;
      expect(created).toEqual({
        id: 'a-1',
        subject: 'Plan',
        description: null,
        type: 'TASK',
        status: 'OPEN',
        startAt: '2025-03-01T09:30:00.000Z',
        dueAt: '2025-03-01T09:30:00.000Z',
        ownerContactId: null,
        companyId: null,
        etag: 'W/"1"',
        modifiedAt: expect.any(String),
      });
    });

    it('checks dueAt against the stored startAt when only one of them changes', async () => {
      const created = (
        await send(url, CreateActivityDocument, {
          data: { subject: 'Plan', startAt: '2025-03-01T09:00:00.000Z', dueAt: '2025-03-02T09:00:00.000Z' },
        })
      ).createActivity;
      expect(
        await failureOf(
          send(url, UpdateActivityDocument, { id: created.id, data: { startAt: '2025-03-03T00:00:00.000Z' } }),
        ),
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'dueAt',
        message: 'dueAt must not be before startAt',
      });
      // Clearing dueAt lifts the constraint.
      const moved = (
        await send(url, UpdateActivityDocument, {
          id: created.id,
          data: { startAt: '2025-03-03T00:00:00.000Z', dueAt: null },
        })
      ).updateActivity;
      expect([moved.startAt, moved.dueAt]).toEqual(['2025-03-03T00:00:00.000Z', null]);
    });

    it('requires an existing owner contact and company', async () => {
      const contact = await createContact();
      const created = (
        await send(url, CreateActivityDocument, { data: { subject: 'Call', ownerContactId: contact.id } })
      ).createActivity;
      expect(created.ownerContactId).toBe('c-1');
      expect(
        await failureOf(send(url, UpdateActivityDocument, { id: created.id, data: { ownerContactId: 'c-2' } })),
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'ownerContactId',
        message: 'ownerContactId c-2 is not a contact',
      });
      expect(
        (await failureOf(send(url, UpdateActivityDocument, { id: created.id, data: { companyId: 'co-1' } }))).field,
      ).toBe('companyId');
    });
  });
});

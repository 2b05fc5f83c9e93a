import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ActivitiesByCompanyIdsDocument,
  ActivitiesByOwnerContactIdsDocument,
  ActivitiesBySubjectsDocument,
  CompaniesByCodesDocument,
  ContactsByCompanyIdsDocument,
  ContactsByEmailsDocument,
  CreateActivityDocument,
  CreateCompanyDocument,
  CreateContactDocument,
  DeleteContactDocument,
  UpdateContactDocument,
} from '../../../src/generated/crmoffice-client.js';
import type { RunningReferenceServer } from '../../../src/reference/core/index.js';
import { startCrmoffice } from '../../../src/reference/crmoffice/index.js';
import { send } from './adapter.js';
import { codesOf, postGraphQL } from './graphql.js';

/**
 * List filters over HTTP, on an empty Crmoffice filled by each test's setup:
 *   companies co-1, co-2 (B-1), co-3 (C-1)
 *   contacts  c-1 ann@x.example @co-1, c-2 ANN@X.EXAMPLE @co-2, c-3 bo@x.example @co-1,
 *             c-4 cy@x.example (no company), c-5 dee@x.example @co-3
 *   activities a-1 "Kickoff" c-1 @co-1, a-2 "Review" c-3 @co-1, a-3 "Kickoff" c-4 (no company),
 *              a-4 "Call" c-1 @co-2
 */
describe('Crmoffice list filters', () => {
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
    for (const code of ['A-1', 'B-1', 'C-1']) {
      await send(url, CreateCompanyDocument, { data: { name: `Company ${code}`, code } });
    }
    for (const [email, companyId] of [
      ['ann@x.example', 'co-1'],
      ['ANN@X.EXAMPLE', 'co-2'],
      ['bo@x.example', 'co-1'],
      ['cy@x.example', null],
      ['dee@x.example', 'co-3'],
    ] as const) {
      await send(url, CreateContactDocument, { data: { lastName: email.split('@')[0]!, email, companyId } });
    }
    for (const [subject, ownerContactId, companyId] of [
      ['Kickoff', 'c-1', 'co-1'],
      ['Review', 'c-3', 'co-1'],
      ['Kickoff', 'c-4', null],
      ['Call', 'c-1', 'co-2'],
    ] as const) {
      await send(url, CreateActivityDocument, { data: { subject, ownerContactId, companyId } });
    }
    await fetch(`${server.origin}/admin/stats/reset`, { method: 'POST' });
  });

  const ids = (nodes: Array<{ id: string } | null>): Array<string | null> => nodes.map((node) => node?.id ?? null);

  describe('contacts', () => {
    it('match e-mails whatever their letter case, several e-mails in one request', async () => {
      const { contacts } = await send(url, ContactsByEmailsDocument, {
        emails: ['Ann@X.Example', 'CY@x.example', 'nobody@x.example'],
      });
      expect({ ids: ids(contacts.nodes), hasNextPage: contacts.pageInfo.hasNextPage }).toEqual({
        ids: ['c-1', 'c-2', 'c-4'],
        hasNextPage: false,
      });
      expect(contacts.nodes.map((c) => c?.email)).toEqual(['ann@x.example', 'ANN@X.EXAMPLE', 'cy@x.example']);
    });

    it('answers the contacts of several companies in one request', async () => {
      const { contacts } = await send(url, ContactsByCompanyIdsDocument, { companyIds: ['co-2', 'co-1', 'co-9'] });
      expect(ids(contacts.nodes)).toEqual(['c-1', 'c-2', 'c-3']);
      expect(server.stats()).toEqual({ requests: 1, rejected: 0, fields: { contacts: 1 } });
    });

    it('combines several filters with AND', async () => {
      const answer = await postGraphQL(
        url,
        '{ contacts(emails: ["ann@x.example"], companyIds: ["co-2", "co-3"]) { nodes { id } } }',
      );
      expect(answer).toEqual({ data: { contacts: { nodes: [{ id: 'c-2' }] } } });
    });

    it('pages through a filtered list, and the cursor sees matching records created later', async () => {
      const first = await send(url, ContactsByCompanyIdsDocument, { companyIds: ['co-1', 'co-2'], first: 2 });
      expect({ ids: ids(first.contacts.nodes), hasNextPage: first.contacts.pageInfo.hasNextPage }).toEqual({
        ids: ['c-1', 'c-2'],
        hasNextPage: true,
      });
      const after = first.contacts.pageInfo.endCursor;
      const second = await send(url, ContactsByCompanyIdsDocument, { companyIds: ['co-1', 'co-2'], first: 2, after });
      expect({ ids: ids(second.contacts.nodes), hasNextPage: second.contacts.pageInfo.hasNextPage }).toEqual({
        ids: ['c-3'],
        hasNextPage: false,
      });

      await send(url, CreateContactDocument, { data: { lastName: 'New', email: 'new@x.example', companyId: 'co-2' } });
      const third = await send(url, ContactsByCompanyIdsDocument, {
        companyIds: ['co-1', 'co-2'],
        first: 2,
        after: second.contacts.pageInfo.endCursor,
      });
      expect(ids(third.contacts.nodes)).toEqual(['c-6']);
    });

    it('applies the other filters to ids: null where a record fails them', async () => {
      const answer = await postGraphQL(
        url,
        '{ contacts(ids: ["c-3", "c-1", "c-99", "c-4"], companyIds: ["co-1"]) { nodes { id } pageInfo { hasNextPage endCursor } } }',
      );
      expect(answer).toEqual({
        data: {
          contacts: {
            nodes: [{ id: 'c-3' }, { id: 'c-1' }, null, null],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      });
    });

    it('finds nothing for an empty filter list', async () => {
      const { contacts } = await send(url, ContactsByEmailsDocument, { emails: [] });
      expect(contacts).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('follows updates and deletes', async () => {
      const before = (await send(url, ContactsByEmailsDocument, { emails: ['cy@x.example'] })).contacts.nodes[0]!;
      await send(url, UpdateContactDocument, {
        id: 'c-4',
        data: { email: 'Cyd@x.example', companyId: 'co-3' },
        ifMatch: before.etag,
      });
      await send(url, DeleteContactDocument, { id: 'c-5' });

      const byOld = await send(url, ContactsByEmailsDocument, { emails: ['cy@x.example'] });
      const byNew = await send(url, ContactsByEmailsDocument, { emails: ['cyd@X.example'] });
      const byCompany = await send(url, ContactsByCompanyIdsDocument, { companyIds: ['co-3'] });
      expect([ids(byOld.contacts.nodes), ids(byNew.contacts.nodes), ids(byCompany.contacts.nodes)]).toEqual([
        [],
        ['c-4'],
        ['c-4'],
      ]);
    });
  });

  describe('companies', () => {
    it('match several codes exactly in one request', async () => {
      const { companies } = await send(url, CompaniesByCodesDocument, { codes: ['C-1', 'A-1', 'a-1', 'Z-9'] });
      expect(companies.nodes.map((c) => c && [c.id, c.code])).toEqual([
        ['co-1', 'A-1'],
        ['co-3', 'C-1'],
      ]);
    });
  });

  describe('activities', () => {
    it('answer the activities of several owners in one request', async () => {
      const { activities } = await send(url, ActivitiesByOwnerContactIdsDocument, { ownerContactIds: ['c-4', 'c-1'] });
      expect(ids(activities.nodes)).toEqual(['a-1', 'a-3', 'a-4']);
      expect(server.stats()).toEqual({ requests: 1, rejected: 0, fields: { activities: 1 } });
    });

    it('answer the activities of several companies in one request', async () => {
      const { activities } = await send(url, ActivitiesByCompanyIdsDocument, { companyIds: ['co-1', 'co-2'] });
      expect(ids(activities.nodes)).toEqual(['a-1', 'a-2', 'a-4']);
    });

    it('match subjects exactly', async () => {
      const { activities } = await send(url, ActivitiesBySubjectsDocument, { subjects: ['Kickoff', 'review'] });
      expect(ids(activities.nodes)).toEqual(['a-1', 'a-3']);
    });

    it('combine owners, companies and subjects with AND', async () => {
      const answer = await postGraphQL(
        url,
        '{ activities(ownerContactIds: ["c-1", "c-4"], companyIds: ["co-1", "co-2"], subjects: ["Kickoff", "Call"]) { nodes { id } } }',
      );
      expect(answer).toEqual({ data: { activities: { nodes: [{ id: 'a-1' }, { id: 'a-4' }] } } });
    });
  });

  describe('limits', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `x${i}@x.example`);

    it.each([
      ['first above 1000', '{ contacts(first: 1001) { nodes { id } } }', {}, 'first'],
      ['a negative first', '{ companies(first: -1) { nodes { id } } }', {}, 'first'],
      ['1001 e-mails', 'query($v: [String!]) { contacts(emails: $v) { nodes { id } } }', { v: many }, 'emails'],
      ['1001 ids', 'query($v: [ID!]) { activities(ids: $v) { nodes { id } } }', { v: many }, 'ids'],
      ['1001 subjects', 'query($v: [String!]) { activities(subjects: $v) { nodes { id } } }', { v: many }, 'subjects'],
      ['a cursor that is none', '{ contacts(after: "abc") { nodes { id } } }', {}, 'after'],
      ['a negative feed limit', '{ changes(collection: CONTACTS, limit: -1) { cursor } }', {}, 'limit'],
      ['a feed limit above 1000', '{ changes(collection: CONTACTS, limit: 1001) { cursor } }', {}, 'limit'],
      ['a feed cursor that is none', '{ changes(collection: CONTACTS, since: "-3") { cursor } }', {}, 'since'],
      // Such a cursor comes from before a restart or reset: reading on would skip changes.
      ['a feed cursor beyond the end', '{ changes(collection: CONTACTS, since: "6") { cursor } }', {}, 'since'],
    ])('rejects %s with BAD_USER_INPUT naming the argument', async (_why, query, variables, field) => {
      const answer = await postGraphQL(url, query, variables);
      expect({ data: answer.data, errors: codesOf(answer) }).toEqual({
        data: null,
        errors: [{ code: 'BAD_USER_INPUT', field }],
      });
    });

    it('reads the feed from its end cursor', async () => {
      const answer = await postGraphQL(
        url,
        '{ changes(collection: CONTACTS, since: "5") { items { id } cursor hasMore } }',
      );
      expect(answer).toEqual({ data: { changes: { items: [], cursor: '5', hasMore: false } } });
    });

    it('accepts exactly 1000 e-mails and first 1000', async () => {
      const answer = await postGraphQL(
        url,
        'query($v: [String!]) { contacts(emails: $v, first: 1000) { nodes { id } } }',
        {
          v: [...many.slice(0, 999), 'ann@x.example'],
        },
      );
      expect(answer).toEqual({ data: { contacts: { nodes: [{ id: 'c-1' }, { id: 'c-2' }] } } });
    });
  });
});

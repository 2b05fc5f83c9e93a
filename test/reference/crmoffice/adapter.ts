import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { request } from 'graphql-request';
import {
  ActivitiesByIdsDocument,
  ActivitiesPageDocument,
  ChangesDocument,
  CompaniesByIdsDocument,
  CompaniesPageDocument,
  ContactsByIdsDocument,
  ContactsPageDocument,
  CreateActivityDocument,
  CreateCompanyDocument,
  CreateContactDocument,
  DeleteActivityDocument,
  DeleteCompanyDocument,
  DeleteContactDocument,
  UpdateActivityDocument,
  UpdateCompanyDocument,
  UpdateContactDocument,
  type ActivityInput,
  type ActivityUpdateInput,
  type Collection,
  type CompanyInput,
  type CompanyUpdateInput,
  type ContactInput,
  type ContactUpdateInput,
} from '../../../src/generated/crmoffice-client.js';
import { startCrmoffice } from '../../../src/reference/crmoffice/index.js';
import { callSystem, type ContractAdapter, type ContractRecord, type EntityAdapter } from '../contract-adapter.js';

/** Sends one typed operation to Crmoffice; GraphQL errors become ContractErrors. */
export function send<TResult, TVariables extends object>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  return callSystem(() => request<TResult>({ url, document, variables: variables as Record<string, unknown> }));
}

/** A Crmoffice record as the contract suite sees it: the etag is the token, the rest are fields. */
function contractRecord(record: { id: string; etag: string }): ContractRecord {
  const { id, etag, ...fields } = record;
  return { id, token: etag, fields };
}

function orNull(record: { id: string; etag: string } | null): ContractRecord | null {
  return record ? contractRecord(record) : null;
}

async function feed(url: string, collection: Collection, since: string | null, limit: number) {
  const { changes } = await send(url, ChangesDocument, { collection, since, limit });
  return changes;
}

const long = (length: number): string => 'x'.repeat(length);

const contacts: EntityAdapter = {
  name: 'Contact',
  seededCount: 34,
  validInput: (n) => ({
    firstName: 'Casey',
    lastName: `Contract ${n}`,
    email: `casey.contract.${n}@crm-test.example`,
    phone: '+49 30 5550100',
    contactType: 'CUSTOMER',
    address: { street: `${n} Test Street`, city: 'Berlin', postalCode: '10115', country: 'DE' },
    active: true,
  }),
  // Replaces one address field and clears the phone: the rest stays as created.
  updateInput: (n) => ({ title: `Buyer ${n}`, phone: null, address: { city: 'Hamburg' } }),
  invalidInputs: () => [
    { input: { ...contacts.validInput(0), lastName: '  ' }, field: 'lastName', why: 'a blank lastName' },
    { input: { ...contacts.validInput(0), email: 'casey.example.com' }, field: 'email', why: 'an e-mail without @' },
    {
      input: { ...contacts.validInput(0), firstName: long(201) },
      field: 'firstName',
      why: 'a firstName of 201 characters',
    },
    {
      input: { ...contacts.validInput(0), address: { city: long(201) } },
      field: 'address.city',
      why: 'an address city of 201 characters',
    },
    { input: { ...contacts.validInput(0), companyId: 'co-999999' }, field: 'companyId', why: 'an unknown companyId' },
  ],
  invalidUpdates: () => [
    { input: { lastName: null }, field: 'lastName', why: 'lastName cleared' },
    { input: { email: null }, field: 'email', why: 'email cleared' },
    { input: { active: null }, field: 'active', why: 'active cleared' },
    { input: { companyId: 'co-999999' }, field: 'companyId', why: 'an unknown companyId' },
  ],
  create: async (url, input) =>
    contractRecord((await send(url, CreateContactDocument, { data: input as ContactInput })).createContact),
  update: async (url, id, input, token) =>
    contractRecord(
      (await send(url, UpdateContactDocument, { id, data: input as ContactUpdateInput, ifMatch: token })).updateContact,
    ),
  remove: async (url, id, token) => (await send(url, DeleteContactDocument, { id, ifMatch: token })).deleteContact,
  getMany: async (url, ids) => (await send(url, ContactsByIdsDocument, { ids })).contacts.nodes.map(orNull),
  page: async (url, first, after) => {
    const { nodes, pageInfo } = (await send(url, ContactsPageDocument, { first, after })).contacts;
    return { ids: nodes.map((node) => node?.id ?? ''), ...pageInfo };
  },
  changes: (url, since, limit) => feed(url, 'CONTACTS', since, limit),
};

const companies: EntityAdapter = {
  name: 'Company',
  seededCount: 16,
  validInput: (n) => ({
    name: `Contract Company ${n}`,
    code: `CT-${n}`,
    description: 'Made by the contract suite',
    industry: 'Software',
    website: `https://contract-company-${n}.example.com`,
    status: 'ACTIVE',
  }),
  updateInput: (n) => ({ status: 'INACTIVE', website: null, description: `Updated ${n}` }),
  invalidInputs: () => [
    { input: { ...companies.validInput(0), name: '' }, field: 'name', why: 'an empty name' },
    { input: { ...companies.validInput(0), code: ' ' }, field: 'code', why: 'a blank code' },
    { input: { ...companies.validInput(0), code: 'SKU-00001' }, field: 'code', why: 'the code of a seeded company' },
    {
      input: { ...companies.validInput(0), website: 'ftp://files.example.com' },
      field: 'website',
      why: 'an ftp website',
    },
    {
      input: { ...companies.validInput(0), description: long(2001) },
      field: 'description',
      why: 'a description of 2001 characters',
    },
  ],
  invalidUpdates: () => [
    { input: { name: null }, field: 'name', why: 'name cleared' },
    { input: { code: 'SKU-00001' }, field: 'code', why: 'the code of a seeded company' },
    { input: { status: null }, field: 'status', why: 'status cleared' },
    { input: { website: 'not a url' }, field: 'website', why: 'a website that is no URL' },
  ],
  create: async (url, input) =>
    contractRecord((await send(url, CreateCompanyDocument, { data: input as CompanyInput })).createCompany),
  update: async (url, id, input, token) =>
    contractRecord(
      (await send(url, UpdateCompanyDocument, { id, data: input as CompanyUpdateInput, ifMatch: token })).updateCompany,
    ),
  remove: async (url, id, token) => (await send(url, DeleteCompanyDocument, { id, ifMatch: token })).deleteCompany,
  getMany: async (url, ids) => (await send(url, CompaniesByIdsDocument, { ids })).companies.nodes.map(orNull),
  page: async (url, first, after) => {
    const { nodes, pageInfo } = (await send(url, CompaniesPageDocument, { first, after })).companies;
    return { ids: nodes.map((node) => node?.id ?? ''), ...pageInfo };
  },
  changes: (url, since, limit) => feed(url, 'COMPANIES', since, limit),
};

const activities: EntityAdapter = {
  name: 'Activity',
  seededCount: 20,
  validInput: (n) => ({
    subject: `Contract activity ${n}`,
    description: 'Made by the contract suite',
    type: 'MEETING',
    status: 'OPEN',
    startAt: '2025-05-01T09:00:00.000Z',
    dueAt: '2025-05-01T10:00:00.000Z',
    ownerContactId: 'c-1',
    companyId: 'co-1',
  }),
  updateInput: (n) => ({
    subject: `Contract activity ${n} (moved)`,
    status: 'DONE',
    dueAt: '2025-05-02T10:00:00.000Z',
    companyId: null,
  }),
  invalidInputs: () => [
    { input: { ...activities.validInput(0), subject: '' }, field: 'subject', why: 'an empty subject' },
    {
      input: { ...activities.validInput(0), startAt: 'next Tuesday' },
      field: 'startAt',
      why: 'a startAt that is no date-time',
    },
    {
      input: { ...activities.validInput(0), startAt: '2025-02-30T09:00:00Z' },
      field: 'startAt',
      why: 'a startAt on 30 February',
    },
    {
      input: { ...activities.validInput(0), dueAt: '2025-05-01T10:00:00' },
      field: 'dueAt',
      why: 'a dueAt without zone',
    },
    {
      input: { ...activities.validInput(0), dueAt: '2025-04-30T09:00:00.000Z' },
      field: 'dueAt',
      why: 'a dueAt before startAt',
    },
    {
      input: { ...activities.validInput(0), ownerContactId: 'c-999999' },
      field: 'ownerContactId',
      why: 'an unknown ownerContactId',
    },
    { input: { ...activities.validInput(0), companyId: 'co-999999' }, field: 'companyId', why: 'an unknown companyId' },
  ],
  invalidUpdates: () => [
    { input: { subject: null }, field: 'subject', why: 'subject cleared' },
    { input: { type: null }, field: 'type', why: 'type cleared' },
    { input: { dueAt: '2025-04-01T00:00:00.000Z' }, field: 'dueAt', why: 'a dueAt before the stored startAt' },
    { input: { ownerContactId: 'c-999999' }, field: 'ownerContactId', why: 'an unknown ownerContactId' },
  ],
  create: async (url, input) =>
    contractRecord((await send(url, CreateActivityDocument, { data: input as ActivityInput })).createActivity),
  update: async (url, id, input, token) =>
    contractRecord(
      (await send(url, UpdateActivityDocument, { id, data: input as ActivityUpdateInput, ifMatch: token }))
        .updateActivity,
    ),
  remove: async (url, id, token) => (await send(url, DeleteActivityDocument, { id, ifMatch: token })).deleteActivity,
  getMany: async (url, ids) => (await send(url, ActivitiesByIdsDocument, { ids })).activities.nodes.map(orNull),
  page: async (url, first, after) => {
    const { nodes, pageInfo } = (await send(url, ActivitiesPageDocument, { first, after })).activities;
    return { ids: nodes.map((node) => node?.id ?? ''), ...pageInfo };
  },
  changes: (url, since, limit) => feed(url, 'ACTIVITIES', since, limit),
};

/** Crmoffice for the shared contract suite: contacts, companies and activities, over HTTP. */
export const crmofficeAdapter: ContractAdapter = {
  name: 'Crmoffice',
  start: () => startCrmoffice({ seed: 'demo' }),
  entities: [contacts, companies, activities],
  staleTokenCode: 'PRECONDITION_FAILED',
  statsProbe: {
    query: '{ a: contact(id: "c-1") { id } b: contact(id: "c-2") { id } companies(first: 1) { nodes { id } } }',
    fields: { contact: 2, companies: 1 },
  },
};

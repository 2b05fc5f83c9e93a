import { describe, expect, it } from '@jest/globals';
import {
  diffForUpdate,
  projectActivity,
  toCanonical,
  toCreateInput,
  type CrmofficeActivity,
  type CustomerpProject,
} from '../../src/mappings/index.js';
import { stubResolver } from './resolver-stub.js';

const links = stubResolver([
  { linkId: 'link-owner', customerp: { type: 'Employee', id: 'emp-1' }, crmoffice: { type: 'Contact', id: 'con-7' } },
  { linkId: 'link-company', customerp: { type: 'Product', id: 'prd-2' }, crmoffice: { type: 'Company', id: 'com-3' } },
  // A half-linked Crmoffice-only contact: it has a link id but no Customerp employee.
  { linkId: 'link-crm-only', crmoffice: { type: 'Contact', id: 'con-99' } },
]);

const project: CustomerpProject = {
  id: 'prj-5',
  version: 2,
  updatedAt: '2025-06-01T12:00:00.000Z',
  projectNumber: 'P-00005',
  name: 'Project Atlas 5',
  description: 'Delivery project 5',
  status: 'ON_HOLD',
  startDate: '2025-03-04',
  endDate: '2025-09-30',
  managerId: 'emp-1',
  productId: 'prd-2',
};

const canonical = {
  subject: 'Project Atlas 5',
  description: 'Delivery project 5',
  status: 'IN_PROGRESS',
  startAt: '2025-03-04',
  dueAt: '2025-09-30',
  owner: 'link-owner',
  company: 'link-company',
};

const activity: CrmofficeActivity = {
  id: 'act-8',
  etag: 'W/"3"',
  modifiedAt: '2025-06-01T12:00:01.000Z',
  subject: 'Project Atlas 5',
  description: 'Delivery project 5',
  type: 'PROJECT',
  status: 'IN_PROGRESS',
  startAt: '2025-03-04T15:00:00.000Z',
  dueAt: '2025-09-30T00:00:00.000Z',
  ownerContactId: 'con-7',
  companyId: 'com-3',
};

describe('project-activity dataflow', () => {
  it('reads a Customerp Project: status to ActivityStatus, dates as they are, references as link ids', () => {
    expect(toCanonical(projectActivity, 'CUSTOMERP', project, links)).toEqual({ values: canonical, deferred: [] });
  });

  it('creates the Crmoffice Activity with type PROJECT, dates at 00:00 UTC and the linked record ids', () => {
    expect(toCreateInput(projectActivity, 'CRMOFFICE', canonical, links)).toEqual({
      input: {
        subject: 'Project Atlas 5',
        description: 'Delivery project 5',
        status: 'IN_PROGRESS',
        startAt: '2025-03-04T00:00:00.000Z',
        dueAt: '2025-09-30T00:00:00.000Z',
        ownerContactId: 'con-7',
        companyId: 'com-3',
        type: 'PROJECT',
      },
      deferred: [],
    });
  });

  it('reads the Crmoffice Activity back to the same canonical values, a start time to its UTC date', () => {
    expect(toCanonical(projectActivity, 'CRMOFFICE', activity, links)).toEqual({ values: canonical, deferred: [] });
  });

  it('reads a date-time by its UTC date, whatever its offset', () => {
    const late = { ...activity, startAt: '2025-03-04T23:30:00-02:00' };
    expect(toCanonical(projectActivity, 'CRMOFFICE', late, links).values['startAt']).toBe('2025-03-05');
  });

  it('creates a new Customerp Project with the default status mapping: IN_PROGRESS → ACTIVE', () => {
    expect(toCreateInput(projectActivity, 'CUSTOMERP', canonical, links)).toEqual({
      input: {
        name: 'Project Atlas 5',
        description: 'Delivery project 5',
        status: 'ACTIVE',
        startDate: '2025-03-04',
        endDate: '2025-09-30',
        managerId: 'emp-1',
        productId: 'prd-2',
      },
      deferred: [],
    });
  });

  it('maps every ProjectStatus to ActivityStatus and each ActivityStatus back to its default', () => {
    const read = (status: CustomerpProject['status']) =>
      toCanonical(projectActivity, 'CUSTOMERP', { ...project, status }, links).values['status'];
    expect(
      ['PLANNED', 'ACTIVE', 'ON_HOLD', 'COMPLETED', 'CANCELLED'].map((s) => read(s as CustomerpProject['status'])),
    ).toEqual(['OPEN', 'IN_PROGRESS', 'IN_PROGRESS', 'DONE', 'CANCELLED']);
    const create = (status: string) => toCreateInput(projectActivity, 'CUSTOMERP', { status }, links).input['status'];
    expect(['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED'].map(create)).toEqual([
      'PLANNED',
      'ACTIVE',
      'COMPLETED',
      'CANCELLED',
    ]);
  });

  it('never flips a lossy value back: IN_PROGRESS arriving leaves ON_HOLD alone, a start time stays on its date', () => {
    expect(diffForUpdate(projectActivity, 'CUSTOMERP', canonical, project, links)).toEqual({ input: {}, deferred: [] });
    expect(diffForUpdate(projectActivity, 'CRMOFFICE', canonical, activity, links)).toEqual({
      input: {},
      deferred: [],
    });
  });

  it('writes a status that really changed, and ON_HOLD survives the round trip through Crmoffice', () => {
    expect(diffForUpdate(projectActivity, 'CUSTOMERP', { status: 'DONE' }, project, links).input).toEqual({
      status: 'COMPLETED',
    });
    const roundTrip = toCanonical(projectActivity, 'CRMOFFICE', activity, links).values;
    expect(diffForUpdate(projectActivity, 'CUSTOMERP', roundTrip, project, links).input).toEqual({});
  });

  it('moves a date by writing 00:00 UTC of the new date', () => {
    expect(
      diffForUpdate(projectActivity, 'CRMOFFICE', { startAt: '2025-03-05', dueAt: null }, activity, links).input,
    ).toEqual({
      startAt: '2025-03-05T00:00:00.000Z',
      dueAt: null,
    });
  });

  it('defers a Customerp reference whose target has no link yet, and leaves the field out', () => {
    const unlinkedManager = { ...project, managerId: 'emp-404' };
    expect(toCanonical(projectActivity, 'CUSTOMERP', unlinkedManager, links)).toEqual({
      values: {
        subject: 'Project Atlas 5',
        description: 'Delivery project 5',
        status: 'IN_PROGRESS',
        startAt: '2025-03-04',
        dueAt: '2025-09-30',
        company: 'link-company',
      },
      deferred: [{ field: 'owner', system: 'CUSTOMERP', type: 'Employee', id: 'emp-404', idKind: 'record' }],
    });
  });

  it('defers writing a reference to a link without a record on that side, never writing a dangling id', () => {
    const values = { ...canonical, owner: 'link-crm-only' };
    expect(toCreateInput(projectActivity, 'CUSTOMERP', values, links)).toEqual({
      input: {
        name: 'Project Atlas 5',
        description: 'Delivery project 5',
        status: 'ACTIVE',
        startDate: '2025-03-04',
        endDate: '2025-09-30',
        productId: 'prd-2',
      },
      deferred: [{ field: 'owner', system: 'CUSTOMERP', type: 'Employee', id: 'link-crm-only', idKind: 'link' }],
    });
    expect(diffForUpdate(projectActivity, 'CUSTOMERP', values, project, links)).toEqual({
      input: {},
      deferred: [{ field: 'owner', system: 'CUSTOMERP', type: 'Employee', id: 'link-crm-only', idKind: 'link' }],
    });
  });

  it("translates a changed or cleared reference into the other system's record id", () => {
    const crmOwner = { ...activity, ownerContactId: 'con-99', companyId: null };
    const { values, deferred } = toCanonical(projectActivity, 'CRMOFFICE', crmOwner, links);
    expect(deferred).toEqual([]);
    expect(values).toMatchObject({ owner: 'link-crm-only', company: null });
    expect(
      diffForUpdate(projectActivity, 'CRMOFFICE', { owner: 'link-owner', company: 'link-company' }, crmOwner, links)
        .input,
    ).toEqual({
      ownerContactId: 'con-7',
      companyId: 'com-3',
    });
    expect(diffForUpdate(projectActivity, 'CUSTOMERP', { company: null }, project, links).input).toEqual({
      productId: null,
    });
  });
});

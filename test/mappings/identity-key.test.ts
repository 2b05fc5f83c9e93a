import { describe, expect, it } from '@jest/globals';
import {
  customerContact,
  employeeContact,
  identityKeyOf,
  productCompany,
  projectActivity,
  recordIdentityKey,
  type CrmofficeActivity,
  type CrmofficeContact,
  type CustomerpEmployee,
  type CustomerpProject,
} from '../../src/mappings/index.js';

const employee: CustomerpEmployee = {
  id: 'emp-3',
  version: 1,
  updatedAt: '2025-01-01T00:00:00.000Z',
  employeeNumber: 'E-00003',
  firstName: 'Chloe',
  lastName: 'Costa',
  email: 'chloe.costa.3@customerp-demo.example',
  phone: null,
  mobile: null,
  jobTitle: null,
  department: null,
  active: true,
};

const contact: CrmofficeContact = {
  id: 'con-3',
  etag: '1',
  modifiedAt: '2025-01-01T00:00:00.000Z',
  firstName: 'Chloe',
  lastName: 'Costa',
  email: 'CHLOE.COSTA.3@CUSTOMERP-DEMO.EXAMPLE',
  phone: null,
  mobilePhone: null,
  title: null,
  department: null,
  contactType: 'EMPLOYEE',
  companyId: null,
  address: { street: null, city: null, postalCode: null, country: null },
  active: true,
};

const project: CustomerpProject = {
  id: 'prj-5',
  version: 1,
  updatedAt: '2025-01-01T00:00:00.000Z',
  projectNumber: 'P-00005',
  name: 'Project Nimbus 5',
  description: null,
  status: 'ACTIVE',
  startDate: '2025-07-14',
  endDate: null,
  managerId: 'emp-9',
  productId: null,
};

const activity: CrmofficeActivity = {
  id: 'act-5',
  etag: '1',
  modifiedAt: '2025-01-01T00:00:00.000Z',
  subject: 'Project Nimbus 5',
  description: null,
  type: 'PROJECT',
  status: 'IN_PROGRESS',
  startAt: '2025-07-14T09:00:00.000Z',
  dueAt: null,
  ownerContactId: 'con-unlinked',
  companyId: null,
};

describe('identity keys', () => {
  it('match a contact by e-mail, ignoring letter case', () => {
    expect(recordIdentityKey(employeeContact, 'CUSTOMERP', employee)).toBe('chloe.costa.3@customerp-demo.example');
    expect(recordIdentityKey(employeeContact, 'CRMOFFICE', contact)).toBe('chloe.costa.3@customerp-demo.example');
    expect(identityKeyOf(customerContact, { email: ' Ben@Clients.Example ' })).toBe('ben@clients.example');
  });

  it('match a company by code = sku', () => {
    expect(identityKeyOf(productCompany, { name: 'Orbit', code: 'SKU-00007' })).toBe('sku-00007');
  });

  it('match an activity by subject and start date, without needing its references to be linked', () => {
    const key = '["project nimbus 5","2025-07-14"]';
    expect(recordIdentityKey(projectActivity, 'CUSTOMERP', project)).toBe(key);
    expect(recordIdentityKey(projectActivity, 'CRMOFFICE', activity)).toBe(key);
    expect(
      recordIdentityKey(projectActivity, 'CRMOFFICE', { ...activity, startAt: '2025-07-15T09:00:00.000Z' }),
    ).not.toBe(key);
  });

  it('are null when a part is missing, so such a record is never matched', () => {
    expect(identityKeyOf(employeeContact, { email: null })).toBeNull();
    expect(identityKeyOf(projectActivity, { subject: 'Project Nimbus 5', startAt: null })).toBeNull();
    expect(identityKeyOf(productCompany, {})).toBeNull();
  });
});

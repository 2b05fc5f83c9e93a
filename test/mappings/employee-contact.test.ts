import { describe, expect, it } from '@jest/globals';
import {
  diffForUpdate,
  employeeContact,
  toCanonical,
  toCreateInput,
  type CrmofficeContact,
  type CustomerpEmployee,
} from '../../src/mappings/index.js';
import { noLinks } from './resolver-stub.js';

const employee: CustomerpEmployee = {
  id: 'emp-1',
  version: 3,
  updatedAt: '2025-03-01T09:00:00.000Z',
  employeeNumber: 'E-00001',
  firstName: 'Ada',
  lastName: 'Andersen',
  email: 'ada.andersen.1@customerp-demo.example',
  phone: '+49 30 1234567',
  mobile: '+49 170 7654321',
  jobTitle: 'Engineer',
  department: 'Engineering',
  active: true,
};

const canonical = {
  firstName: 'Ada',
  lastName: 'Andersen',
  email: 'ada.andersen.1@customerp-demo.example',
  phone: '+49 30 1234567',
  mobile: '+49 170 7654321',
  title: 'Engineer',
  department: 'Engineering',
  active: true,
};

const contact: CrmofficeContact = {
  id: 'con-7',
  etag: 'W/"4"',
  modifiedAt: '2025-03-01T09:00:05.000Z',
  firstName: 'Ada',
  lastName: 'Andersen',
  email: 'ada.andersen.1@customerp-demo.example',
  phone: '+49 30 1234567',
  mobilePhone: '+49 170 7654321',
  title: 'Engineer',
  department: 'Engineering',
  contactType: 'EMPLOYEE',
  companyId: 'com-2',
  address: { street: '1 Mill Lane', city: 'Berlin', postalCode: '10115', country: 'DE' },
  active: true,
};

describe('employee-contact dataflow', () => {
  it('reads every mapped field of a Customerp Employee into canonical values', () => {
    expect(toCanonical(employeeContact, 'CUSTOMERP', employee, noLinks)).toEqual({ values: canonical, deferred: [] });
  });

  it('creates the Crmoffice Contact with every mapped field and contactType EMPLOYEE', () => {
    expect(toCreateInput(employeeContact, 'CRMOFFICE', canonical, noLinks)).toEqual({
      input: {
        firstName: 'Ada',
        lastName: 'Andersen',
        email: 'ada.andersen.1@customerp-demo.example',
        phone: '+49 30 1234567',
        mobilePhone: '+49 170 7654321',
        title: 'Engineer',
        department: 'Engineering',
        active: true,
        contactType: 'EMPLOYEE',
      },
      deferred: [],
    });
  });

  it('reads the Crmoffice Contact back to the same canonical values, ignoring unmapped address and company', () => {
    expect(toCanonical(employeeContact, 'CRMOFFICE', contact, noLinks)).toEqual({ values: canonical, deferred: [] });
  });

  it('creates a Customerp Employee from canonical values without any Crmoffice-only field', () => {
    expect(toCreateInput(employeeContact, 'CUSTOMERP', canonical, noLinks)).toEqual({
      input: {
        firstName: 'Ada',
        lastName: 'Andersen',
        email: 'ada.andersen.1@customerp-demo.example',
        phone: '+49 30 1234567',
        mobile: '+49 170 7654321',
        jobTitle: 'Engineer',
        department: 'Engineering',
        active: true,
      },
      deferred: [],
    });
  });

  it('leaves empty values out of a create input, and reads empty strings as null', () => {
    const sparse = { ...employee, phone: '', mobile: null, department: null };
    const { values } = toCanonical(employeeContact, 'CUSTOMERP', sparse, noLinks);
    expect(values).toEqual({ ...canonical, phone: null, mobile: null, department: null });
    expect(Object.keys(toCreateInput(employeeContact, 'CRMOFFICE', values, noLinks).input)).toEqual([
      'firstName',
      'lastName',
      'email',
      'title',
      'active',
      'contactType',
    ]);
  });

  it('finds nothing to write for an echo of the same values, on either side', () => {
    expect(diffForUpdate(employeeContact, 'CRMOFFICE', canonical, contact, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
    expect(diffForUpdate(employeeContact, 'CUSTOMERP', canonical, employee, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
  });

  it("writes only the fields that differ, under the other system's names, and null to clear", () => {
    const changed = { ...canonical, mobile: '+49 170 0000000', title: null, active: false };
    expect(diffForUpdate(employeeContact, 'CRMOFFICE', changed, contact, noLinks).input).toEqual({
      mobilePhone: '+49 170 0000000',
      title: null,
      active: false,
    });
    expect(diffForUpdate(employeeContact, 'CUSTOMERP', changed, employee, noLinks).input).toEqual({
      mobile: '+49 170 0000000',
      jobTitle: null,
      active: false,
    });
  });

  it('leaves fields absent from the values alone', () => {
    expect(diffForUpdate(employeeContact, 'CRMOFFICE', { lastName: 'Becker' }, contact, noLinks).input).toEqual({
      lastName: 'Becker',
    });
  });
});

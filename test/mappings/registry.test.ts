import { describe, expect, it } from '@jest/globals';
import {
  crmofficeOnly,
  customerContact,
  dataflowForCrmoffice,
  dataflowForCustomerp,
  dataflowForUnified,
  dataflows,
  employeeContact,
  mappedProperties,
  productCompany,
  projectActivity,
  toCanonical,
  unifiedTypeOfCollection,
  type CrmofficeContact,
} from '../../src/mappings/index.js';
import { noLinks } from './resolver-stub.js';

describe('the dataflow registry', () => {
  it('lists the four dataflows in the order of the dataflow document, each with its names', () => {
    expect(
      dataflows.map((f) => [
        f.name,
        f.customerp.type,
        f.crmoffice.type,
        f.crmoffice.label,
        f.unifiedType,
        f.contactKind,
      ]),
    ).toEqual([
      ['employee-contact', 'Employee', 'Contact', 'Contacts', 'Contact', 'EMPLOYEE'],
      ['product-company', 'Product', 'Company', 'Companies', 'Company', null],
      ['project-activity', 'Project', 'Activity', 'Activities', 'Activity', null],
      ['customer-contact', 'Contact', 'Contact', 'Contacts', 'Contact', 'CUSTOMER_CONTACT'],
    ]);
  });

  it('finds the dataflow of a Customerp entity', () => {
    expect(['Employee', 'Product', 'Project', 'Contact'].map((e) => dataflowForCustomerp(e as 'Employee'))).toEqual([
      employeeContact,
      productCompany,
      projectActivity,
      customerContact,
    ]);
  });

  it('finds the dataflow of a Crmoffice record by its collection and contactType or type', () => {
    expect(dataflowForCrmoffice('Contact', { contactType: 'EMPLOYEE' })).toBe(employeeContact);
    expect(dataflowForCrmoffice('Contact', { contactType: 'CUSTOMER' })).toBe(customerContact);
    expect(dataflowForCrmoffice('Contact', { contactType: 'OTHER' })).toBeNull();
    expect(dataflowForCrmoffice('Company', {})).toBe(productCompany);
    expect(dataflowForCrmoffice('Activity', { type: 'PROJECT' })).toBe(projectActivity);
    expect(['TASK', 'MEETING', 'CALL'].map((type) => dataflowForCrmoffice('Activity', { type }))).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('finds the dataflow behind a unified type and contact kind', () => {
    expect(dataflowForUnified('Contact', 'EMPLOYEE')).toBe(employeeContact);
    expect(dataflowForUnified('Contact', 'CUSTOMER_CONTACT')).toBe(customerContact);
    expect(dataflowForUnified('Contact', 'CRM_ONLY')).toBeNull();
    expect(dataflowForUnified('Company')).toBe(productCompany);
    expect(dataflowForUnified('Activity')).toBe(projectActivity);
    expect(unifiedTypeOfCollection).toEqual({ Contact: 'Contact', Company: 'Company', Activity: 'Activity' });
  });

  it('maps Crmoffice-only contacts with every contact field of both contact flows, and no constants', () => {
    expect(mappedProperties(crmofficeOnly.Contact).map((p) => p.field)).toEqual([
      'firstName',
      'lastName',
      'email',
      'phone',
      'mobile',
      'title',
      'department',
      'active',
      'address.street',
      'address.city',
      'address.postalCode',
      'address.country',
    ]);
    expect(crmofficeOnly.Contact.properties.length).toBe(12);
    const lead: CrmofficeContact = {
      id: 'con-50',
      etag: '1',
      modifiedAt: '2025-01-01T00:00:00.000Z',
      firstName: 'Zoe',
      lastName: 'Zimmer',
      email: 'zoe@crm-leads.example',
      phone: null,
      mobilePhone: '+49 170 1',
      title: null,
      department: 'Sales',
      contactType: 'OTHER',
      companyId: null,
      address: { street: null, city: 'Lyon', postalCode: null, country: 'FR' },
      active: false,
    };
    expect(dataflowForCrmoffice('Contact', lead)).toBeNull();
    expect(toCanonical(crmofficeOnly.Contact, 'CRMOFFICE', lead, noLinks).values).toEqual({
      firstName: 'Zoe',
      lastName: 'Zimmer',
      email: 'zoe@crm-leads.example',
      phone: null,
      mobile: '+49 170 1',
      title: null,
      department: 'Sales',
      active: false,
      'address.street': null,
      'address.city': 'Lyon',
      'address.postalCode': null,
      'address.country': 'FR',
    });
  });

  it('maps Crmoffice-only activities and companies like their dataflow, without the PROJECT constant', () => {
    expect(mappedProperties(crmofficeOnly.Activity).map((p) => p.field)).toEqual([
      'subject',
      'description',
      'status',
      'startAt',
      'dueAt',
      'owner',
      'company',
    ]);
    expect(crmofficeOnly.Activity.properties.length).toBe(7);
    expect(mappedProperties(crmofficeOnly.Company).map((p) => p.field)).toEqual([
      'name',
      'description',
      'industry',
      'website',
      'code',
      'active',
    ]);
  });
});

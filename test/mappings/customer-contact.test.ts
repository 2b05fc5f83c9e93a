import { describe, expect, it } from '@jest/globals';
import {
  customerContact,
  diffForUpdate,
  toCanonical,
  toCreateInput,
  type CrmofficeContact,
  type CustomerpContact,
} from '../../src/mappings/index.js';
import { malformedRecord } from './malformed-record.js';
import { noLinks } from './resolver-stub.js';

const customerpContact: CustomerpContact = {
  id: 'cc-4',
  version: 1,
  updatedAt: '2025-04-02T10:00:00.000Z',
  firstName: 'Ben',
  lastName: 'Becker',
  email: 'ben.becker.4@clients.example',
  phone: '+49 30 5550000',
  jobTitle: 'Buyer',
  customerName: 'Contoso Ltd',
  street: '12 Harbour Road',
  city: 'Hamburg',
  postalCode: '20095',
  country: 'DE',
};

const canonical = {
  firstName: 'Ben',
  lastName: 'Becker',
  email: 'ben.becker.4@clients.example',
  phone: '+49 30 5550000',
  title: 'Buyer',
  'address.street': '12 Harbour Road',
  'address.city': 'Hamburg',
  'address.postalCode': '20095',
  'address.country': 'DE',
};

const crmofficeContact: CrmofficeContact = {
  id: 'con-9',
  etag: 'W/"2"',
  modifiedAt: '2025-04-02T10:00:01.000Z',
  firstName: 'Ben',
  lastName: 'Becker',
  email: 'ben.becker.4@clients.example',
  phone: '+49 30 5550000',
  mobilePhone: '+49 170 1111111',
  title: 'Buyer',
  department: null,
  contactType: 'CUSTOMER',
  companyId: null,
  address: { street: '12 Harbour Road', city: 'Hamburg', postalCode: '20095', country: 'DE' },
  active: true,
};

describe('customer-contact dataflow', () => {
  it('reads a Customerp Contact into canonical values with one leaf per address field', () => {
    expect(toCanonical(customerContact, 'CUSTOMERP', customerpContact, noLinks)).toEqual({
      values: canonical,
      deferred: [],
    });
  });

  it('creates the Crmoffice Contact with a nested address and contactType CUSTOMER', () => {
    expect(toCreateInput(customerContact, 'CRMOFFICE', canonical, noLinks)).toEqual({
      input: {
        firstName: 'Ben',
        lastName: 'Becker',
        email: 'ben.becker.4@clients.example',
        phone: '+49 30 5550000',
        title: 'Buyer',
        address: { street: '12 Harbour Road', city: 'Hamburg', postalCode: '20095', country: 'DE' },
        contactType: 'CUSTOMER',
      },
      deferred: [],
    });
  });

  it('writes a partly known address whole, the unknown leaves null', () => {
    const { input } = toCreateInput(
      customerContact,
      'CRMOFFICE',
      { ...canonical, 'address.street': null, 'address.country': null },
      noLinks,
    );
    expect(input['address']).toEqual({ street: null, city: 'Hamburg', postalCode: '20095', country: null });
  });

  it('reads the Crmoffice Contact back to the same canonical values, ignoring mobile, department and active', () => {
    expect(toCanonical(customerContact, 'CRMOFFICE', crmofficeContact, noLinks)).toEqual({
      values: canonical,
      deferred: [],
    });
  });

  it('reads a malformed Crmoffice Contact whose address is null (the schema promises an object) as null leaves', () => {
    const { values } = toCanonical(
      customerContact,
      'CRMOFFICE',
      malformedRecord(crmofficeContact, { address: null }),
      noLinks,
    );
    expect(values).toMatchObject({
      'address.street': null,
      'address.city': null,
      'address.postalCode': null,
      'address.country': null,
    });
  });

  it('creates a Customerp Contact with the address flattened into its own fields', () => {
    expect(toCreateInput(customerContact, 'CUSTOMERP', canonical, noLinks)).toEqual({
      input: {
        firstName: 'Ben',
        lastName: 'Becker',
        email: 'ben.becker.4@clients.example',
        phone: '+49 30 5550000',
        jobTitle: 'Buyer',
        street: '12 Harbour Road',
        city: 'Hamburg',
        postalCode: '20095',
        country: 'DE',
      },
      deferred: [],
    });
  });

  it('finds nothing to write for an echo', () => {
    expect(diffForUpdate(customerContact, 'CRMOFFICE', canonical, crmofficeContact, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
    expect(diffForUpdate(customerContact, 'CUSTOMERP', canonical, customerpContact, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
  });

  it('merges per leaf: a changed city rewrites the Crmoffice address whole, the other leaves as they are', () => {
    const moved = { ...canonical, 'address.city': 'Berlin', 'address.postalCode': '10115' };
    expect(diffForUpdate(customerContact, 'CRMOFFICE', moved, crmofficeContact, noLinks).input).toEqual({
      address: { street: '12 Harbour Road', city: 'Berlin', postalCode: '10115', country: 'DE' },
    });
    expect(diffForUpdate(customerContact, 'CUSTOMERP', moved, customerpContact, noLinks).input).toEqual({
      city: 'Berlin',
      postalCode: '10115',
    });
  });

  it('keeps the current Crmoffice address leaves when only one leaf is given', () => {
    expect(
      diffForUpdate(customerContact, 'CRMOFFICE', { 'address.street': '1 Park Row' }, crmofficeContact, noLinks).input,
    ).toEqual({
      address: { street: '1 Park Row', city: 'Hamburg', postalCode: '20095', country: 'DE' },
    });
  });
});

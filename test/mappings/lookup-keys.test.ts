import { describe, expect, it } from '@jest/globals';
import {
  crmofficeOnly,
  customerContact,
  employeeContact,
  lookupKeysOf,
  productCompany,
  projectActivity,
} from '../../src/mappings/index.js';

describe('lookup keys', () => {
  it('index a contact by lower-cased e-mail and "first last"', () => {
    expect(lookupKeysOf(employeeContact, { firstName: 'Ada', lastName: 'Andersen', email: 'Ada@Example.com' })).toEqual(
      {
        email: 'ada@example.com',
        name: 'ada andersen',
      },
    );
    expect(lookupKeysOf(customerContact, { firstName: null, lastName: 'Becker', email: null })).toEqual({
      email: null,
      name: 'becker',
    });
    expect(lookupKeysOf(crmofficeOnly.Contact, {})).toEqual({ email: null, name: null });
  });

  it('index a company by lower-cased name and its code', () => {
    expect(lookupKeysOf(productCompany, { name: 'Atlas Cloud 2', code: 'SKU-00002' })).toEqual({
      name: 'atlas cloud 2',
      code: 'SKU-00002',
    });
  });

  it('index an activity by subject, status and the link ids of its owner and company', () => {
    expect(
      lookupKeysOf(projectActivity, { subject: 'Project Atlas 5', status: 'DONE', owner: 'link-owner', company: null }),
    ).toEqual({ name: 'project atlas 5', status: 'DONE', ownerId: 'link-owner', companyId: null });
  });
});

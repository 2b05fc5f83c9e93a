import { describe, expect, it } from '@jest/globals';
import {
  diffForUpdate,
  productCompany,
  toCanonical,
  toCreateInput,
  type CrmofficeCompany,
  type CustomerpProduct,
} from '../../src/mappings/index.js';
import { noLinks } from './resolver-stub.js';

const product: CustomerpProduct = {
  id: 'prd-2',
  version: 5,
  updatedAt: '2025-05-05T08:00:00.000Z',
  sku: 'SKU-00002',
  name: 'Atlas Cloud 2',
  description: 'Atlas Cloud 2: a reliable offering',
  category: 'Software',
  website: 'https://atlas-cloud-2.example.com',
  active: true,
};

const canonical = {
  name: 'Atlas Cloud 2',
  description: 'Atlas Cloud 2: a reliable offering',
  industry: 'Software',
  website: 'https://atlas-cloud-2.example.com',
  code: 'SKU-00002',
  active: true,
};

const company: CrmofficeCompany = {
  id: 'com-3',
  etag: 'W/"1"',
  modifiedAt: '2025-05-05T08:00:02.000Z',
  name: 'Atlas Cloud 2',
  description: 'Atlas Cloud 2: a reliable offering',
  industry: 'Software',
  website: 'https://atlas-cloud-2.example.com',
  code: 'SKU-00002',
  status: 'ACTIVE',
};

describe('product-company dataflow', () => {
  it('reads every mapped field of a Customerp Product; sku becomes code, category industry', () => {
    expect(toCanonical(productCompany, 'CUSTOMERP', product, noLinks)).toEqual({ values: canonical, deferred: [] });
  });

  it('creates the Crmoffice Company with active true as status ACTIVE', () => {
    expect(toCreateInput(productCompany, 'CRMOFFICE', canonical, noLinks)).toEqual({
      input: {
        name: 'Atlas Cloud 2',
        description: 'Atlas Cloud 2: a reliable offering',
        industry: 'Software',
        website: 'https://atlas-cloud-2.example.com',
        code: 'SKU-00002',
        status: 'ACTIVE',
      },
      deferred: [],
    });
  });

  it('reads the Crmoffice Company back to the same canonical values', () => {
    expect(toCanonical(productCompany, 'CRMOFFICE', company, noLinks)).toEqual({ values: canonical, deferred: [] });
  });

  it('creates the Customerp Product from canonical values', () => {
    expect(toCreateInput(productCompany, 'CUSTOMERP', canonical, noLinks)).toEqual({
      input: {
        name: 'Atlas Cloud 2',
        description: 'Atlas Cloud 2: a reliable offering',
        category: 'Software',
        website: 'https://atlas-cloud-2.example.com',
        sku: 'SKU-00002',
        active: true,
      },
      deferred: [],
    });
  });

  it('maps active false ↔ INACTIVE both ways', () => {
    expect(toCanonical(productCompany, 'CRMOFFICE', { ...company, status: 'INACTIVE' }, noLinks).values['active']).toBe(
      false,
    );
    expect(diffForUpdate(productCompany, 'CRMOFFICE', { active: false }, company, noLinks).input).toEqual({
      status: 'INACTIVE',
    });
    expect(diffForUpdate(productCompany, 'CUSTOMERP', { active: false }, product, noLinks).input).toEqual({
      active: false,
    });
  });

  it('finds nothing to write for an echo', () => {
    expect(diffForUpdate(productCompany, 'CRMOFFICE', canonical, company, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
    expect(diffForUpdate(productCompany, 'CUSTOMERP', canonical, product, noLinks)).toEqual({
      input: {},
      deferred: [],
    });
  });
});

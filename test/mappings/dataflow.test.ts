import { describe, expect, it } from '@jest/globals';
import { flag, text } from '../../src/mappings/codecs.js';
import { defineDataflow } from '../../src/mappings/dataflow.js';

const base = {
  name: 'broken',
  unifiedType: 'Company',
  customerp: { type: 'Product' },
  crmoffice: { type: 'Company', label: 'Companies' },
} as const;

describe('defineDataflow', () => {
  it('fails at load for a field mapped twice, a field of another type or an identity field that is not mapped', () => {
    expect(() =>
      defineDataflow({
        ...base,
        identity: ['code'],
        properties: [
          { field: 'name', customerp: 'name', crmoffice: 'name', codec: text() },
          { field: 'name', customerp: 'title', crmoffice: 'title', codec: text() },
          // A Contact field in a Company table: caught by the type checker too, hence the cast.
          { field: 'email' as 'name', customerp: 'email', crmoffice: 'email', codec: text('email') },
          { field: 'active', customerp: 'active', crmoffice: 'active', codec: flag },
        ],
      }),
    ).toThrow(
      'dataflow broken: name is mapped twice; email is not a Company field; identity field code is not a mapped value',
    );
  });
});

import { booleanAsEnum, text } from './codecs.js';
import { defineDataflow } from './dataflow.js';

/** Customerp Product → Crmoffice Company; unified Company. */
export const productCompany = defineDataflow({
  name: 'product-company',
  unifiedType: 'Company',
  customerp: { type: 'Product' },
  crmoffice: { type: 'Company', label: 'Companies' },
  identity: ['code'],
  properties: [
    { field: 'name', customerp: 'name', crmoffice: 'name', codec: text(), required: true, maxLength: 200 },
    { field: 'description', customerp: 'description', crmoffice: 'description', codec: text(), maxLength: 2000 },
    { field: 'industry', customerp: 'category', crmoffice: 'industry', codec: text(), maxLength: 200 },
    { field: 'website', customerp: 'website', crmoffice: 'website', codec: text('url'), maxLength: 200 },
    { field: 'code', customerp: 'sku', crmoffice: 'code', codec: text(), required: true, maxLength: 200 },
    {
      field: 'active',
      customerp: 'active',
      crmoffice: 'status',
      codec: booleanAsEnum('CompanyStatus', 'ACTIVE', 'INACTIVE'),
    },
  ],
});

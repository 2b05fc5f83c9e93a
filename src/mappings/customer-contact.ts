import { text } from './codecs.js';
import { defineDataflow } from './dataflow.js';

/** Customerp (customer) Contact → Crmoffice Contact (contactType CUSTOMER); unified Contact of kind CUSTOMER_CONTACT. */
export const customerContact = defineDataflow({
  name: 'customer-contact',
  unifiedType: 'Contact',
  contactKind: 'CUSTOMER_CONTACT',
  customerp: { type: 'Contact' },
  crmoffice: { type: 'Contact', label: 'Contacts' },
  identity: ['email'],
  properties: [
    {
      field: 'firstName',
      customerp: 'firstName',
      crmoffice: 'firstName',
      codec: text(),
      required: true,
      maxLength: 200,
    },
    { field: 'lastName', customerp: 'lastName', crmoffice: 'lastName', codec: text(), required: true, maxLength: 200 },
    { field: 'email', customerp: 'email', crmoffice: 'email', codec: text('email'), required: true, maxLength: 200 },
    { field: 'phone', customerp: 'phone', crmoffice: 'phone', codec: text(), maxLength: 200 },
    { field: 'title', customerp: 'jobTitle', crmoffice: 'title', codec: text(), maxLength: 200 },
    {
      field: 'address.street',
      customerp: 'street',
      crmoffice: 'address.street',
      codec: text(),
      maxLength: 200,
      docGroup: 'Address',
    },
    {
      field: 'address.city',
      customerp: 'city',
      crmoffice: 'address.city',
      codec: text(),
      maxLength: 200,
      docGroup: 'Address',
    },
    {
      field: 'address.postalCode',
      customerp: 'postalCode',
      crmoffice: 'address.postalCode',
      codec: text(),
      maxLength: 200,
      docGroup: 'Address',
    },
    {
      field: 'address.country',
      customerp: 'country',
      crmoffice: 'address.country',
      codec: text(),
      maxLength: 200,
      docGroup: 'Address',
    },
    { constant: 'CUSTOMER', crmoffice: 'contactType', crmofficeType: 'ContactType' },
  ],
});

import { flag, text } from './codecs.js';
import { defineDataflow } from './dataflow.js';

/** Customerp Employee → Crmoffice Contact (contactType EMPLOYEE); unified Contact of kind EMPLOYEE. */
export const employeeContact = defineDataflow({
  name: 'employee-contact',
  unifiedType: 'Contact',
  contactKind: 'EMPLOYEE',
  customerp: { type: 'Employee' },
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
    { field: 'mobile', customerp: 'mobile', crmoffice: 'mobilePhone', codec: text(), maxLength: 200 },
    { field: 'title', customerp: 'jobTitle', crmoffice: 'title', codec: text(), maxLength: 200 },
    { field: 'department', customerp: 'department', crmoffice: 'department', codec: text(), maxLength: 200 },
    { field: 'active', customerp: 'active', crmoffice: 'active', codec: flag },
    { constant: 'EMPLOYEE', crmoffice: 'contactType', crmofficeType: 'ContactType' },
  ],
});

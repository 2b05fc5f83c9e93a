import { dateAsDateTime, enumMap, linkTo, text } from './codecs.js';
import { defineDataflow } from './dataflow.js';

/** Customerp Project → Crmoffice Activity (type PROJECT); unified Activity. */
export const projectActivity = defineDataflow({
  name: 'project-activity',
  unifiedType: 'Activity',
  customerp: { type: 'Project' },
  crmoffice: { type: 'Activity', label: 'Activities' },
  identity: ['subject', 'startAt'],
  properties: [
    { field: 'subject', customerp: 'name', crmoffice: 'subject', codec: text(), required: true, maxLength: 200 },
    { field: 'description', customerp: 'description', crmoffice: 'description', codec: text(), maxLength: 2000 },
    {
      field: 'status',
      customerp: 'status',
      crmoffice: 'status',
      // ACTIVE before ON_HOLD: IN_PROGRESS becomes ACTIVE on a new project.
      codec: enumMap('ActivityStatus', {
        PLANNED: 'OPEN',
        ACTIVE: 'IN_PROGRESS',
        ON_HOLD: 'IN_PROGRESS',
        COMPLETED: 'DONE',
        CANCELLED: 'CANCELLED',
      }),
    },
    { field: 'startAt', customerp: 'startDate', crmoffice: 'startAt', codec: dateAsDateTime, required: true },
    { field: 'dueAt', customerp: 'endDate', crmoffice: 'dueAt', codec: dateAsDateTime, notBefore: 'startAt' },
    {
      field: 'owner',
      customerp: 'managerId',
      crmoffice: 'ownerContactId',
      codec: linkTo({ CUSTOMERP: 'Employee', CRMOFFICE: 'Contact' }),
    },
    {
      field: 'company',
      customerp: 'productId',
      crmoffice: 'companyId',
      codec: linkTo({ CUSTOMERP: 'Product', CRMOFFICE: 'Company' }),
    },
    { constant: 'PROJECT', crmoffice: 'type', crmofficeType: 'ActivityType' },
  ],
});

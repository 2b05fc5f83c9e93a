import type { ActivityResolvers } from '../../generated/gateway-server.js';
import { encodeUnifiedId } from '../../links/index.js';
import type { CrmofficeActivity, CustomerpProject } from '../../mappings/index.js';
import { unifiedReference, unifiedString } from './unified-record.js';

export const Activity: ActivityResolvers = {
  id: (link) => encodeUnifiedId('Activity', link._id),
  subject: unifiedString('subject'),
  description: unifiedString('description'),
  status: unifiedString('status'),
  startAt: unifiedString('startAt'),
  dueAt: unifiedString('dueAt'),
  owner: unifiedReference('owner', 'Contact'),
  company: unifiedReference('company', 'Company'),
  customerp: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CUSTOMERP')) as CustomerpProject | null,
  crmoffice: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CRMOFFICE')) as CrmofficeActivity | null,
  link: (link) => link,
  sync: (link) => link,
};

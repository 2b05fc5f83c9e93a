import type { CompanyResolvers } from '../../generated/gateway-server.js';
import { encodeUnifiedId } from '../../links/index.js';
import type { CrmofficeCompany, CustomerpProduct } from '../../mappings/index.js';
import { childConnection, unifiedBoolean, unifiedString } from './unified-record.js';

export const Company: CompanyResolvers = {
  id: (link) => encodeUnifiedId('Company', link._id),
  name: unifiedString('name'),
  description: unifiedString('description'),
  industry: unifiedString('industry'),
  website: unifiedString('website'),
  code: unifiedString('code'),
  active: unifiedBoolean('active'),
  contacts: (link, args, context) =>
    childConnection(context, { entity: 'Contact', key: 'companyId', parentId: link._id }, args),
  activities: (link, args, context) =>
    childConnection(context, { entity: 'Activity', key: 'companyId', parentId: link._id }, args),
  customerp: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CUSTOMERP')) as CustomerpProduct | null,
  crmoffice: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CRMOFFICE')) as CrmofficeCompany | null,
  link: (link) => link,
  sync: (link) => link,
};

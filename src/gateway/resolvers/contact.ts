import type { ContactResolvers } from '../../generated/gateway-server.js';
import { contactKindOf, encodeUnifiedId, isLiveLinkOf } from '../../links/index.js';
import type { CrmofficeContact, CustomerpContact, CustomerpEmployee } from '../../mappings/index.js';
import { childConnection, unifiedBoolean, unifiedString } from './unified-record.js';

export const Contact: ContactResolvers = {
  id: (link) => encodeUnifiedId('Contact', link._id),
  kind: (link) => contactKindOf(link),
  firstName: unifiedString('firstName'),
  lastName: unifiedString('lastName'),
  fullName: async (link, _args, context) => {
    const values = await context.views.valuesOf(link);
    const parts = [values['firstName'], values['lastName']].filter(
      (part): part is string => typeof part === 'string' && part !== '',
    );
    return parts.length > 0 ? parts.join(' ') : null;
  },
  email: unifiedString('email'),
  phone: unifiedString('phone'),
  mobile: unifiedString('mobile'),
  title: unifiedString('title'),
  department: unifiedString('department'),
  active: unifiedBoolean('active'),
  address: async (link, _args, context) => {
    const address = (await context.views.valuesOf(link))['address'];
    if (typeof address !== 'object' || address === null) return null;
    const leaf = (name: string): string | null => {
      const value = (address as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : null;
    };
    return { street: leaf('street'), city: leaf('city'), postalCode: leaf('postalCode'), country: leaf('country') };
  },
  // Only Crmoffice knows a contact's company: its contact's companyId, through that company's link.
  company: async (link, _args, context) => {
    const contact = (await context.views.recordOf(link, 'CRMOFFICE')) as CrmofficeContact | null;
    if (!contact?.companyId) return null;
    const company = await context.loaders.byRef.load({
      system: 'CRMOFFICE',
      ref: { type: 'Company', id: contact.companyId },
    });
    return isLiveLinkOf(company, 'Company') ? company : null;
  },
  activities: (link, args, context) =>
    childConnection(context, { entity: 'Activity', key: 'ownerId', parentId: link._id }, args),
  customerp: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CUSTOMERP')) as CustomerpEmployee | CustomerpContact | null,
  crmoffice: async (link, _args, context) =>
    (await context.views.recordOf(link, 'CRMOFFICE')) as CrmofficeContact | null,
  link: (link) => link,
  sync: (link) => link,
};

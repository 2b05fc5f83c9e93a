import type { Link } from '../links/index.js';
import { crmofficeOnly, dataflowForCustomerp, dataflows, type Mapping } from '../mappings/index.js';

/** The mapping a link's records are read and written with: its dataflow, or the Crmoffice-only view. */
export function mappingOfLink(link: Pick<Link, '_id' | 'customerp' | 'crmoffice'>): Mapping {
  if (link.customerp) return dataflowForCustomerp(link.customerp.type);
  if (link.crmoffice) return crmofficeOnly[link.crmoffice.type];
  throw new Error(`link ${link._id} has no side`);
}

/** The mapping an operation was recorded with: a dataflow, or a Crmoffice-only view (by name). */
export function mappingNamed(name: string): Mapping {
  const mapping =
    dataflows.find((flow) => flow.name === name) ?? Object.values(crmofficeOnly).find((view) => view.name === name);
  if (!mapping) throw new Error(`no mapping named ${name}`);
  return mapping;
}

import type { ContactKind, UnifiedType } from './canonical.js';
import { customerContact } from './customer-contact.js';
import {
  isConstant,
  isMapped,
  type CrmofficeCollection,
  type CustomerpEntity,
  type Dataflow,
  type Mapping,
  type MappedProperty,
} from './dataflow.js';
import { employeeContact } from './employee-contact.js';
import { productCompany } from './product-company.js';
import { projectActivity } from './project-activity.js';
import type { CrmofficeRecord } from './records.js';
import { crmofficeDateTime, dateAsDateTime } from './codecs.js';

/** The four dataflows, in the order of the dataflow document. */
export const dataflows: readonly Dataflow[] = [employeeContact, productCompany, projectActivity, customerContact];

/** The dataflow a Customerp entity belongs to. */
export function dataflowForCustomerp(entity: CustomerpEntity): Dataflow {
  const flow = dataflows.find((f) => f.customerp.type === entity);
  if (!flow) throw new Error(`no dataflow for Customerp entity ${entity}`);
  return flow;
}

/**
 * The dataflow a Crmoffice record belongs to, recognised by its collection and the flow's constants
 * (`contactType`, `type`); null for a Crmoffice-only record (a Contact of type OTHER, a TASK activity).
 */
export function dataflowForCrmoffice(
  collection: CrmofficeCollection,
  record: CrmofficeRecord | Readonly<Record<string, unknown>>,
): Dataflow | null {
  const fields = record as Readonly<Record<string, unknown>>;
  return (
    dataflows.find(
      (flow) =>
        flow.crmoffice.type === collection &&
        flow.properties.every((p) => !isConstant(p) || fields[p.crmoffice] === p.constant),
    ) ?? null
  );
}

/** The dataflow behind a unified type (and contact kind); null for CRM_ONLY contacts. */
export function dataflowForUnified(type: UnifiedType, kind?: ContactKind): Dataflow | null {
  if (type === 'Contact') return dataflows.find((f) => f.unifiedType === type && f.contactKind === kind) ?? null;
  return dataflows.find((f) => f.unifiedType === type) ?? null;
}

/** The unified type that records of a Crmoffice collection appear as. */
export const unifiedTypeOfCollection: Readonly<Record<CrmofficeCollection, UnifiedType>> = {
  Contact: 'Contact',
  Company: 'Company',
  Activity: 'Activity',
};

/**
 * How Crmoffice-only records (no dataflow) map to the unified type: the Crmoffice side of every dataflow
 * of the collection, each canonical field once, without constants — so a CRM-only Contact shows
 * mobile, department and address alike.
 */
function crmofficeOnlyMapping(collection: CrmofficeCollection): Mapping {
  const flows = dataflows.filter((f) => f.crmoffice.type === collection);
  const [first] = flows;
  if (!first) throw new Error(`no dataflow for Crmoffice collection ${collection}`);
  const properties: MappedProperty[] = [];
  for (const property of flows.flatMap((f) => f.properties.filter(isMapped))) {
    if (properties.some((p) => p.field === property.field)) continue;
    // Dates narrowed for Customerp's sake stay whole date-times here.
    properties.push(property.codec === dateAsDateTime ? { ...property, codec: crmofficeDateTime } : property);
  }
  return {
    name: `crmoffice-only-${collection.toLowerCase()}`,
    unifiedType: unifiedTypeOfCollection[collection],
    crmoffice: first.crmoffice,
    properties,
  };
}

/** Mappings for Crmoffice records outside every dataflow; use them with the CRMOFFICE side only. */
export const crmofficeOnly: Readonly<Record<CrmofficeCollection, Mapping>> = {
  Contact: crmofficeOnlyMapping('Contact'),
  Company: crmofficeOnlyMapping('Company'),
  Activity: crmofficeOnlyMapping('Activity'),
};

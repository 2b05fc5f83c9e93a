import { unifiedFields, type CanonicalField, type ContactKind, type UnifiedType } from './canonical.js';
import type { Codec, ReferenceCodec } from './codecs.js';

/**
 * The shape of a dataflow table. A table is data: a list of properties (canonical field ↔ Customerp
 * field ↔ Crmoffice field, with a codec) plus Crmoffice constants. One generic engine applies any
 * table both ways; validation and the dataflow document read the same table.
 */

export type CustomerpEntity = 'Employee' | 'Product' | 'Project' | 'Contact';
export type CrmofficeCollection = 'Contact' | 'Company' | 'Activity';

/** A synchronized property. */
export interface MappedProperty<F extends string = string> {
  /** Canonical field = unified API field; nested unified fields are leaf paths (`address.street`). */
  readonly field: F;
  /** Customerp field name. */
  readonly customerp: string;
  /** Crmoffice field, a path one level deep for nested objects (`address.street`). */
  readonly crmoffice: string;
  readonly codec: Codec;
  /** Must be given (non-null) when a record is created through the unified API. */
  readonly required?: boolean;
  /** Longest string accepted from unified input. */
  readonly maxLength?: number;
  /** A date that unified input may not set before this other date field. */
  readonly notBefore?: F;
  /** Consecutive properties of one group share one row of the dataflow document, typed by the group. */
  readonly docGroup?: string;
}

/** A Crmoffice field that this dataflow always sets to one value on create (and by which it is recognised). */
export interface ConstantProperty {
  readonly constant: string;
  readonly crmoffice: string;
  readonly crmofficeType: string;
}

export type Property<F extends string = string> = MappedProperty<F> | ConstantProperty;

/** What the engine needs to map one kind of record: a dataflow, or a Crmoffice-only view (registry.ts). */
export interface Mapping {
  /** e.g. `employee-contact`. */
  readonly name: string;
  readonly unifiedType: UnifiedType;
  readonly crmoffice: { readonly type: CrmofficeCollection; readonly label: string };
  readonly properties: readonly Property[];
}

/** One of the four dataflows: a Customerp type synchronized with a Crmoffice type. */
export interface Dataflow extends Mapping {
  /** Set for the two contact flows. */
  readonly contactKind: Exclude<ContactKind, 'CRM_ONLY'> | null;
  readonly customerp: { readonly type: CustomerpEntity };
  /** Canonical fields whose values, compared case-insensitively, find an existing counterpart before creating one. */
  readonly identity: readonly string[];
}

export interface DataflowSpec<T extends UnifiedType> {
  readonly name: string;
  readonly unifiedType: T;
  readonly contactKind?: Exclude<ContactKind, 'CRM_ONLY'>;
  readonly customerp: { readonly type: CustomerpEntity };
  readonly crmoffice: { readonly type: CrmofficeCollection; readonly label: string };
  readonly identity: readonly CanonicalField<T>[];
  readonly properties: readonly Property<CanonicalField<T>>[];
}

export function isConstant<F extends string>(property: Property<F>): property is ConstantProperty {
  return 'constant' in property;
}

export function isMapped<F extends string>(property: Property<F>): property is MappedProperty<F> {
  return !('constant' in property);
}

/** The synchronized properties of a mapping, in table order. */
export function mappedProperties(mapping: Mapping): MappedProperty[] {
  return mapping.properties.filter(isMapped);
}

/** The properties that hold references to other linked records. */
export function referenceProperties(mapping: Mapping): (MappedProperty & { readonly codec: ReferenceCodec })[] {
  return mappedProperties(mapping).filter(
    (p): p is MappedProperty & { readonly codec: ReferenceCodec } => p.codec.kind === 'reference',
  );
}

/** The property for a canonical field, or undefined when the mapping does not synchronize it. */
export function propertyOf(mapping: Mapping, field: string): MappedProperty | undefined {
  return mappedProperties(mapping).find((p) => p.field === field);
}

/** Checks a table once, at module load, so that a broken table fails start-up rather than a sync. */
export function defineDataflow<T extends UnifiedType>(spec: DataflowSpec<T>): Dataflow {
  const fields = spec.properties.filter(isMapped).map((p) => p.field);
  const known: readonly string[] = unifiedFields[spec.unifiedType];
  const problems = [
    ...fields.filter((f, i) => fields.indexOf(f) !== i).map((f) => `${f} is mapped twice`),
    ...fields.filter((f) => !known.includes(f)).map((f) => `${f} is not a ${spec.unifiedType} field`),
    ...spec.identity
      .filter((f) => !spec.properties.some((p) => isMapped(p) && p.field === f && p.codec.kind === 'value'))
      .map((f) => `identity field ${f} is not a mapped value`),
  ];
  if (problems.length > 0) throw new Error(`dataflow ${spec.name}: ${problems.join('; ')}`);
  return {
    name: spec.name,
    unifiedType: spec.unifiedType,
    contactKind: spec.contactKind ?? null,
    customerp: spec.customerp,
    crmoffice: spec.crmoffice,
    identity: spec.identity,
    properties: spec.properties,
  };
}

/**
 * The canonical model: what a record of either system means, keyed by the unified API's field names.
 * Canonical values hold only what BOTH systems can represent (an Activity status is Crmoffice's
 * coarser ActivityStatus, a start is a date), so two canonical values that differ always describe a
 * change that can be synced. Nested unified fields are flattened to leaf keys (`address.street`) so
 * that merge and diff work per leaf.
 */

export type UnifiedType = 'Contact' | 'Company' | 'Activity';
export type ContactKind = 'EMPLOYEE' | 'CUSTOMER_CONTACT' | 'CRM_ONLY';

/** A link id (for references), a string, a boolean, or null for missing/empty. */
export type CanonicalValue = string | boolean | null;

/**
 * Canonical values by canonical field. A field that is absent is unknown (not converted, e.g. a
 * deferred reference, or omitted from a partial update); `null` means empty.
 */
export type CanonicalValues = { [field: string]: CanonicalValue };

/** Every canonical field of each unified type, in the unified API's order. */
export const unifiedFields = {
  Contact: [
    'firstName',
    'lastName',
    'email',
    'phone',
    'mobile',
    'title',
    'department',
    'active',
    'address.street',
    'address.city',
    'address.postalCode',
    'address.country',
  ],
  Company: ['name', 'description', 'industry', 'website', 'code', 'active'],
  Activity: ['subject', 'description', 'status', 'startAt', 'dueAt', 'owner', 'company'],
} as const satisfies Record<UnifiedType, readonly string[]>;

export type ContactField = (typeof unifiedFields.Contact)[number];
export type CompanyField = (typeof unifiedFields.Company)[number];
export type ActivityField = (typeof unifiedFields.Activity)[number];
export type CanonicalField<T extends UnifiedType> = (typeof unifiedFields)[T][number];

/** Unified create/update inputs name a reference by the target's id (`ownerId`), the output by the object (`owner`). */
const inputNames: Record<UnifiedType, Readonly<Record<string, string>>> = {
  Contact: {},
  Company: {},
  Activity: { owner: 'ownerId', company: 'companyId' },
};

/** The unified input field that carries a canonical field (`owner` → `ownerId`, others as is). */
export function inputFieldOf(type: UnifiedType, field: string): string {
  return inputNames[type][field] ?? field;
}

/** Whether two canonical values are the same (absent counts as null). */
export function sameCanonicalValue(a: CanonicalValue | undefined, b: CanonicalValue | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

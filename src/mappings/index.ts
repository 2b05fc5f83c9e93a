/**
 * The mappings layer: the four dataflows as tables, the engine that applies them both ways, and what
 * is derived from them (identity and lookup keys, input validation, the dataflow document). Pure: no I/O.
 */
export {
  inputFieldOf,
  sameCanonicalValue,
  unifiedFields,
  type ActivityField,
  type CanonicalField,
  type CanonicalValue,
  type CanonicalValues,
  type CompanyField,
  type ContactField,
  type ContactKind,
  type UnifiedType,
} from './canonical.js';
export type { Codec, ReferenceCodec, ValueCodec, ValueType } from './codecs.js';
export {
  diffForUpdate,
  referencedLinkIds,
  referencedRecordIds,
  systemFieldOf,
  toCanonical,
  toCreateInput,
  type CanonicalConversion,
  type DeferredReference,
  type InputConversion,
  type ReferenceResolver,
} from './convert.js';
export {
  isConstant,
  isMapped,
  mappedProperties,
  propertyOf,
  referenceProperties,
  type ConstantProperty,
  type CrmofficeCollection,
  type CustomerpEntity,
  type Dataflow,
  type MappedProperty,
  type Mapping,
  type Property,
} from './dataflow.js';
export { customerContact } from './customer-contact.js';
export { employeeContact } from './employee-contact.js';
export { productCompany } from './product-company.js';
export { projectActivity } from './project-activity.js';
export {
  crmofficeOnly,
  dataflowForCrmoffice,
  dataflowForCustomerp,
  dataflowForUnified,
  dataflows,
  unifiedTypeOfCollection,
} from './registry.js';
export { identityKeyOf, recordIdentityKey } from './identity-key.js';
export { lookupKeysOf, type LookupKeys } from './lookup-keys.js';
export { assertValidCanonicalInput, validateCanonicalInput, type ValidationOptions } from './validate.js';
export { canonicalFromInput, toUnifiedFields } from './unified-shape.js';
export { renderDataflowDocument } from './document.js';
export type * from './records.js';
export {
  digestOf,
  emailKeyOf,
  IDENTITY_CONFLICT_FIELD,
  isDigest,
  PERSONAL_FIELDS,
  personalValueOf,
  protectConflictValues,
  protectKeys,
  protectSnapshot,
  sameAsSnapshot,
  withoutDigests,
} from './personal-data.js';

import { BadUserInputError, type SystemName } from '../errors.js';
import {
  decodeUnifiedId,
  isLiveLinkOf,
  LINK_ENTITIES,
  SIDE_TYPES,
  type Link,
  type LinkEntity,
  type LinkStore,
} from '../links/index.js';
import {
  assertValidCanonicalInput,
  canonicalFromInput,
  dataflowForCustomerp,
  inputFieldOf,
  referenceProperties,
  type CanonicalValues,
  type CustomerpEntity,
  type Mapping,
} from '../mappings/index.js';

/**
 * The unified create/update inputs of schema/gateway-mutations.graphql, and their validation before
 * anything is written. The input types are the codegen'd ones (src/generated/gateway-server.ts); this
 * is the one place the write path names them. Their values are checked here all the same, since not
 * every caller comes through GraphQL: the rules come from the mapping tables (types, formats, lengths,
 * required fields, enum values, date order: validateCanonicalInput) and from the tables' reference
 * properties (what an `ownerId` / `companyId` must name); nothing here is specific to one mutation.
 */

export type {
  CreateActivityInput,
  CreateCompanyInput,
  CreateContactInput,
  RecordRefInput,
  UpdateActivityInput,
  UpdateCompanyInput,
  UpdateContactInput,
} from '../generated/gateway-server.js';

/** Longest idempotency key accepted. */
const MAX_KEY_LENGTH = 200;

/** The idempotency key of an input, checked; null when none was given. */
export function idempotencyKeyOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '')
    throw new BadUserInputError('idempotencyKey must be a non-empty string', 'idempotencyKey');
  if (value.length > MAX_KEY_LENGTH) {
    throw new BadUserInputError(`idempotencyKey must be at most ${MAX_KEY_LENGTH} characters long`, 'idempotencyKey');
  }
  return value;
}

/** The live link of `entity` behind a unified id argument; BAD_USER_INPUT for a malformed id, NOT_FOUND-like null for none. */
export async function linkOfArgument(
  links: LinkStore,
  id: unknown,
  entity: LinkEntity,
  field: string,
): Promise<Link | null> {
  const parts = typeof id === 'string' ? decodeUnifiedId(id) : null;
  if (!parts) throw new BadUserInputError(`${field} is not a valid id`, field);
  if (parts.entity !== entity)
    throw new BadUserInputError(`${field} is the id of a ${parts.entity}, not of a ${entity}`, field);
  const link = await links.findById(parts.linkId);
  return isLiveLinkOf(link, entity) ? link : null;
}

export interface ValuesRequest {
  mapping: Mapping;
  input: Readonly<Record<string, unknown>>;
  mode: 'create' | 'update';
  /** The record's canonical values before an update (for rules across fields such as dueAt ≥ startAt). */
  current?: Readonly<CanonicalValues>;
  /** The systems the write goes to: every reference must name a record there. */
  systems: readonly SystemName[];
}

/**
 * The canonical values of a unified input, validated against the mapping table, with references
 * (`ownerId`, `companyId`) checked and translated to link ids. Throws BadUserInputError naming the
 * unified input field; reads only links, writes nothing.
 */
export async function validatedValues(links: LinkStore, request: ValuesRequest): Promise<CanonicalValues> {
  const { mapping, input, mode, current, systems } = request;
  const values = assertValidCanonicalInput(mapping, canonicalFromInput(mapping, input), { mode, current });
  const references = referenceProperties(mapping).filter((p) => typeof values[p.field] === 'string');
  if (references.length === 0) return values;

  const targets = references.map((property) => {
    const name = inputFieldOf(mapping.unifiedType, property.field);
    const parts = decodeUnifiedId(values[property.field] as string);
    if (!parts) throw new BadUserInputError(`${name} is not a valid id`, name);
    return { property, name, parts };
  });
  const found = await links.findByIds(targets.map((t) => t.parts.linkId));
  targets.forEach(({ property, name, parts }, i) => {
    const entity = entityHolding(property.codec.targets.CUSTOMERP);
    const what = describeTarget(property.codec.targets.CUSTOMERP);
    const link = found[i];
    if (parts.entity !== entity || !isLiveLinkOf(link, entity)) {
      throw new BadUserInputError(`${name} must name an existing ${what}`, name);
    }
    for (const system of systems) {
      const side = system === 'CUSTOMERP' ? link.customerp : link.crmoffice;
      const type = property.codec.targets[system];
      if (side?.type !== type) {
        // A target that is only in the other system (yet) cannot be referenced there: we never write dangling references.
        const where = system === 'CUSTOMERP' ? 'Customerp' : 'Crmoffice';
        throw new BadUserInputError(
          side
            ? `${name} must name an existing ${what}`
            : `${name} names a ${entity} that has no record in ${where} (yet)`,
          name,
        );
      }
    }
    values[property.field] = link._id;
  });
  return values;
}

/** The unified entity whose links hold a Customerp record type. */
function entityHolding(customerpType: string): LinkEntity {
  const entity = LINK_ENTITIES.find((e) => (SIDE_TYPES[e].customerp as readonly string[]).includes(customerpType));
  if (!entity) throw new Error(`no unified entity holds Customerp ${customerpType}`);
  return entity;
}

/** How a reference target reads in an error: `EMPLOYEE contact`, `company`. */
function describeTarget(customerpType: string): string {
  const flow = dataflowForCustomerp(customerpType as CustomerpEntity);
  return flow.contactKind ? `${flow.contactKind} ${flow.unifiedType.toLowerCase()}` : flow.unifiedType.toLowerCase();
}

import type { SystemName } from '../errors.js';
import {
  LINK_ENTITIES,
  type CrmofficeRef,
  type CrmofficeType,
  type CustomerpRef,
  type CustomerpType,
  type LinkEntity,
} from './link.js';

/** The record types each entity links, per system: the four dataflows of the design. */
export const SIDE_TYPES: Readonly<
  Record<LinkEntity, { customerp: readonly CustomerpType[]; crmoffice: readonly CrmofficeType[] }>
> = {
  Contact: { customerp: ['Employee', 'Contact'], crmoffice: ['Contact'] },
  Company: { customerp: ['Product'], crmoffice: ['Company'] },
  Activity: { customerp: ['Project'], crmoffice: ['Activity'] },
};

/**
 * The unique-index key of a present side (`Employee:emp-1`), what lookups by ref search for. A link
 * missing a side has no key for it at all: the side-key indexes are sparse, so half links never collide.
 */
export function refKeyOf(ref: CustomerpRef | CrmofficeRef): string {
  return `${ref.type}:${ref.id}`;
}

/** Throws a TypeError (a programming error, not user input) when `ref` cannot be a side of `entity`. */
export function assertSideFits(entity: LinkEntity, system: SystemName, ref: CustomerpRef | CrmofficeRef): void {
  const types = SIDE_TYPES[entity];
  const allowed: readonly string[] = system === 'CUSTOMERP' ? types.customerp : types.crmoffice;
  if (!allowed.includes(ref.type)) {
    throw new TypeError(`a ${entity} link cannot hold ${system} ${ref.type} (expected ${allowed.join(' or ')})`);
  }
  if (typeof ref.id !== 'string' || ref.id === '') {
    throw new TypeError(`${system} ${ref.type} reference needs a non-empty string id, got ${JSON.stringify(ref.id)}`);
  }
}

/** The entity whose links hold `system`'s records of `type` (each record type belongs to exactly one), or null for none. */
export function entityOfSideType(system: SystemName, type: string): LinkEntity | null {
  for (const entity of LINK_ENTITIES) {
    const types = SIDE_TYPES[entity];
    const allowed: readonly string[] = system === 'CUSTOMERP' ? types.customerp : types.crmoffice;
    if (allowed.includes(type)) return entity;
  }
  return null;
}

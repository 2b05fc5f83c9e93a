import type { Conflict, Link } from '../../src/links/index.js';
import type { CrmofficeContact, CustomerpEmployee } from '../../src/mappings/index.js';
import type { FeedChange } from '../../src/upstreams/index.js';

/** Shared by the sync engine's pure tests: named links and records, no store, no systems. */

const T0 = new Date('2025-06-01T10:00:00.000Z');

/** A link with every field at its store default, `overrides` on top. */
export function link(_id: string, overrides: Partial<Omit<Link, '_id'>> = {}): Link {
  return {
    _id,
    entity: 'Contact',
    kind: null,
    customerp: null,
    crmoffice: null,
    snapshot: null,
    keys: {},
    state: 'IN_SYNC',
    reason: null,
    conflicts: [],
    heldDelete: null,
    detached: false,
    deletedAt: null,
    lastSyncedAt: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

/** A Customerp employee with e-mail `email` ('' = none: never matched). */
export function employee(id: string, email: string): CustomerpEmployee {
  return {
    id,
    version: 1,
    updatedAt: '2025-06-01T10:00:00.000Z',
    employeeNumber: `E-${id}`,
    firstName: 'Ada',
    lastName: 'Andersen',
    email,
    phone: null,
    mobile: null,
    jobTitle: null,
    department: null,
    active: true,
  };
}

/** A Crmoffice contact of `contactType` with e-mail `email`. */
export function contact(
  id: string,
  email: string,
  contactType: CrmofficeContact['contactType'] = 'EMPLOYEE',
): CrmofficeContact {
  return {
    id,
    etag: '1',
    modifiedAt: '2025-06-01T10:00:00.000Z',
    firstName: 'Ada',
    lastName: 'Andersen',
    email,
    phone: null,
    mobilePhone: null,
    title: null,
    department: null,
    contactType,
    companyId: null,
    address: { street: null, city: null, postalCode: null, country: null },
    active: true,
  };
}

/** A conflict on `field`, open unless `resolvedAt` is given. */
export function conflict(id: string, field: string, crmofficeValue: unknown, resolvedAt: Date | null = null): Conflict {
  return { id, field, customerpValue: null, crmofficeValue, kept: null, detectedAt: T0, resolvedAt };
}

/** A feed entry of record `id`. */
export function change(id: string, op: FeedChange['op'], at: string, version = 1): FeedChange {
  return { id, op, version, at };
}

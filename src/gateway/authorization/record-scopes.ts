import type { Principal, Scope } from '../../auth/principal.js';
import { ForbiddenError } from '../../errors.js';
import type { LinkEntity } from '../../links/index.js';

/**
 * The scopes that read and write each unified record type. `read` is what the schema's `@auth` on the
 * type says (a test holds the two together); resolvers that only learn at run time which type of
 * record they touch (conflict values, resolveConflict, linkRecords, unlinkRecords) check these.
 */
export const RECORD_SCOPES: Readonly<Record<LinkEntity, { read: Scope; write: Scope }>> = {
  Contact: { read: 'contacts:read', write: 'contacts:write' },
  Company: { read: 'companies:read', write: 'companies:write' },
  Activity: { read: 'activities:read', write: 'activities:write' },
};

/**
 * Throws FORBIDDEN (`Not allowed: <field> requires <scopes>`) unless `principal` holds every scope of
 * `requires`: the one scope check, used by the `@auth` directive and by resolvers alike.
 */
export function assertScopes(principal: Principal | undefined, field: string, requires: readonly Scope[]): void {
  const granted = principal?.scopes;
  if (!granted || !requires.every((scope) => granted.has(scope)))
    throw new ForbiddenError(`Not allowed: ${field} requires ${requires.join(', ')}`);
}

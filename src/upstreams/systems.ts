import type { SystemName } from '../errors.js';
import type { CrmofficeApi } from './crmoffice/api.js';
import type { CustomerpApi } from './customerp/api.js';
import type { SystemApi } from './system-api.js';

/** Both systems' APIs, by system name: code that works on either side asks `apiOf(apis, system)` instead of branching. */
export interface SystemApis {
  readonly CUSTOMERP: CustomerpApi;
  readonly CRMOFFICE: CrmofficeApi;
}

/** The systems, Customerp first: the order write-through writes them in. */
export const SYSTEMS: readonly SystemName[] = ['CUSTOMERP', 'CRMOFFICE'];

/** Each system's name as people read it (messages, logs). */
export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = { CUSTOMERP: 'Customerp', CRMOFFICE: 'Crmoffice' };

/** `system`'s API, with record types as plain strings (each API checks them itself). */
export function apiOf(apis: SystemApis, system: SystemName): SystemApi<string> {
  return apis[system] as SystemApi<string>;
}

/** The other system of the pair. */
export function otherSystem(system: SystemName): SystemName {
  return system === 'CUSTOMERP' ? 'CRMOFFICE' : 'CUSTOMERP';
}

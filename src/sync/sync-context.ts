import type { SystemName } from '../errors.js';
import type { LinkStore } from '../links/index.js';
import type { WriteOwnership } from '../reconcile/index.js';
import type { SystemApis } from '../upstreams/index.js';
import type { MassDeleteGuard } from './mass-delete-guard.js';

/** What every part of a sync pass works with; the engine builds one and hands it down. */
export interface SyncContext {
  readonly links: LinkStore;
  /** Both systems by name: `apiOf(apis, system)`, or `apis.CRMOFFICE` where only Crmoffice can do it. */
  readonly apis: SystemApis;
  /**
   * The same systems without the lease fence: only for undoing a write this pass made itself (a
   * duplicate it created), which must happen even after the lease is lost.
   */
  readonly undoApis: SystemApis;
  /** Which records unfinished write-through operations own: sync leaves them to the operation. */
  readonly writeOwnership: WriteOwnership;
  /** The mass-delete guard: which deletes go ahead and which are held. */
  readonly deletes: MassDeleteGuard;
  /** Resolved conflicts a link keeps (its open ones are always kept). */
  readonly resolvedConflictsKept: number;
}

/** One value per system, addressed by name. */
export type BySystem<T> = { [S in SystemName]: T };

/** Builds a BySystem from `value`, asked Customerp first (the order of SYSTEMS). */
export function bySystem<T>(value: (system: SystemName) => T): BySystem<T> {
  return { CUSTOMERP: value('CUSTOMERP'), CRMOFFICE: value('CRMOFFICE') };
}

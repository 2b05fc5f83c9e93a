import type { SystemApis } from '../upstreams/index.js';

/** What fencing asks before each write: throws when this process may no longer write (HeldLease). */
export interface WriteFence {
  assertHeld(): void;
}

/** The SystemApi methods that change a system (SystemApi's contract). */
const WRITES = new Set<PropertyKey>(['create', 'update', 'remove']);

/**
 * `apis` whose writes first ask `fence`: a pass that lost its lease stops before its next write
 * instead of racing the process that took the feed over. Reads go through untouched. A Proxy keeps
 * each API's own type and methods without restating them.
 */
export function fencedApis(apis: SystemApis, fence: WriteFence): SystemApis {
  return { CUSTOMERP: fenced(apis.CUSTOMERP, fence), CRMOFFICE: fenced(apis.CRMOFFICE, fence) };
}

function fenced<T extends object>(api: T, fence: WriteFence): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return WRITES.has(property)
        ? (...args: unknown[]) => {
            fence.assertHeld();
            return method.apply(target, args);
          }
        : method.bind(target);
    },
  });
}

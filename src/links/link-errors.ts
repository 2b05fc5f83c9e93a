import type { SystemName } from '../errors.js';
import type { CrmofficeRef, CustomerpRef } from './link.js';

// Internal errors of the link store: callers (sync engine, write-through, resolvers) catch them by
// class and decide what a client sees; none of them is shown as is.

/** A record of one system can belong to one link only, and this one already does. */
export class DuplicateLinkError extends Error {
  constructor(
    readonly system: SystemName,
    readonly ref: CustomerpRef | CrmofficeRef,
    /** The link that holds it (null if it vanished before we could look). */
    readonly existingLinkId: string | null,
  ) {
    super(`${system} ${ref.type} ${ref.id} is already linked${existingLinkId ? ` (link ${existingLinkId})` : ''}`);
    this.name = 'DuplicateLinkError';
  }
}

/** The link changed since the caller read it: re-read and retry. */
export class StaleLinkVersionError extends Error {
  constructor(
    readonly linkId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`link ${linkId} is at version ${actualVersion}, not ${expectedVersion}`);
    this.name = 'StaleLinkVersionError';
  }
}

/** The link already holds a record of this system: attaching another would leave that one unlinked. */
export class SideTakenError extends Error {
  constructor(
    readonly linkId: string,
    readonly system: SystemName,
    /** The record the link holds there. */
    readonly held: CustomerpRef | CrmofficeRef,
  ) {
    super(`link ${linkId} already holds ${system} ${held.type} ${held.id}`);
    this.name = 'SideTakenError';
  }
}

export class LinkNotFoundError extends Error {
  constructor(readonly linkId: string) {
    super(`link ${linkId} does not exist`);
    this.name = 'LinkNotFoundError';
  }
}

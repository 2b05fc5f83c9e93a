import { BadUserInputError } from '../errors.js';
import { decodeUnifiedId, type LinkEntity } from '../links/index.js';

/**
 * Ids and cursors that clients send back. A malformed one is BAD_USER_INPUT naming the argument; a
 * well-formed one that names nothing is the caller's null.
 */

/** The link id behind a unified id argument, which must name an `entity` (any entity when null). */
export function linkIdOfArg(
  id: string,
  entity: LinkEntity | null,
  field: string,
): { entity: LinkEntity; linkId: string } {
  const parts = decodeUnifiedId(id);
  if (!parts) throw new BadUserInputError(`${field} is not a valid id`, field);
  if (entity !== null && parts.entity !== entity) {
    throw new BadUserInputError(`${field} is the id of a ${parts.entity}, not of a ${entity}`, field);
  }
  return parts;
}

/**
 * Cursors of Contact/Company/Activity connections are the id of the edge's node: opaque, and stable
 * because lists are in link _id order. Returns the link id to continue after.
 */
export function linkIdOfCursor(after: string | null | undefined, entity: LinkEntity): string | null {
  if (after == null) return null;
  const parts = decodeUnifiedId(after);
  if (!parts || parts.entity !== entity) throw new BadUserInputError('after is not a cursor of this list', 'after');
  return parts.linkId;
}

const CONFLICT_PREFIX = 'Conflict:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The public id of a conflict: base64url of `Conflict:<linkId>:<conflict id>`, so it leads to its link. */
export function encodeConflictId(linkId: string, conflictId: string): string {
  return Buffer.from(`${CONFLICT_PREFIX}${linkId}:${conflictId}`, 'utf8').toString('base64url');
}

/** The link and conflict behind a conflict id, or null for anything encodeConflictId() did not produce. */
export function decodeConflictId(id: string): { linkId: string; conflictId: string } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  if (!text.startsWith(CONFLICT_PREFIX)) return null;
  const rest = text.slice(CONFLICT_PREFIX.length);
  const linkId = rest.slice(0, 36);
  const conflictId = rest.slice(37);
  if (!UUID.test(linkId) || rest[36] !== ':' || !/^[\w-]+$/.test(conflictId)) return null;
  return encodeConflictId(linkId, conflictId) === id ? { linkId, conflictId } : null;
}

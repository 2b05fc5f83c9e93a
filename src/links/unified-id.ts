import { isLinkEntity, type LinkEntity } from './link.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a unified id stands for. */
export interface UnifiedIdParts {
  entity: LinkEntity;
  linkId: string;
}

/** The opaque public id (Relay `Node.id`) of a link: base64url of `<entity>:<linkId>`. */
export function encodeUnifiedId(entity: LinkEntity, linkId: string): string {
  return Buffer.from(`${entity}:${linkId}`, 'utf8').toString('base64url');
}

/**
 * The entity and link id behind a unified id, or null for anything that encodeUnifiedId() did not
 * produce from a link id (a UUID). Never throws: ids come straight from clients.
 */
export function decodeUnifiedId(id: string): UnifiedIdParts | null {
  if (typeof id !== 'string' || !BASE64URL.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const entity = text.slice(0, colon);
  const linkId = text.slice(colon + 1);
  if (!isLinkEntity(entity) || !UUID.test(linkId)) return null;
  // One spelling per id: base64url has near-equivalent spellings (trailing bits) that decode the same.
  return encodeUnifiedId(entity, linkId) === id ? { entity, linkId } : null;
}

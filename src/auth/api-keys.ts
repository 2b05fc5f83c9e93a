import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isScope, SCOPES, type Principal, type Scope } from './principal.js';

/** Where API keys live: one document per key, `_id` = SHA-256 (hex) of its secret. */
export const API_KEYS_COLLECTION = 'api_keys';

/** Every API key secret starts with this, so the authenticator can tell keys from JWTs. */
export const API_KEY_PREFIX = 'cgk_';

/** `cgk_<id: 16 hex>_<secret: 32 random bytes, base64url>`; base64url may contain `_`, so the id has a fixed length. */
const SECRET_PATTERN = /^cgk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The name issueDemoKey() gives the key that `npm start` prints. */
export const DEMO_KEY_NAME = 'demo';

/** What is stored: never the secret, only its hash. */
interface ApiKeyDocument {
  /** SHA-256 of the whole secret, hex: verification is one `findOne({ _id })`. */
  _id: string;
  keyId: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** An API key as operators see it: no hash, no secret. */
export interface ApiKeyInfo {
  /** Public id, also inside the secret; the principal's subject is `key:<id>`. */
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  /** Null while the key is valid. */
  revokedAt: Date | null;
}

/** A new key and its secret: the only time the secret exists outside the caller's hands. */
export interface CreatedApiKey {
  key: ApiKeyInfo;
  secret: string;
}

/** Why a key was refused, for the log (never for the client). */
export type ApiKeyRejection = 'malformed' | 'unknown' | 'revoked';

export type ApiKeyCheck = { ok: true; principal: Principal } | { ok: false; reason: ApiKeyRejection; keyId?: string };

/** A bad operator request (unknown scope, bad name, nothing to revoke): the message says what was expected. */
export class ApiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

/** How the store caches the keys it has accepted. */
export interface ApiKeyCacheOptions {
  /**
   * How long an accepted key is answered from memory, without a MongoDB round trip: the bound on how
   * late a revocation made by another process takes effect here (one made through this store holds at
   * once). 0 = no cache. @default 0
   */
  ttlMs?: number;
  /** Keys kept at most (least recently used go first). @default 1000 */
  maxKeys?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
}

/**
 * API keys in MongoDB. Only a SHA-256 hash of each secret is stored (a 256-bit random secret needs no
 * slow hash), so a copy of the database lets no one in. Accepted keys may be cached for `ttlMs`
 * (API_KEY_CACHE_MS): most requests then authenticate without a round trip, and a revocation elsewhere
 * holds within that bound. Unknown, malformed and revoked secrets are never cached. No indexes of its
 * own: the hot path is the `_id` lookup; list and revoke are operator commands over a handful of keys.
 */
export class ApiKeyStore {
  private readonly keys: Collection<ApiKeyDocument>;
  private readonly accepted = new Map<string, { principal: Principal; until: number }>();
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(db: Db, cache: ApiKeyCacheOptions = {}) {
    this.keys = db.collection<ApiKeyDocument>(API_KEYS_COLLECTION);
    this.ttlMs = cache.ttlMs ?? 0;
    this.maxKeys = cache.maxKeys ?? 1000;
    this.now = cache.now ?? Date.now;
  }

  /** Creates a key; returns its secret, which is never stored nor shown again. Names are unique among valid keys. */
  async create(input: { name: string; scopes: readonly string[] }): Promise<CreatedApiKey> {
    const name = assertValidName(input.name);
    const scopes = assertValidScopes(input.scopes);
    if (await this.keys.findOne({ name, revokedAt: null }, { projection: { _id: 1 } })) {
      throw new ApiKeyError(`a valid key named ${name} exists: revoke it first or choose another name`);
    }
    const keyId = randomBytes(8).toString('hex');
    const secret = `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}`;
    const document: ApiKeyDocument = {
      _id: hashOf(secret).toString('hex'),
      keyId,
      name,
      scopes,
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.keys.insertOne(document);
    return { key: infoOf(document), secret };
  }

  /** Revokes the valid key with this id or name (at once in this store; elsewhere within their cache's ttlMs); throws ApiKeyError when there is none. */
  async revoke(idOrName: string): Promise<ApiKeyInfo[]> {
    const filter = { ...(KEY_ID_PATTERN.test(idOrName) ? { keyId: idOrName } : { name: idOrName }), revokedAt: null };
    const targets = await this.keys.find(filter).toArray();
    if (targets.length === 0) throw new ApiKeyError(`no valid key with id or name ${JSON.stringify(idOrName)}`);
    const revokedAt = new Date();
    await this.keys.updateMany({ _id: { $in: targets.map((key) => key._id) } }, { $set: { revokedAt } });
    for (const key of targets) this.accepted.delete(key._id);
    return targets.map((key) => infoOf({ ...key, revokedAt }));
  }

  /** Every key, revoked ones included, oldest first; no hashes, no secrets. */
  async list(): Promise<ApiKeyInfo[]> {
    const documents = await this.keys.find({}).sort({ createdAt: 1, keyId: 1 }).toArray();
    return documents.map(infoOf);
  }

  /** The principal of a valid key's secret, or why it is refused. */
  async check(secret: string): Promise<ApiKeyCheck> {
    const match = SECRET_PATTERN.exec(secret);
    if (!match) return { ok: false, reason: 'malformed' };
    const keyId = match[1] as string;
    const hash = hashOf(secret);
    const cached = this.accepted.get(hash.toString('hex'));
    if (cached && cached.until > this.now()) {
      // Most recently used last: the Map's order is the eviction order.
      this.accepted.delete(hash.toString('hex'));
      this.accepted.set(hash.toString('hex'), cached);
      return { ok: true, principal: cached.principal };
    }
    const document = await this.keys.findOne({ _id: hash.toString('hex') });
    // The database compared the hashes; compare again in constant time so no lookup quirk (a collation,
    // a proxy) can ever match a different key, and check the id the secret claims.
    if (!document || !timingSafeEqual(Buffer.from(document._id, 'hex'), hash) || document.keyId !== keyId) {
      return { ok: false, reason: 'unknown', keyId };
    }
    if (document.revokedAt !== null) {
      this.accepted.delete(document._id);
      return { ok: false, reason: 'revoked', keyId };
    }
    const principal: Principal = {
      subject: `key:${keyId}`,
      kind: 'api-key',
      scopes: new Set(document.scopes.filter(isScope)),
    };
    if (this.ttlMs > 0) this.remember(document._id, principal);
    return { ok: true, principal };
  }

  private remember(hash: string, principal: Principal): void {
    this.accepted.delete(hash);
    this.accepted.set(hash, { principal, until: this.now() + this.ttlMs });
    while (this.accepted.size > this.maxKeys) {
      const oldest = this.accepted.keys().next().value;
      if (oldest === undefined) break;
      this.accepted.delete(oldest);
    }
  }

  /** The principal of a valid key's secret; undefined for an unknown, revoked or malformed one. */
  async verify(secret: string): Promise<Principal | undefined> {
    const result = await this.check(secret);
    return result.ok ? result.principal : undefined;
  }
}

/**
 * For `npm start`'s demo: revokes the previous demo key, if any, and creates a fresh one with every
 * scope; the caller prints its secret. Never for production.
 */
export async function issueDemoKey(store: ApiKeyStore): Promise<CreatedApiKey> {
  await store.revoke(DEMO_KEY_NAME).catch((error: unknown) => {
    if (!(error instanceof ApiKeyError)) throw error;
  });
  return store.create({ name: DEMO_KEY_NAME, scopes: SCOPES });
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

function infoOf(document: ApiKeyDocument): ApiKeyInfo {
  return {
    id: document.keyId,
    name: document.name,
    scopes: document.scopes,
    createdAt: document.createdAt,
    revokedAt: document.revokedAt,
  };
}

function assertValidName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new ApiKeyError(
      `expected a key name of 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name)}`,
    );
  }
  // `revoke <id|name>` must never be ambiguous.
  if (KEY_ID_PATTERN.test(name))
    throw new ApiKeyError(`a key name must not look like a key id (16 hex digits), got ${name}`);
  return name;
}

/** Deduplicated, in SCOPES order; at least one, each known. */
function assertValidScopes(scopes: readonly string[]): Scope[] {
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new ApiKeyError(
      `unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected some of ${SCOPES.join(', ')}`,
    );
  }
  if (scopes.length === 0) throw new ApiKeyError(`expected at least one scope of ${SCOPES.join(', ')}`);
  return SCOPES.filter((scope) => scopes.includes(scope));
}

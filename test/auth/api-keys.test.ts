import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  API_KEYS_COLLECTION,
  ApiKeyError,
  ApiKeyStore,
  DEMO_KEY_NAME,
  issueDemoKey,
  SCOPES,
} from '../../src/auth/index.js';
import type { CommandStartedEvent } from 'mongodb';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

let mongo: TestDatabase;
let store: ApiKeyStore;

beforeAll(async () => {
  mongo = await testDatabase('auth api keys');
  store = new ApiKeyStore(mongo.db);
});

afterAll(async () => {
  await mongo.drop();
});

beforeEach(async () => {
  await mongo.db.collection(API_KEYS_COLLECTION).deleteMany({});
});

const anyDate = expect.any(Date) as unknown as Date;
const SECRET = /^cgk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** Asserts `promise` rejects and hands back the error, to check its class and message. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

describe('ApiKeyStore.create', () => {
  it('returns a secret that verifies to a principal with exactly the key scopes', async () => {
    const { key, secret } = await store.create({ name: 'ci', scopes: ['contacts:write', 'contacts:read'] });
    expect(secret).toMatch(SECRET);
    expect(key).toEqual({
      id: SECRET.exec(secret)![1],
      name: 'ci',
      scopes: ['contacts:read', 'contacts:write'],
      createdAt: anyDate,
      revokedAt: null,
    });
    expect(await store.verify(secret)).toEqual({
      subject: `key:${key.id}`,
      kind: 'api-key',
      scopes: new Set(['contacts:read', 'contacts:write']),
    });
  });

  it('stores only a SHA-256 hash of the secret: the secret appears nowhere in the raw documents', async () => {
    const created = await Promise.all([
      store.create({ name: 'one', scopes: ['companies:read'] }),
      store.create({ name: 'two', scopes: ['sync:admin'] }),
    ]);
    const raw = await mongo.db.collection(API_KEYS_COLLECTION).find({}).toArray();
    expect(raw).toHaveLength(2);
    const dump = JSON.stringify(raw);
    for (const { secret } of created) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice('cgk_'.length + 16 + 1)); // the random part alone
    }
    expect(raw.map((document) => Object.keys(document).sort())).toEqual([
      ['_id', 'createdAt', 'keyId', 'name', 'revokedAt', 'scopes'],
      ['_id', 'createdAt', 'keyId', 'name', 'revokedAt', 'scopes'],
    ]);
    expect(raw.every((document) => /^[0-9a-f]{64}$/.test(String(document['_id'])))).toBe(true);
  });

  it('gives every key a secret and an id of its own', async () => {
    const keys = await Promise.all(['a', 'b', 'c'].map((name) => store.create({ name, scopes: ['contacts:read'] })));
    expect(new Set(keys.map((k) => k.secret)).size).toBe(3);
    expect(new Set(keys.map((k) => k.key.id)).size).toBe(3);
  });

  it('refuses an unknown scope, naming it and the scopes that exist, and stores nothing', async () => {
    const error = await rejectionOf(
      store.create({ name: 'ci', scopes: ['contacts:read', 'contacts:delete', 'admin'] }),
    );
    expect(error).toBeInstanceOf(ApiKeyError);
    expect((error as Error).message).toBe(
      `unknown scopes "contacts:delete", "admin"; expected some of ${SCOPES.join(', ')}`,
    );
    expect(await store.list()).toEqual([]);
  });

  it('refuses an empty scope list, a bad name, a name that looks like a key id, and a second valid key of the same name', async () => {
    await store.create({ name: 'ci', scopes: ['contacts:read'] });
    const messages = await Promise.all(
      [
        store.create({ name: 'nothing', scopes: [] }),
        store.create({ name: 'has space', scopes: ['contacts:read'] }),
        store.create({ name: '0123456789abcdef', scopes: ['contacts:read'] }),
        store.create({ name: 'ci', scopes: ['contacts:write'] }),
      ].map(async (attempt) => ((await rejectionOf(attempt)) as Error).message),
    );
    expect(messages).toEqual([
      `expected at least one scope of ${SCOPES.join(', ')}`,
      `expected a key name of 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got "has space"`,
      'a key name must not look like a key id (16 hex digits), got 0123456789abcdef',
      'a valid key named ci exists: revoke it first or choose another name',
    ]);
    expect((await store.list()).map((key) => key.name)).toEqual(['ci']);
  });
});

describe('ApiKeyStore.verify', () => {
  it('looks a key up with exactly one find by _id', async () => {
    const { secret } = await store.create({ name: 'ci', scopes: ['contacts:read'] });
    const commands: unknown[] = [];
    const onStarted = (event: CommandStartedEvent) =>
      commands.push({ name: event.commandName, collection: event.command['find'], filter: event.command['filter'] });
    mongo.client.on('commandStarted', onStarted);
    try {
      await store.verify(secret);
    } finally {
      mongo.client.off('commandStarted', onStarted);
    }
    expect(commands).toEqual([
      { name: 'find', collection: API_KEYS_COLLECTION, filter: { _id: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    ]);
  });

  it('refuses unknown, altered and malformed secrets, saying why', async () => {
    const { secret, key } = await store.create({ name: 'ci', scopes: ['contacts:read'] });
    const altered = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    const otherId = secret.replace(key.id, 'ffffffffffffffff');
    expect(await Promise.all([altered, otherId, 'cgk_nope', `${secret}x`, ''].map((s) => store.check(s)))).toEqual([
      { ok: false, reason: 'unknown', keyId: key.id },
      { ok: false, reason: 'unknown', keyId: 'ffffffffffffffff' },
      { ok: false, reason: 'malformed' },
      { ok: false, reason: 'malformed' },
      { ok: false, reason: 'malformed' },
    ]);
    expect(await store.verify(altered)).toBeUndefined();
  });
});

describe('ApiKeyStore.revoke', () => {
  it('rejects a revoked key on the very next call, by name', async () => {
    const { secret, key } = await store.create({ name: 'ci', scopes: ['contacts:read'] });
    expect(await store.verify(secret)).toBeDefined();
    expect(await store.revoke('ci')).toEqual([{ ...key, revokedAt: anyDate }]);
    expect(await store.check(secret)).toEqual({ ok: false, reason: 'revoked', keyId: key.id });
  });

  it('revokes by id, touching no other key', async () => {
    const [first, second] = await Promise.all([
      store.create({ name: 'first', scopes: ['contacts:read'] }),
      store.create({ name: 'second', scopes: ['contacts:read'] }),
    ]);
    await store.revoke(first!.key.id);
    expect(await store.verify(first!.secret)).toBeUndefined();
    expect(await store.verify(second!.secret)).toEqual({
      subject: `key:${second!.key.id}`,
      kind: 'api-key',
      scopes: new Set(['contacts:read']),
    });
  });

  it('says when there is no valid key of that id or name, and lets a revoked name be used again', async () => {
    await store.create({ name: 'ci', scopes: ['contacts:read'] });
    await store.revoke('ci');
    expect(((await rejectionOf(store.revoke('ci'))) as Error).message).toBe('no valid key with id or name "ci"');
    expect(((await rejectionOf(store.revoke('nobody'))) as Error).message).toBe(
      'no valid key with id or name "nobody"',
    );
    const again = await store.create({ name: 'ci', scopes: ['contacts:write'] });
    expect(await store.verify(again.secret)).toBeDefined();
  });
});

describe('ApiKeyStore.list', () => {
  it('shows every key oldest first with name, scopes and revocation, and no hash or secret', async () => {
    const ci = await store.create({ name: 'ci', scopes: ['contacts:read', 'contacts:write'] });
    const ops = await store.create({ name: 'ops', scopes: ['sync:admin'] });
    await store.revoke('ci');
    const listed = await store.list();
    expect(listed).toEqual([
      {
        id: ci.key.id,
        name: 'ci',
        scopes: ['contacts:read', 'contacts:write'],
        createdAt: anyDate,
        revokedAt: anyDate,
      },
      { id: ops.key.id, name: 'ops', scopes: ['sync:admin'], createdAt: anyDate, revokedAt: null },
    ]);
    const raw = await mongo.db.collection(API_KEYS_COLLECTION).find({}).toArray();
    const dump = JSON.stringify(listed);
    for (const document of raw) expect(dump).not.toContain(String(document['_id']));
  });
});

describe('issueDemoKey', () => {
  it('creates a demo key with every scope and revokes the previous one', async () => {
    const first = await issueDemoKey(store);
    const second = await issueDemoKey(store);
    expect(await store.verify(first.secret)).toBeUndefined();
    expect(await store.verify(second.secret)).toEqual({
      subject: `key:${second.key.id}`,
      kind: 'api-key',
      scopes: new Set(SCOPES),
    });
    const listed = await store.list();
    expect(listed.map((key) => [key.id, key.name, key.revokedAt === null]).sort()).toEqual(
      [
        [first.key.id, DEMO_KEY_NAME, false],
        [second.key.id, DEMO_KEY_NAME, true],
      ].sort(),
    );
  });
});

describe('ApiKeyStore with a cache (API_KEY_CACHE_MS)', () => {
  /** The commands `work` sends to MongoDB. */
  async function commandsOf(work: () => Promise<unknown>): Promise<string[]> {
    const commands: string[] = [];
    const onStarted = (event: CommandStartedEvent) => commands.push(event.commandName);
    mongo.client.on('commandStarted', onStarted);
    try {
      await work();
    } finally {
      mongo.client.off('commandStarted', onStarted);
    }
    return commands;
  }

  it('answers an accepted key from memory until its TTL: zero MongoDB commands on the hot path', async () => {
    let now = 1_000_000;
    const cached = new ApiKeyStore(mongo.db, { ttlMs: 5000, now: () => now });
    const { secret } = await store.create({ name: 'hot', scopes: ['contacts:read'] });
    expect(await commandsOf(() => cached.verify(secret))).toEqual(['find']);
    expect(await commandsOf(() => Promise.all(Array.from({ length: 10 }, () => cached.verify(secret))))).toEqual([]);
    now += 5001;
    expect(await commandsOf(() => cached.verify(secret))).toEqual(['find']);
  });

  it('holds a revocation made by another process within the TTL, and one made through itself at once', async () => {
    let now = 2_000_000;
    const gateway = new ApiKeyStore(mongo.db, { ttlMs: 5000, now: () => now });
    const operator = new ApiKeyStore(mongo.db); // `npm run keys -- revoke` in a process of its own
    const { secret, key } = await operator.create({ name: 'revoked-elsewhere', scopes: ['contacts:read'] });
    expect(await gateway.verify(secret)).toBeDefined();
    await operator.revoke(key.id);
    now += 4999;
    expect(await gateway.verify(secret)).toBeDefined(); // within the documented bound
    now += 2;
    expect(await gateway.check(secret)).toEqual({ ok: false, reason: 'revoked', keyId: key.id });

    const second = await operator.create({ name: 'revoked-here', scopes: ['contacts:read'] });
    expect(await gateway.verify(second.secret)).toBeDefined();
    await gateway.revoke('revoked-here');
    expect(await gateway.verify(second.secret)).toBeUndefined();
  });

  it('never caches a refusal: a key created elsewhere is accepted on its first use', async () => {
    const gateway = new ApiKeyStore(mongo.db, { ttlMs: 5000 });
    expect(await gateway.verify('cgk_0123456789abcdef_' + 'A'.repeat(43))).toBeUndefined();
    const { secret } = await store.create({ name: 'fresh', scopes: ['contacts:read'] });
    expect(await gateway.verify(secret)).toBeDefined();
  });

  it('keeps at most maxKeys keys, dropping the least recently used', async () => {
    const small = new ApiKeyStore(mongo.db, { ttlMs: 60_000, maxKeys: 2 });
    const secrets = await Promise.all(
      ['a', 'b', 'c'].map(
        async (name) => (await store.create({ name: `lru-${name}`, scopes: ['contacts:read'] })).secret,
      ),
    );
    for (const secret of secrets) await small.verify(secret);
    expect(await commandsOf(() => small.verify(secrets[2] as string))).toEqual([]);
    expect(await commandsOf(() => small.verify(secrets[0] as string))).toEqual(['find']); // evicted
  });
});

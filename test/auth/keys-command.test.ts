import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeyStore, SCOPES } from '../../src/auth/index.js';
import { keysCommand } from '../../src/cli/keys-command.js';
import { loadSettings, type Settings } from '../../src/config.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// `npm run keys -- …` against the suite's own database, its output captured.

let mongo: TestDatabase;
let settings: Settings;

beforeAll(async () => {
  mongo = await testDatabase('auth keys command');
  settings = loadSettings({ MONGODB_URI: process.env['MONGODB_URI'], MONGODB_DB: mongo.name });
});

afterAll(async () => {
  await mongo.drop();
});

/** Runs the command; returns its exit code and everything it wrote. */
async function run(
  argv: string[],
  runSettings: Settings = settings,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await keysCommand(runSettings, argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

describe('npm run keys', () => {
  let secret: string;
  let id: string;

  it('create prints the secret once, with the header to send it in', async () => {
    const { code, stdout, stderr } = await run(['create', '--name', 'ci', '--scopes', 'contacts:read,contacts:write']);
    const match = /\n {2}(cgk_([0-9a-f]{16})_[A-Za-z0-9_-]{43})\n/.exec(stdout);
    expect(match).not.toBeNull();
    [, secret, id] = match as unknown as [string, string, string];
    expect({ code, stderr, stdout }).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `Created API key ci (id ${id}) with scopes contacts:read, contacts:write.`,
        'Its secret, shown this once (only a hash of it is stored):',
        '',
        `  ${secret}`,
        '',
        `Clients send it as the header  Authorization: Bearer ${secret}`,
        '',
      ].join('\n'),
    });
    expect(await new ApiKeyStore(mongo.db).verify(secret)).toEqual({
      subject: `key:${id}`,
      kind: 'api-key',
      scopes: new Set(['contacts:read', 'contacts:write']),
    });
  });

  it('create --json prints the key and its secret as JSON', async () => {
    const { code, stdout } = await run(['create', '--name', 'ops', '--scopes', 'sync:admin', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      name: 'ops',
      scopes: ['sync:admin'],
      createdAt: expect.any(String),
      revokedAt: null,
      secret: expect.stringMatching(/^cgk_/),
    });
  });

  it('list shows every key with its state and scopes, never a secret', async () => {
    const { code, stdout } = await run(['list']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^id {16}name {2}state {2}created {19}scopes$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${id} {2}ci {4}valid {2}\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z {2}contacts:read,contacts:write$`),
    );
    expect(lines[2]).toMatch(/^[0-9a-f]{16} {2}ops {3}valid {2}\S+Z {2}sync:admin$/);
    expect(stdout).not.toContain('cgk_');
  });

  it('revoke by name takes effect at once, and list --json shows it revoked', async () => {
    expect(await run(['revoke', 'ci'])).toEqual({
      code: 0,
      stderr: '',
      stdout: `Revoked API key ci (id ${id}): refused from the next request on.\n`,
    });
    expect(await new ApiKeyStore(mongo.db).check(secret)).toEqual({ ok: false, reason: 'revoked', keyId: id });
    const listed = JSON.parse((await run(['list', '--json'])).stdout) as { name: string; revokedAt: string | null }[];
    expect(listed.map(({ name, revokedAt }) => ({ name, revoked: revokedAt !== null }))).toEqual([
      { name: 'ci', revoked: true },
      { name: 'ops', revoked: false },
    ]);
  });

  it('refuses an unknown scope and an unknown key with exit code 1 and a message', async () => {
    expect(await run(['create', '--name', 'x', '--scopes', 'contacts:read,everything'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `unknown scope "everything"; expected some of ${SCOPES.join(', ')}\n`,
    });
    expect(await run(['revoke', 'nobody'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'no valid key with id or name "nobody"\n',
    });
  });

  it('prints its usage with exit code 2 on a bad command line', async () => {
    for (const argv of [[], ['rotate'], ['create', '--name', 'x'], ['revoke'], ['list', '--yaml']]) {
      const { code, stdout, stderr } = await run(argv);
      expect({ code, stdout, usage: stderr.includes('usage: npm run keys -- <command>') }).toEqual({
        code: 2,
        stdout: '',
        usage: true,
      });
    }
  });

  it('says keys need MONGODB_URI when it is unset, since npm start then uses a throwaway in-memory MongoDB', async () => {
    const { code, stdout, stderr } = await run(['list'], loadSettings({}));
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(
      'npm run keys works on the MongoDB of an installation: set MONGODB_URI (and MONGODB_DB).\n' +
        'Without MONGODB_URI, npm start runs a throwaway in-memory MongoDB: keys created there vanish when it stops, ' +
        'so it creates a fresh demo key at every start and prints it.\n',
    );
  });
});

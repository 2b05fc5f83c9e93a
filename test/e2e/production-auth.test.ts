import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeyStore } from '../../src/auth/index.js';
import { projectRoot } from '../../src/paths.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

/**
 * NODE_ENV=production refuses to start when no one could ever be let in: no JWT settings and no live
 * API key. It stops right after connecting to MongoDB, before any system or port is touched.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase('production auth');
});

afterAll(() => database.drop());

/** `main.ts start` in production against the test database; its exit code and output. */
function startInProduction(extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', './test/support/register-typescript.js', 'src/main.ts', 'start'], {
    cwd: projectRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      MONGODB_URI: process.env['MONGODB_URI'],
      MONGODB_DB: database.name,
      // Never reached: the refusal comes first.
      CUSTOMERP_URL: 'http://127.0.0.1:9/graphql',
      CRMOFFICE_URL: 'http://127.0.0.1:9/graphql',
      PORT: '0',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe('production without authentication', () => {
  it('refuses to start, saying how to configure it', async () => {
    const { code, output } = await startInProduction();
    expect(code).toBe(1);
    expect(output).toContain(
      'NODE_ENV=production needs authentication: create an API key (npm run keys -- create --name … --scopes …) or set AUTH_JWT_*',
    );
    expect(output).not.toContain('Gateway:');
  }, 90_000);

  it('still refuses when the only key is revoked', async () => {
    const keys = new ApiKeyStore(database.db);
    await keys.create({ name: 'old', scopes: ['contacts:read'] });
    await keys.revoke('old');
    const { code, output } = await startInProduction();
    expect(code).toBe(1);
    expect(output).toContain('NODE_ENV=production needs authentication');
  }, 90_000);

  it('refuses a half-done JWT configuration before touching anything', async () => {
    const { code, output } = await startInProduction({ AUTH_JWT_ISSUER: 'https://issuer.example' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/AUTH_JWT_/);
    expect(output).not.toContain('Gateway:');
  }, 90_000);
});

import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadSettings, SETTING_NAMES } from '../../src/config.js';
import { projectRoot } from '../../src/paths.js';

/** A bad value for each setting (a setting may have several); FREE_TEXT lists those that take any text. */
const BAD_VALUES: [string, string][] = [
  ['PORT', 'eighty'],
  ['PORT', '70000'],
  ['MONGODB_URI', 'postgres://db'],
  ['MONGODB_DB', 'no/slashes'],
  ['CUSTOMERP_URL', 'ftp://erp/graphql'],
  ['CRMOFFICE_URL', 'not a url'],
  ['CUSTOMERP_PORT', '-1'],
  ['CRMOFFICE_PORT', '65536'],
  ['REFERENCE_SEED', 'lots'],
  ['SYNC_INTERVAL_MS', '10'],
  ['MASS_DELETE_SHARE', '1.5'],
  ['MASS_DELETE_ALLOWANCE', '-1'],
  ['MASS_DELETE_WINDOW_MS', '10'],
  ['SYNC_LEASE_TTL_MS', '100'],
  ['RESOLVED_CONFLICTS_KEPT', 'all'],
  ['UPSTREAM_TIMEOUT_MS', '-1'],
  ['UPSTREAM_RETRIES', '99'],
  ['NODE_ENV', 'staging'],
  ['INTROSPECTION', 'yes'],
  ['CUSTOMERP_TOKEN', 'short-secret'],
  ['CRMOFFICE_TOKEN', 'tiny'],
  ['WEBHOOK_SECRET_CUSTOMERP', 'short'],
  ['WEBHOOK_SECRET_CRMOFFICE', 'also-short'],
  ['WEBHOOK_PORT', 'http'],
  ['AUTH_JWT_JWKS_URL', 'file:///etc/keys.json'],
  ['AUTH_JWT_ALGORITHMS', 'HS256'],
  ['AUTH_JWT_ALGORITHMS', 'RS256,none'],
  ['MAX_CONCURRENT_REQUESTS', '0'],
  ['MAX_QUEUED_REQUESTS', '-1'],
  ['API_KEY_CACHE_MS', '-5'],
  ['SUBSCRIPTION_POLL_MS', '5'],
  ['MAX_CONNECTIONS_PER_CALLER', '0'],
  ['MAX_SUBSCRIPTIONS_PER_CONNECTION', 'many'],
  ['RATE_LIMIT_POINTS', '0'],
  ['RATE_LIMIT_WINDOW_S', 'minute'],
  ['METRICS_OPERATIONS', 'Good,not-good'],
  ['LOG_LEVEL', 'loud'],
  ['LOG_LEVEL', 'verbose'],
];

/** Settings that take any non-empty text (empty means unset), with why nothing else is checked. */
const FREE_TEXT: Record<string, string> = {
  HOST: 'a host name or address; listening on it fails with its own one-line error',
  AUTH_JWT_ISSUER: 'an issuer is any string the tokens carry in iss',
  AUTH_JWT_AUDIENCE: 'an audience is any string the tokens carry in aud',
  AUTH_JWT_PUBLIC_KEY: 'a PEM the JWT verifier parses when JWT authentication is configured',
};

/** Credentials: their errors give the length, never the value. */
const SECRET = new Set(['CUSTOMERP_TOKEN', 'CRMOFFICE_TOKEN', 'WEBHOOK_SECRET_CUSTOMERP', 'WEBHOOK_SECRET_CRMOFFICE']);

describe('loadSettings', () => {
  it('gives every setting its documented default when nothing is set', () => {
    expect(loadSettings({})).toEqual({
      PORT: 4000,
      HOST: '127.0.0.1',
      MONGODB_DB: 'gateway',
      CUSTOMERP_PORT: 4001,
      CRMOFFICE_PORT: 4002,
      REFERENCE_SEED: 'demo',
      SYNC_INTERVAL_MS: 30_000,
      MASS_DELETE_SHARE: 0.2,
      MASS_DELETE_ALLOWANCE: 2,
      MASS_DELETE_WINDOW_MS: 600_000,
      SYNC_LEASE_TTL_MS: 60_000,
      RESOLVED_CONFLICTS_KEPT: 20,
      UPSTREAM_TIMEOUT_MS: 3000,
      UPSTREAM_RETRIES: 2,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      AUTH_JWT_ALGORITHMS: 'RS256,ES256',
      MAX_CONCURRENT_REQUESTS: 64,
      MAX_QUEUED_REQUESTS: 256,
      API_KEY_CACHE_MS: 5000,
      SUBSCRIPTION_POLL_MS: 250,
      MAX_CONNECTIONS_PER_CALLER: 16,
      MAX_SUBSCRIPTIONS_PER_CONNECTION: 32,
      RATE_LIMIT_POINTS: 600,
      RATE_LIMIT_WINDOW_S: 60,
    });
  });

  it('reads and converts what is set, treating empty strings as unset', () => {
    const settings = loadSettings({
      PORT: '8080',
      MONGODB_URI: 'mongodb://db:27017',
      CUSTOMERP_URL: 'http://erp:80/graphql',
      SYNC_INTERVAL_MS: '',
      REFERENCE_SEED: '100000',
    });
    expect(settings).toMatchObject({
      PORT: 8080,
      MONGODB_URI: 'mongodb://db:27017',
      CUSTOMERP_URL: 'http://erp:80/graphql',
      SYNC_INTERVAL_MS: 30_000,
      REFERENCE_SEED: '100000',
    });
  });

  it.each(BAD_VALUES)('rejects %s=%s with an error naming the setting', (setting, value) => {
    const attempt = () => loadSettings({ [setting]: value });
    expect(attempt).toThrow(ConfigError);
    const shown = SECRET.has(setting) ? `a value of ${value.length} characters` : `"${value}"`;
    expect(attempt).toThrow(
      new RegExp(`^invalid setting ${setting}: .+ \\(got ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`),
    );
  });

  it('has a bad value in this test for every setting there is, or says why a setting has none', () => {
    const covered = new Set([...BAD_VALUES.map(([setting]) => setting), ...Object.keys(FREE_TEXT)]);
    expect([...SETTING_NAMES].filter((name) => !covered.has(name))).toEqual([]);
  });

  it('never echoes a credential it rejects', () => {
    expect(() => loadSettings({ CUSTOMERP_TOKEN: 'short-secret' })).toThrow(
      new ConfigError('CUSTOMERP_TOKEN', 'expected at least 16 characters (got a value of 12 characters)'),
    );
  });
});

describe('the process with a bad setting', () => {
  // One process per setting, four at a time: a setting read before validation (as LOG_LEVEL once was, by
  // the logger) would end in a stack trace here instead of the one line.
  it('stops at start-up with exit code 2 and one line naming the setting, for every setting', async () => {
    const outcomes = await inBatches(BAD_VALUES, 4, async ([setting, value]) => {
      const { code, stderr } = await startWith({ [setting]: value });
      const lines = stderr
        .trim()
        .split('\n')
        .filter((line) => !/ExperimentalWarning|--trace-warnings/.test(line));
      return {
        setting,
        code,
        lines: lines.length,
        namesIt: new RegExp(`^invalid setting ${setting}: `).test(lines[0] ?? ''),
      };
    });
    expect(outcomes.filter((o) => o.code !== 2 || o.lines !== 1 || !o.namesIt)).toEqual([]);
    expect(outcomes).toHaveLength(BAD_VALUES.length);
  });
});

function startWith(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', './test/support/register-typescript.js', 'src/main.ts', 'start'],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A process that did not stop at validation would go on starting everything: stop it, the test fails on its code.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadSettings } from '../../src/config.js';
import { projectRoot } from '../../src/paths.js';

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

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MONGODB_URI', 'postgres://db'],
    ['CUSTOMERP_URL', 'ftp://erp/graphql'],
    ['CRMOFFICE_URL', 'not a url'],
    ['SYNC_INTERVAL_MS', '10'],
    ['UPSTREAM_TIMEOUT_MS', '-1'],
    ['UPSTREAM_RETRIES', '99'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['REFERENCE_SEED', 'lots'],
    ['AUTH_JWT_ALGORITHMS', 'HS256'],
    ['AUTH_JWT_ALGORITHMS', 'RS256,none'],
    ['AUTH_JWT_JWKS_URL', 'file:///etc/keys.json'],
    ['RATE_LIMIT_POINTS', '0'],
    ['API_KEY_CACHE_MS', '-5'],
    ['MAX_CONCURRENT_REQUESTS', '0'],
    ['MASS_DELETE_SHARE', '1.5'],
    ['MASS_DELETE_ALLOWANCE', '-1'],
    ['MASS_DELETE_WINDOW_MS', '10'],
    ['SYNC_LEASE_TTL_MS', '100'],
    ['RESOLVED_CONFLICTS_KEPT', 'all'],
  ])('rejects %s=%s with an error naming the setting', (setting, value) => {
    const attempt = () => loadSettings({ [setting]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      new RegExp(`^invalid setting ${setting}: .+ \\(got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\)$`),
    );
  });

  it('never echoes a credential it rejects', () => {
    expect(() => loadSettings({ CUSTOMERP_TOKEN: 'short-secret' })).toThrow(
      new ConfigError('CUSTOMERP_TOKEN', 'expected at least 16 characters (got a value of 12 characters)'),
    );
  });
});

describe('the process with a bad setting', () => {
  it.each([
    ['PORT', 'eighty'],
    ['MONGODB_URI', 'postgres://db'],
    ['SYNC_INTERVAL_MS', '10'],
    // The logger exists before validation: a level it does not know must still end in the one line.
    ['LOG_LEVEL', 'verbose'],
  ])('stops at start-up with exit code 2 and one line naming %s', (setting, value) => {
    const run = spawnSync(
      process.execPath,
      ['--import', './test/support/register-typescript.js', 'src/main.ts', 'start'],
      {
        cwd: projectRoot,
        env: { ...process.env, [setting]: value },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.status).toBe(2);
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((line) => !/ExperimentalWarning|--trace-warnings/.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid setting ${setting}: `));
  });
});

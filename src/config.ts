import { z } from 'zod';

/**
 * Every setting comes from the environment and is validated once at start-up: a bad value stops the
 * process with one line naming the setting and what it expects (fail at start, not on a request).
 */
/** pino's levels: what LOG_LEVEL accepts (the logger, which exists before validation, checks the same list). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL');

const settingsSchema = z.object({
  /** Gateway HTTP port. @default 4000 */
  PORT: port.default(4000),
  /** Interface the gateway and the demo reference systems listen on. @default 127.0.0.1 */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** MongoDB connection string; unset = start the embedded engine (mongo-java-server, in memory) locally. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI')
    .optional(),
  /** Database holding links, cursors, operations. @default gateway */
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'expected a database name')
    .default('gateway'),
  /** Customerp GraphQL endpoint; unset = start the reference Customerp on CUSTOMERP_PORT. */
  CUSTOMERP_URL: httpUrl.optional(),
  /** Crmoffice GraphQL endpoint; unset = start the reference Crmoffice on CRMOFFICE_PORT. */
  CRMOFFICE_URL: httpUrl.optional(),
  /** @default 4001 */
  CUSTOMERP_PORT: port.default(4001),
  /** @default 4002 */
  CRMOFFICE_PORT: port.default(4002),
  /** Demo data of the reference systems started by `npm start`: `demo`, `empty` or a record count. @default demo */
  REFERENCE_SEED: z
    .string()
    .regex(/^(demo|empty|\d+)$/, 'expected demo, empty or a record count')
    .default('demo'),
  /**
   * Pause between sync passes. Webhooks wake a pass at once, so polling is only the safety net for a
   * lost notification or a system without webhooks. @default 30000
   */
  SYNC_INTERVAL_MS: z.coerce.number().int().min(50).default(30_000),
  /** Share of an entity's links that may be deleted within MASS_DELETE_WINDOW_MS before deletes are held. @default 0.2 */
  MASS_DELETE_SHARE: z.coerce.number().min(0).max(1).default(0.2),
  /** Deletes per entity and window that always go ahead, whatever the share. @default 2 */
  MASS_DELETE_ALLOWANCE: z.coerce.number().int().min(0).default(2),
  /** The window the mass-delete guard counts deletes over. @default 600000 (10 minutes) */
  MASS_DELETE_WINDOW_MS: z.coerce.number().int().min(1000).default(600_000),
  /** How long a sync feed lease lasts without renewal; a pass renews it every third of this while it works. @default 60000 */
  SYNC_LEASE_TTL_MS: z.coerce.number().int().min(300).max(3_600_000).default(60_000),
  /** Resolved conflicts a link keeps (its open ones are always kept). @default 20 */
  RESOLVED_CONFLICTS_KEPT: z.coerce.number().int().min(0).max(1000).default(20),
  /** Timeout of one upstream HTTP request. @default 3000 */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(3000),
  /** Retries of a retry-safe upstream request (network errors, 5xx, 429). @default 2 */
  UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** development | production | test. @default development */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Introspection and Apollo Sandbox whatever NODE_ENV (`true`/`false`). @default on, except in production */
  INTROSPECTION: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  /**
   * Bearer token the gateway and the sync worker send to Customerp. When the reference system is
   * started here (CUSTOMERP_URL unset) it requires this token; unset = a random one per start.
   */
  CUSTOMERP_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** Bearer token for Crmoffice, as CUSTOMERP_TOKEN. */
  CRMOFFICE_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /**
   * Shared secret of Customerp's webhook (`POST /webhooks/customerp`, HMAC-SHA256). Unset: a random
   * one per start, registered with a reference Customerp started here; else Customerp has no endpoint.
   */
  WEBHOOK_SECRET_CUSTOMERP: z.string().min(16, 'expected at least 16 characters').optional(),
  /** Shared secret of Crmoffice's webhook (`POST /webhooks/crmoffice`), as WEBHOOK_SECRET_CUSTOMERP. */
  WEBHOOK_SECRET_CRMOFFICE: z.string().min(16, 'expected at least 16 characters').optional(),
  /** `npm run sync` serves `POST /webhooks/<system>` on this port (on HOST). @default unset: that worker only polls */
  WEBHOOK_PORT: port.optional(),
  /** JWTs: required `iss`. Setting it (with a key source and an audience) turns JWT authentication on. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** JWTs: required `aud`. */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** JWTs: where the issuer publishes its signing keys (JWKS). One of this or AUTH_JWT_PUBLIC_KEY. */
  AUTH_JWT_JWKS_URL: httpUrl.optional(),
  /** JWTs: the issuer's public key, PEM (SPKI). One of this or AUTH_JWT_JWKS_URL. */
  AUTH_JWT_PUBLIC_KEY: z.string().min(1).optional(),
  /** JWTs: accepted signing algorithms, comma-separated (never `none`, never HS*). @default RS256,ES256 */
  AUTH_JWT_ALGORITHMS: z
    .string()
    .regex(
      /^((RS|PS|ES)(256|384|512)|EdDSA)(,((RS|PS|ES)(256|384|512)|EdDSA))*$/,
      'expected asymmetric JWS algorithms, e.g. RS256,ES256',
    )
    .default('RS256,ES256'),
  /** GraphQL requests the gateway runs at once (size it to the MongoDB pool, 100 by default). @default 64 */
  MAX_CONCURRENT_REQUESTS: z.coerce.number().int().min(1).max(10_000).default(64),
  /** GraphQL requests that may wait for a turn; beyond them, 503 with Retry-After. @default 256 */
  MAX_QUEUED_REQUESTS: z.coerce.number().int().min(0).max(100_000).default(256),
  /** How long an accepted API key is answered from memory: the bound on how late a revocation takes effect. 0 = never cached. @default 5000 */
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5000),
  /** Requests one caller (API key or JWT subject) may send per RATE_LIMIT_WINDOW_S. @default 600 */
  RATE_LIMIT_POINTS: z.coerce.number().int().min(1).default(600),
  /** Rate limit window in seconds. @default 60 */
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  /** How often a gateway process with subscribers reads the shared record change log (the latency of a subscription event). @default 250 */
  SUBSCRIPTION_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  /** WebSocket (subscription) connections one caller may hold open per gateway process. @default 16 */
  MAX_CONNECTIONS_PER_CALLER: z.coerce.number().int().min(1).max(10_000).default(16),
  /** Subscriptions one WebSocket connection may run at once. @default 32 */
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(1000).default(32),
  /** GraphQL operation names that get a metrics series of their own, besides the saved examples (comma-separated). @default none */
  METRICS_OPERATIONS: z
    .string()
    .regex(/^[_A-Za-z][_0-9A-Za-z]*(,[_A-Za-z][_0-9A-Za-z]*)*$/, 'expected GraphQL operation names, comma-separated')
    .optional(),
  /** pino level. @default info */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Every setting's name, in the order of the README's table. */
export const SETTING_NAMES = Object.keys(settingsSchema.shape) as (keyof Settings)[];

/** Settings whose values are credentials: error messages say how long they are, never what they are. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'CUSTOMERP_TOKEN',
  'CRMOFFICE_TOKEN',
  'AUTH_JWT_PUBLIC_KEY',
  'WEBHOOK_SECRET_CUSTOMERP',
  'WEBHOOK_SECRET_CRMOFFICE',
]);

/** A setting that failed validation; `message` is the one line to print. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
  ) {
    super(`invalid setting ${setting}: ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the settings; empty strings count as unset. Throws ConfigError on the first bad one. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const input = Object.fromEntries(
    Object.keys(settingsSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = settingsSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const setting = String(issue?.path[0] ?? 'settings');
    // A secret is never echoed, not even a wrong one (it may be a right one set in the wrong place).
    const got = SECRET_SETTINGS.has(setting)
      ? `a value of ${env[setting]?.length ?? 0} characters`
      : JSON.stringify(env[setting]);
    throw new ConfigError(setting, `${issue?.message ?? 'invalid'} (got ${got})`);
  }
  return result.data;
}

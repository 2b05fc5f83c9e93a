import { randomBytes } from 'node:crypto';
import type { Settings } from '../config.js';
import type { SystemName } from '../errors.js';
import { DEMO_SIZE, demoSizeOf, type DemoSize } from '../reference/core/index.js';
import { startCrmoffice } from '../reference/crmoffice/index.js';
import { startCustomerp } from '../reference/customerp/index.js';
import type { Supervisor } from './supervisor.js';

export interface SystemEndpoints {
  customerpUrl: string;
  crmofficeUrl: string;
  /** The bearer token for Customerp's clients: CUSTOMERP_TOKEN, or the one generated for a reference system started here; undefined = none configured. Never log it. */
  customerpToken: string | undefined;
  /** As customerpToken, for Crmoffice (CRMOFFICE_TOKEN). */
  crmofficeToken: string | undefined;
  /** Whether this process started the reference systems (no URLs configured). */
  startedReference: boolean;
  /** Each system's webhook secret: WEBHOOK_SECRET_*, or a random one for a reference system started here (registered by registerWebhooks). Never log it. */
  webhookSecrets: Partial<Record<SystemName, string>>;
  /** The reference systems started here, by origin: those registerWebhooks subscribes to. */
  startedOrigins: Partial<Record<SystemName, string>>;
}

/** The seed a REFERENCE_SEED setting asks for. */
export function seedOf(setting: string): 'empty' | DemoSize {
  if (setting === 'empty') return 'empty';
  if (setting === 'demo') return DEMO_SIZE;
  return demoSizeOf(Number(setting));
}

/**
 * Uses CUSTOMERP_URL / CRMOFFICE_URL when set; otherwise starts the reference system with demo data
 * on its port. Each system is decided on its own, so one real and one reference system also works.
 * A reference system started here requires a bearer token: CUSTOMERP_TOKEN / CRMOFFICE_TOKEN, or a
 * random one per start (only this process knows it: give it to the clients, never print it).
 */
export async function startReferenceSystems(settings: Settings, supervisor: Supervisor): Promise<SystemEndpoints> {
  const seed = seedOf(settings.REFERENCE_SEED);
  let startedReference = false;
  let customerpUrl = settings.CUSTOMERP_URL;
  let customerpToken = settings.CUSTOMERP_TOKEN;
  if (!customerpUrl) {
    const token = (customerpToken ??= generateToken());
    const server = await supervisor.start('customerp', async () => {
      const running = await startCustomerp({ port: settings.CUSTOMERP_PORT, host: settings.HOST, seed, token });
      return { name: 'customerp', stop: running.close, url: running.url };
    });
    customerpUrl = server.url;
    startedReference = true;
  }
  let crmofficeUrl = settings.CRMOFFICE_URL;
  let crmofficeToken = settings.CRMOFFICE_TOKEN;
  if (!crmofficeUrl) {
    const token = (crmofficeToken ??= generateToken());
    const server = await supervisor.start('crmoffice', async () => {
      const running = await startCrmoffice({ port: settings.CRMOFFICE_PORT, host: settings.HOST, seed, token });
      return { name: 'crmoffice', stop: running.close, url: running.url };
    });
    crmofficeUrl = server.url;
    startedReference = true;
  }
  const startedOrigins: Partial<Record<SystemName, string>> = {};
  if (!settings.CUSTOMERP_URL) startedOrigins.CUSTOMERP = new URL(customerpUrl).origin;
  if (!settings.CRMOFFICE_URL) startedOrigins.CRMOFFICE = new URL(crmofficeUrl).origin;
  const webhookSecrets: Partial<Record<SystemName, string>> = {};
  const customerpSecret = settings.WEBHOOK_SECRET_CUSTOMERP ?? (startedOrigins.CUSTOMERP ? generateToken() : undefined);
  if (customerpSecret) webhookSecrets.CUSTOMERP = customerpSecret;
  const crmofficeSecret = settings.WEBHOOK_SECRET_CRMOFFICE ?? (startedOrigins.CRMOFFICE ? generateToken() : undefined);
  if (crmofficeSecret) webhookSecrets.CRMOFFICE = crmofficeSecret;
  return {
    customerpUrl,
    crmofficeUrl,
    customerpToken,
    crmofficeToken,
    startedReference,
    webhookSecrets,
    startedOrigins,
  };
}

/**
 * Subscribes `<gatewayOrigin>/webhooks/<system>` to every reference system started here, with its
 * secret (`POST /admin/webhooks`, behind the system's admin token). Real systems are registered by
 * their operators (README, "Webhooks"). The subscription lives as long as the reference system.
 */
export async function registerWebhooks(systems: SystemEndpoints, gatewayOrigin: string): Promise<void> {
  const tokens: Record<SystemName, string | undefined> = {
    CUSTOMERP: systems.customerpToken,
    CRMOFFICE: systems.crmofficeToken,
  };
  for (const system of ['CUSTOMERP', 'CRMOFFICE'] as const) {
    const origin = systems.startedOrigins[system];
    const secret = systems.webhookSecrets[system];
    if (!origin || !secret) continue;
    const token = tokens[system];
    const response = await fetch(`${origin}/admin/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ url: `${gatewayOrigin}/webhooks/${system.toLowerCase()}`, secret }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`${system}: registering the webhook failed with HTTP ${response.status}`);
  }
}

/** 256 random bits, URL-safe: a token for a reference system nobody configured one for. */
function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

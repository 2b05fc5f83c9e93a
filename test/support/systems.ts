import { randomBytes } from 'node:crypto';
import type { DemoSize, FaultSettings, RequestStats, RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../../src/upstreams/index.js';
import { authorizationFor, forgetToken, rememberToken } from './upstream-tokens.js';

/**
 * Both reference systems on free ports, each requiring a random bearer token of its own, with API
 * facades pointed at them over HTTP that send it. Clients a test builds itself need `tokens`; the
 * helpers of test/support/graphql.ts find them by URL (upstream-tokens.ts).
 */
export interface TestSystems {
  customerpServer: RunningReferenceServer;
  crmofficeServer: RunningReferenceServer;
  /** The bearer token each system requires, on `/graphql` and `/admin/*` alike. */
  tokens: { customerp: string; crmoffice: string };
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
  /** Zeroes both systems' request statistics. */
  resetStats(): Promise<void>;
  /** Both systems' statistics, read over HTTP like any client would. */
  stats(): Promise<{ customerp: RequestStats; crmoffice: RequestStats }>;
  /** Mutations served per system: the root fields whose names start with create/update/delete. */
  writes(): Promise<{ customerp: number; crmoffice: number }>;
  faults(system: 'customerp' | 'crmoffice', settings: Partial<FaultSettings>): Promise<void>;
  close(): Promise<void>;
}

export interface TestSystemsOptions {
  seed?: 'demo' | 'empty' | DemoSize;
  /** @default 2000 */
  timeoutMs?: number;
  /** @default 1 */
  retries?: number;
}

export async function startTestSystems(options: TestSystemsOptions = {}): Promise<TestSystems> {
  const seed = options.seed ?? 'demo';
  const tokens = { customerp: randomBytes(24).toString('base64url'), crmoffice: randomBytes(24).toString('base64url') };
  const [customerpServer, crmofficeServer] = await Promise.all([
    startCustomerp({ seed, token: tokens.customerp }),
    startCrmoffice({ seed, token: tokens.crmoffice }),
  ]);
  rememberToken(customerpServer.url, tokens.customerp);
  rememberToken(crmofficeServer.url, tokens.crmoffice);
  const clientOptions = {
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 1,
    baseDelayMs: 20,
    maxDelayMs: 200,
  };
  const customerp = new CustomerpApi(
    new UpstreamClient({ system: 'CUSTOMERP', url: customerpServer.url, token: tokens.customerp, ...clientOptions }),
  );
  const crmoffice = new CrmofficeApi(
    new UpstreamClient({ system: 'CRMOFFICE', url: crmofficeServer.url, token: tokens.crmoffice, ...clientOptions }),
  );
  const admin = async (server: RunningReferenceServer, path: string, body?: unknown): Promise<unknown> => {
    const authorization = authorizationFor(server.origin);
    const response = await fetch(
      `${server.origin}${path}`,
      body === undefined && path.endsWith('stats')
        ? { headers: authorization }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...authorization },
            body: JSON.stringify(body ?? {}),
          },
    );
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  };
  const stats = async () => ({
    customerp: (await admin(customerpServer, '/admin/stats')) as RequestStats,
    crmoffice: (await admin(crmofficeServer, '/admin/stats')) as RequestStats,
  });
  const writesOf = (s: RequestStats) =>
    Object.entries(s.fields)
      .filter(([field]) => /^(create|update|delete)/.test(field))
      .reduce((sum, [, n]) => sum + n, 0);
  return {
    customerpServer,
    crmofficeServer,
    tokens,
    customerp,
    crmoffice,
    resetStats: async () => {
      await admin(customerpServer, '/admin/stats/reset', {});
      await admin(crmofficeServer, '/admin/stats/reset', {});
    },
    stats,
    writes: async () => {
      const s = await stats();
      return { customerp: writesOf(s.customerp), crmoffice: writesOf(s.crmoffice) };
    },
    faults: async (system, settings) => {
      await admin(system === 'customerp' ? customerpServer : crmofficeServer, '/admin/faults', settings);
    },
    close: async () => {
      await Promise.all([customerpServer.close(), crmofficeServer.close()]);
      forgetToken(customerpServer.url);
      forgetToken(crmofficeServer.url);
    },
  };
}

// The project's gateway as it is deployed, in a process of its own for bench/read.ts: API key
// authentication (with its cache), rate limiting in MongoDB, metrics. Prints {"url","key","metrics"}.
// Env: MONGODB_URI, GATEWAY_DB, CUSTOMERP_URL, CRMOFFICE_URL.
import { ApiKeyStore, createAuthenticator, issueDemoKey } from '../../src/auth/index.js';
import { startGateway } from '../../src/gateway/server.js';
import { connectMongo } from '../../src/mongo/index.js';
import { Metrics } from '../../src/observability/metrics.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { announce } from './child-process.js';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const { client, db } = await connectMongo(setting('MONGODB_URI'), setting('GATEWAY_DB'), { monitorCommands: true });
const metrics = new Metrics();
metrics.observeMongo(client);
const apiKeys = new ApiKeyStore(db, { ttlMs: 5000 });
const demo = await issueDemoKey(apiKeys);
const clientOptions = { timeoutMs: 10_000, retries: 0 };
const gateway = await startGateway({
  dependencies: {
    db,
    customerp: new UpstreamClient({ system: 'CUSTOMERP', url: setting('CUSTOMERP_URL'), ...clientOptions }),
    crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: setting('CRMOFFICE_URL'), ...clientOptions }),
  },
  mode: 'production',
  metrics,
  authenticate: createAuthenticator({ apiKeys }),
  // Far above what the benchmark sends: the limiter does its work (leases in MongoDB) but never refuses.
  rateLimit: { points: 1_000_000_000, windowSeconds: 60 },
});
announce({ url: gateway.url, key: demo.secret, metrics: `${gateway.origin}/metrics` }, async () => {
  await gateway.close();
  await client.close();
});

// A gateway in a process of its own, for the tests that share one MongoDB between two gateway
// processes (rate-limit-concurrency.test.ts, subscriptions.test.ts); started by gateway-processes.ts as
// `node --import ./test/support/register-typescript.js test/gateway/support/gateway-process.ts` with
// MONGODB_URI, GATEWAY_DB, CUSTOMERP_URL, CRMOFFICE_URL and LOG_LEVEL=silent (stdout carries only the
// URL) set; optional: CUSTOMERP_TOKEN and CRMOFFICE_TOKEN (the systems' tokens), RATE_LIMIT_POINTS,
// RATE_LIMIT_WINDOW_S and RATE_LIMIT_STORE_TIMEOUT_MS (no rate limit without them).
// Prints the gateway's /graphql URL as one line once it listens; stops on SIGTERM or when stdin closes
// (so it does not outlive a test process that dies without killing it).
import { SCOPES, type Authenticate } from '../../../src/auth/principal.js';
import { UnauthenticatedError } from '../../../src/errors.js';
import { startGateway } from '../../../src/gateway/server.js';
import { connectMongo } from '../../../src/mongo/index.js';
import { UpstreamClient } from '../../../src/upstreams/index.js';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Same test credentials as the test's own gateway: `Bearer test:<name>` is the API key of `<name>`, with every scope. */
const authenticate: Authenticate = async (authorization) => {
  const name = /^Bearer test:([a-z]+)$/.exec(authorization ?? '')?.[1];
  if (!name) throw new UnauthenticatedError();
  return { subject: `test:${name}`, kind: 'api-key', scopes: new Set(SCOPES) };
};

const { client, db } = await connectMongo(setting('MONGODB_URI'), setting('GATEWAY_DB'));
const gateway = await startGateway({
  dependencies: {
    db,
    customerp: new UpstreamClient({
      system: 'CUSTOMERP',
      url: setting('CUSTOMERP_URL'),
      token: process.env['CUSTOMERP_TOKEN'],
      retries: 0,
    }),
    crmoffice: new UpstreamClient({
      system: 'CRMOFFICE',
      url: setting('CRMOFFICE_URL'),
      token: process.env['CRMOFFICE_TOKEN'],
      retries: 0,
    }),
  },
  mode: 'production',
  authenticate,
  rateLimit: process.env['RATE_LIMIT_POINTS']
    ? {
        points: Number(setting('RATE_LIMIT_POINTS')),
        windowSeconds: Number(setting('RATE_LIMIT_WINDOW_S')),
        storeTimeoutMs: Number(setting('RATE_LIMIT_STORE_TIMEOUT_MS')),
      }
    : false,
});
process.stdout.write(`${gateway.url}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await gateway.close();
  await client.close();
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.stdin
  .on('end', () => void stop())
  .on('close', () => void stop())
  .resume();

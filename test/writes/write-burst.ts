// A burst of write-through mutations in a process of its own, for the test that kills it midway
// (crash.test.ts). Run as `node --import ./test/support/register-typescript.js test/writes/write-burst.ts`
// with MONGODB_URI, WRITE_DB, CUSTOMERP_URL, CRMOFFICE_URL, BURST_PLAN (JSON: BurstStep[]) and, when the
// systems require them, CUSTOMERP_TOKEN / CRMOFFICE_TOKEN set.
// Prints `done <index>` as each mutation answers; it is expected to be killed before the end.
import { connectMongo } from '../../src/mongo/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../../src/upstreams/index.js';
import type { CreateContactInput, UpdateContactInput } from '../../src/generated/gateway-server.js';
import { WriteThrough } from '../../src/writes/index.js';

/** One mutation of the burst; every step carries its own idempotency key inside `input`. */
export type BurstStep =
  | { mutation: 'createContact'; input: CreateContactInput & { idempotencyKey: string } }
  | { mutation: 'updateContact'; id: string; input: UpdateContactInput & { idempotencyKey: string } };

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const plan = JSON.parse(setting('BURST_PLAN')) as BurstStep[];
const concurrency = Number(process.env['BURST_CONCURRENCY'] ?? '6');
const { db } = await connectMongo(setting('MONGODB_URI'), setting('WRITE_DB'));
const client = (system: 'CUSTOMERP' | 'CRMOFFICE', url: string) =>
  new UpstreamClient({ system, url, token: process.env[`${system}_TOKEN`] || undefined, timeoutMs: 2000, retries: 0 });
const writes = new WriteThrough(
  {
    db,
    customerp: new CustomerpApi(client('CUSTOMERP', setting('CUSTOMERP_URL'))),
    crmoffice: new CrmofficeApi(client('CRMOFFICE', setting('CRMOFFICE_URL'))),
  },
  { leaseMs: Number(process.env['BURST_LEASE_MS'] ?? '1500') },
);

let next = 0;
async function lane(): Promise<void> {
  while (next < plan.length) {
    const index = next++;
    const step = plan[index] as BurstStep;
    if (step.mutation === 'createContact') await writes.createContact(step.input);
    else await writes.updateContact(step.id, step.input);
    process.stdout.write(`done ${index}\n`);
  }
}

await Promise.all(Array.from({ length: concurrency }, () => lane()));
process.stdout.write('finished\n');
process.exit(0);

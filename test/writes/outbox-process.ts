// An outbox worker in a process of its own, for the two-process test (outbox-processes.test.ts). Run as
// `node --import ./test/support/register-typescript.js test/writes/outbox-process.ts` with MONGODB_URI,
// WRITE_DB, CUSTOMERP_URL, CRMOFFICE_URL and the systems' tokens set. Prints `ready`, waits for a line
// on stdin (so that two of them start together), works the outbox until it is empty, prints
// `claimed <n>` and exits.
import { createInterface } from 'node:readline';
import { connectMongo } from '../../src/mongo/index.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from '../../src/upstreams/index.js';
import { OutboxWorker } from '../../src/writes/index.js';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const { client, db } = await connectMongo(setting('MONGODB_URI'), setting('WRITE_DB'));
const upstream = (system: 'CUSTOMERP' | 'CRMOFFICE', url: string) =>
  new UpstreamClient({ system, url, token: process.env[`${system}_TOKEN`] || undefined, timeoutMs: 5000, retries: 1 });
const worker = new OutboxWorker(
  {
    db,
    customerp: new CustomerpApi(upstream('CUSTOMERP', setting('CUSTOMERP_URL'))),
    crmoffice: new CrmofficeApi(upstream('CRMOFFICE', setting('CRMOFFICE_URL'))),
  },
  // Small batches, so that the two processes interleave over the whole outbox.
  { batchSize: 5, owner: setting('OUTBOX_OWNER') },
);

process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
let claimed = 0;
for (;;) {
  const run = await worker.runOnce();
  claimed += run.claimed;
  if ((await worker.operations.countUnfinished()) === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
process.stdout.write(`claimed ${claimed}\n`);
await client.close();
process.exit(0);

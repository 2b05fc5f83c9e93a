import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { isFinal, OutboxWorker } from '../../src/writes/index.js';
import { listAll } from '../support/graphql.js';
import { isAlive } from '../support/processes.js';
import type { BurstStep } from './write-burst.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * The process running write-through mutations is killed (SIGKILL) in the middle of a burst. Every
 * mutation it had accepted (recorded in the outbox) ends applied on both systems once the outbox
 * worker has run, none is applied twice, no record is created twice, and nothing it had not
 * accepted was written.
 */

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const LEASE_MS = 1500;

let world: WriteWorld;
let child: ChildProcess | undefined;

beforeAll(async () => {
  world = await startWriteWorld('write crash');
});

afterAll(async () => {
  if (child?.pid && isAlive(child.pid)) child.kill('SIGKILL');
  await world.close();
});

/** Starts the burst in a child process; resolves once `doneBefore` mutations have answered, with how many had. */
function runBurstUntil(plan: BurstStep[], doneBefore: number): Promise<{ done: Set<number>; exited: boolean }> {
  const done = new Set<number>();
  child = spawn(process.execPath, ['--import', './test/support/register-typescript.js', 'test/writes/write-burst.ts'], {
    cwd: projectRoot,
    env: {
      ...world.childEnv(),
      BURST_PLAN: JSON.stringify(plan),
      BURST_LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = child;
  let errors = '';
  running.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    running.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        const match = /^done (\d+)$/.exec(line);
        if (match) done.add(Number(match[1]));
      }
      if (done.size >= doneBefore && running.exitCode === null && !running.killed) running.kill('SIGKILL');
    });
    running.once('exit', (code, signal) => {
      // Commands the process had sent before it died may still be completing in the database: let them.
      if (signal === 'SIGKILL') setTimeout(() => resolve({ done, exited: false }), 500);
      else if (code === 0) resolve({ done, exited: true });
      else reject(new Error(`the burst process failed (${code}): ${errors.slice(-2000)}`));
    });
  });
}

describe('WriteThrough killed in the middle of a burst', () => {
  it('ends every accepted mutation applied on both sides after the outbox worker ran, with nothing lost or duplicated', async () => {
    const pairs = (await world.pairs('Contact', 'EMPLOYEE')).slice(0, 10);
    const plan: BurstStep[] = [];
    for (let i = 0; i < 40; i++) {
      if (i % 2 === 0) {
        plan.push({
          mutation: 'createContact',
          input: {
            kind: 'EMPLOYEE',
            firstName: 'Burst',
            lastName: `Number ${i}`,
            email: `burst.${i}@example.org`,
            idempotencyKey: `burst-${i}`,
          },
        });
      } else {
        const link = pairs[((i - 1) / 2) % pairs.length] as Link;
        plan.push({
          mutation: 'updateContact',
          id: encodeUnifiedId('Contact', link._id),
          input: { department: `Burst ${i}`, idempotencyKey: `burst-${i}` },
        });
      }
    }
    // Slow systems keep several mutations in flight when the process dies.
    await world.world.systems.faults('customerp', { latencyMs: 30 });
    await world.world.systems.faults('crmoffice', { latencyMs: 30 });
    const { done, exited } = await runBurstUntil(plan, 12);
    expect(exited).toBe(false);
    await world.world.systems.faults('customerp', {});
    await world.world.systems.faults('crmoffice', {});

    const accepted = await world.allOperations();
    const cutShort = accepted.filter((o) => !isFinal(o.state));
    expect(cutShort.length).toBeGreaterThan(0); // the kill did interrupt mutations
    expect(accepted.length).toBeLessThan(plan.length); // and came before the end
    for (const index of done) expect(accepted.some((o) => o.idempotencyKey === `burst-${index}`)).toBe(true);

    // The worker takes over once the dead process's leases have run out.
    const worker = new OutboxWorker(
      {
        db: world.world.database.db,
        customerp: world.world.systems.customerp,
        crmoffice: world.world.systems.crmoffice,
      },
      { leaseMs: LEASE_MS, backoff: { baseDelayMs: 40, maxDelayMs: 300 } },
    );
    expect(await worker.runUntilIdle(30_000)).toBe(0);
    const operations = await world.allOperations();
    expect(operations.map((o) => o.idempotencyKey).sort()).toEqual(accepted.map((o) => o.idempotencyKey).sort());
    expect(operations.filter((o) => o.state !== 'APPLIED').map((o) => `${o.idempotencyKey} ${o.state}`)).toEqual([]);

    const employees = await listAll<{ id: string; email: string }>(
      world.world.systems.customerpServer.url,
      'employees',
      'id email',
    );
    const contacts = await listAll<{ id: string; email: string; department: string | null }>(
      world.world.systems.crmofficeServer.url,
      'contacts',
      'id email department',
    );
    for (const [i, step] of plan.entries()) {
      const operation = operations.find((o) => o.idempotencyKey === `burst-${i}`);
      if (step.mutation === 'createContact') {
        const email = step.input['email'] as string;
        const inCustomerp = employees.filter((e) => e.email === email);
        const inCrmoffice = contacts.filter((c) => c.email === email);
        if (!operation) {
          // Never accepted: never written.
          expect({ email, customerp: inCustomerp.length, crmoffice: inCrmoffice.length }).toEqual({
            email,
            customerp: 0,
            crmoffice: 0,
          });
          continue;
        }
        expect({ email, customerp: inCustomerp.length, crmoffice: inCrmoffice.length }).toEqual({
          email,
          customerp: 1,
          crmoffice: 1,
        });
        expect(await world.linkOf(operation.linkId)).toMatchObject({
          customerp: { type: 'Employee', id: inCustomerp[0]?.id },
          crmoffice: { type: 'Contact', id: inCrmoffice[0]?.id },
          state: 'IN_SYNC',
        });
      } else if (operation) {
        const link = await world.linkOf(operation.linkId);
        expect(await world.customerpRecord('Employee', link.customerp?.id as string)).toMatchObject({
          department: expect.stringMatching(/^Burst \d+$/),
        });
      }
    }
    // Each updated contact holds the department of the last accepted update of it, in both systems.
    for (const link of pairs) {
      const last = operations.filter((o) => o.mutation === 'updateContact' && o.linkId === link._id).at(-1);
      if (!last) continue;
      const expected = `Burst ${(last.idempotencyKey ?? '').slice('burst-'.length)}`;
      expect(await world.customerpRecord('Employee', link.customerp?.id as string)).toMatchObject({
        department: expected,
      });
      expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject({
        department: expected,
      });
    }
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '../../src/paths.js';
import type { WriteResult } from '../../src/writes/index.js';
import { isAlive } from '../support/processes.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Two outbox workers in two processes over one outbox: claiming an operation is one atomic
 * conditional update, so each parked operation is taken by one of them at a time and applied exactly
 * once on each system, however the two interleave.
 */

const PARKED = 100;

let world: WriteWorld;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // No upstream retries: with Crmoffice down, each create parks at once.
  world = await startWriteWorld('outbox processes', { retries: 0 });
});

afterAll(async () => {
  for (const child of children) if (child.pid && isAlive(child.pid)) child.kill('SIGKILL');
  await world.close();
});

/** A code no seeded product or company has. */
const codeOf = (index: number): string => `TWO-PROC-${String(index).padStart(3, '0')}`;

interface OutboxProcess {
  ready: Promise<void>;
  go(): void;
  claimed: Promise<number>;
}

function startOutboxProcess(owner: string): OutboxProcess {
  const child = spawn(
    process.execPath,
    ['--import', './test/support/register-typescript.js', 'test/writes/outbox-process.ts'],
    {
      cwd: projectRoot,
      env: {
        ...world.childEnv(),
        OUTBOX_OWNER: owner,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = new Promise<void>((resolve) =>
    child.stdout?.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), resolve())),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = (async () => {
    while (!stdout.includes('ready\n')) {
      await Promise.race([lines, exited]);
      if (child.exitCode !== null) throw new Error(`${owner} exited before it was ready: ${stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    ready,
    go: () => child.stdin?.write('go\n'),
    claimed: exited.then((code) => {
      const claimed = /claimed (\d+)/.exec(stdout)?.[1];
      if (code !== 0 || claimed === undefined) throw new Error(`${owner} exited ${code}: ${stderr.slice(-2000)}`);
      return Number(claimed);
    }),
  };
}

describe('OutboxWorker in two processes', () => {
  it('applies each of 100 parked creates exactly once on each system', async () => {
    await world.world.systems.resetStats();
    await world.world.systems.faults('crmoffice', { outage: true });
    const parked: WriteResult[] = [];
    for (let i = 0; i < PARKED; i++)
      parked.push(await world.writes.createCompany({ name: `Two processes ${i}`, code: codeOf(i) }));
    await world.world.systems.faults('crmoffice', {});
    for (const result of parked) {
      expect(result.writes).toEqual([
        { system: 'CUSTOMERP', state: 'APPLIED', error: null },
        { system: 'CRMOFFICE', state: 'PENDING', error: expect.any(String) },
      ]);
    }

    const workers = [startOutboxProcess('outbox-a'), startOutboxProcess('outbox-b')];
    await Promise.all(workers.map((w) => w.ready));
    for (const worker of workers) worker.go();
    const claims = await Promise.all(workers.map((w) => w.claimed));
    expect(claims.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(PARKED);

    // Exactly one create per operation on each system: no operation was applied twice.
    const { customerp, crmoffice } = await world.world.systems.stats();
    expect({
      customerp: customerp.fields['createProduct'] ?? 0,
      crmoffice: crmoffice.fields['createCompany'] ?? 0,
    }).toEqual({ customerp: PARKED, crmoffice: PARKED });
    expect(crmoffice.fields['deleteCompany'] ?? 0).toBe(0);
    const codes = Array.from({ length: PARKED }, (_, i) => codeOf(i));
    const companies = await world.world.systems.crmoffice.findByIdentity('Company', codes);
    expect(companies.map((c) => (c as { code: string }).code).sort()).toEqual(codes);

    const operations = (await world.allOperations()).filter((o) => parked.some((p) => p.operationId === o._id));
    expect(operations).toHaveLength(PARKED);
    for (const operation of operations) {
      expect({
        state: operation.state,
        customerp: operation.customerp.write,
        crmoffice: operation.crmoffice.write,
      }).toEqual({ state: 'APPLIED', customerp: 'APPLIED', crmoffice: 'APPLIED' });
      const link = await world.linkOf(operation.linkId);
      expect({ crmoffice: link.crmoffice?.id, state: link.state }).toEqual({
        crmoffice: operation.crmoffice.ref?.id,
        state: 'IN_SYNC',
      });
    }
  });
});

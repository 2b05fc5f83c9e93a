import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { PeriodicLoop } from '../../src/lifecycle/periodic-loop.js';

/** A task that counts its runs and how many ran at once, each taking `ms`. */
function countingTask(ms: number, fail: (run: number) => boolean = () => false) {
  const seen = { runs: 0, running: 0, maxRunning: 0 };
  const task = async (): Promise<number> => {
    seen.runs += 1;
    const run = seen.runs;
    seen.running += 1;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    await sleep(ms);
    seen.running -= 1;
    if (fail(run)) throw new Error(`run ${run} failed`);
    return run;
  };
  return { seen, task };
}

describe('PeriodicLoop', () => {
  it('runs again an interval after each run ends, never two at once, and stops with nothing in flight', async () => {
    const { seen, task } = countingTask(20);
    const loop = new PeriodicLoop({ name: 'test', intervalMs: 10 }, task);
    loop.start();
    await sleep(200);
    const joined = await Promise.all([loop.runNow(), loop.runNow()]);
    expect(joined[0]).toBe(joined[1]);
    await loop.stop();
    loop.markStopped();
    const runsAtStop = seen.runs;
    await sleep(100);
    expect(seen.runs).toBe(runsAtStop);
    expect(seen.runs).toBeGreaterThanOrEqual(4);
    expect(seen.maxRunning).toBe(1);
    expect(seen.running).toBe(0);
    expect(loop.phase).toEqual({ phase: 'stopped' });
  });

  it('keeps going after a scheduled run fails, and reports the failure of a run asked for', async () => {
    const { seen, task } = countingTask(5, (run) => run === 1 || run === 3);
    const loop = new PeriodicLoop({ name: 'test', intervalMs: 5 }, task);
    loop.start();
    while (seen.runs < 2) await sleep(5);
    await loop.stop();
    expect(seen.runs).toBeGreaterThanOrEqual(2);
    await expect(
      loop.runNow(async () => {
        throw new Error('asked-for run failed');
      }),
    ).rejects.toThrow('asked-for run failed');
  });

  it('waits for the run under way when stopped in the middle of it', async () => {
    const { seen, task } = countingTask(100);
    const loop = new PeriodicLoop({ name: 'test', intervalMs: 1000 }, task);
    loop.start();
    while (seen.running === 0) await sleep(5);
    await loop.stop();
    expect(seen.running).toBe(0);
    expect(seen.runs).toBe(1);
  });

  it('wake() runs the next pass at once while waiting, once more after a run it came during, and never after stop', async () => {
    const { seen, task } = countingTask(30);
    const loop = new PeriodicLoop({ name: 'test', intervalMs: 3_600_000 }, task);
    loop.wake(); // before start: nothing
    await sleep(20);
    expect(seen.runs).toBe(0);
    loop.start();
    while (seen.runs < 1 || seen.running > 0) await sleep(5);
    expect(loop.phase.phase).toBe('waiting');
    loop.wake(); // waiting an hour: runs now
    while (seen.runs < 2) await sleep(5);
    // Woken 10 times during that run: exactly one more run follows it, then the hour's wait.
    for (let i = 0; i < 10; i++) loop.wake();
    while (seen.runs < 3 || seen.running > 0) await sleep(5);
    await sleep(60);
    expect(seen.runs).toBe(3);
    expect(seen.maxRunning).toBe(1);
    await loop.stop();
    loop.markStopped();
    loop.wake();
    await sleep(60);
    expect(seen.runs).toBe(3);
  });
});

import { describe, expect, it } from '@jest/globals';
import { FaultInjector, parseFaultSettings } from '../../../src/reference/core/index.js';

describe('FaultInjector', () => {
  it('serves everything when no fault is set', () => {
    const faults = new FaultInjector();
    expect(faults.judge()).toEqual({ kind: 'serve', delayMs: 0 });
  });

  it('answers 503 during an outage, after the injected latency', () => {
    const faults = new FaultInjector({ outage: true, latencyMs: 20 });
    expect(faults.judge()).toEqual({
      kind: 'reject',
      status: 503,
      delayMs: 20,
      message: 'service unavailable (outage)',
    });
  });

  it('lets rateLimitPerSec requests through per second and answers 429 with Retry-After beyond', () => {
    const faults = new FaultInjector({ rateLimitPerSec: 2 });
    const verdicts = [faults.judge(10_000), faults.judge(10_100), faults.judge(10_200), faults.judge(11_001)];
    expect(verdicts.map((v) => (v.kind === 'serve' ? 200 : v.status))).toEqual([200, 200, 429, 200]);
    expect(verdicts[2]).toMatchObject({ retryAfterSeconds: 1 });
  });

  it('fails the configured share of requests with 500', () => {
    const draws = [0.1, 0.6, 0.2, 0.9];
    const faults = new FaultInjector({ errorRate: 0.5 }, () => draws.shift() ?? 0);
    expect([1, 2, 3, 4].map(() => faults.judge().kind)).toEqual(['reject', 'serve', 'reject', 'serve']);
  });

  it('clears every fault when given {}', () => {
    const faults = new FaultInjector({ outage: true, errorRate: 1 });
    faults.set({});
    expect(faults.current).toEqual({ latencyMs: 0, errorRate: 0, outage: false, rateLimitPerSec: 0 });
  });
});

describe('parseFaultSettings', () => {
  it('names the first bad field', () => {
    expect(parseFaultSettings({ errorRate: 2 })).toBe('errorRate must be a number from 0 to 1');
    expect(parseFaultSettings({ outage: 'yes' })).toBe('outage must be a boolean');
    expect(parseFaultSettings({ latency: 5 })).toBe('unknown fault setting latency');
    expect(parseFaultSettings({ latencyMs: 5, outage: true })).toEqual({ latencyMs: 5, outage: true });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../src/errors.js';
import { EmployeesByIdsDocument, UpdateEmployeeDocument } from '../../src/generated/customerp-client.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient, type UpstreamRequestEvent } from '../../src/upstreams/index.js';

describe('UpstreamClient', () => {
  let server: RunningReferenceServer;
  let events: UpstreamRequestEvent[];
  const client = (options: { timeoutMs?: number; retries?: number } = {}) => {
    const made = new UpstreamClient({
      system: 'CUSTOMERP',
      url: server.url,
      baseDelayMs: 10,
      maxDelayMs: 50,
      ...options,
    });
    made.observe((event) => events.push(event));
    return made;
  };

  beforeAll(async () => {
    server = await startCustomerp({ seed: 'demo' });
  });

  beforeEach(() => {
    events = [];
    server.faults.set({});
  });

  afterAll(() => server.close());

  it('reads through one HTTP request when the system is healthy', async () => {
    const result = await client().query(EmployeesByIdsDocument, { ids: ['emp-1', 'nope'] });
    expect(result.employees.nodes.map((n) => n?.id ?? null)).toEqual(['emp-1', null]);
    expect(events.map((e) => [e.operation, e.outcome, e.attempt])).toEqual([['EmployeesByIds', 'ok', 1]]);
  });

  it('gives up after the timeout with UPSTREAM_UNAVAILABLE naming the system, never its URL', async () => {
    server.faults.set({ latencyMs: 400 });
    const started = Date.now();
    const error = await client({ timeoutMs: 100, retries: 0 })
      .query(EmployeesByIdsDocument, { ids: ['emp-1'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as UpstreamUnavailableError).extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      system: 'CUSTOMERP',
    });
    expect((error as Error).message).toBe('CUSTOMERP is unavailable: no answer within 100 ms');
    expect((error as Error).message).not.toContain('127.0.0.1');
    expect(Date.now() - started).toBeLessThan(350);
  });

  it('retries a read after a 5xx and counts every attempt', async () => {
    server.faults.set({ outage: true });
    const error = await client({ retries: 2 })
      .query(EmployeesByIdsDocument, { ids: ['emp-1'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(events.map((e) => [e.outcome, e.attempt])).toEqual([
      ['unavailable', 1],
      ['unavailable', 2],
      ['unavailable', 3],
    ]);
    expect(server.stats().rejected).toBeGreaterThanOrEqual(3);
  });

  it('waits as long as Retry-After says on HTTP 429, then succeeds', async () => {
    server.faults.set({ rateLimitPerSec: 1 });
    const made = client({ retries: 1 });
    await made.query(EmployeesByIdsDocument, { ids: ['emp-1'] });
    const started = Date.now();
    await made.query(EmployeesByIdsDocument, { ids: ['emp-2'] });
    expect(events.map((e) => e.outcome)).toEqual(['ok', 'unavailable', 'ok']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200); // the rest of the rate window, at least
  });

  it('does not retry a write unless told it is idempotent', async () => {
    server.faults.set({ errorRate: 1 });
    await expect(
      client({ retries: 3 }).mutate(UpdateEmployeeDocument, {
        id: 'emp-1',
        input: { department: 'X' },
        expectedVersion: null,
      }),
    ).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(events).toHaveLength(1);
  });

  it('reports a refusal of the system itself as UpstreamRejectedError with its code and field, without retrying', async () => {
    const made = client({ retries: 3 });
    const stale = await made
      .mutate(UpdateEmployeeDocument, { id: 'emp-1', input: { department: 'X' }, expectedVersion: 999 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(UpstreamRejectedError);
    expect((stale as UpstreamRejectedError).isConcurrencyConflict).toBe(true);
    const invalid = await made
      .mutate(UpdateEmployeeDocument, { id: 'emp-1', input: { email: 'not an email' } })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ upstreamCode: 'BAD_USER_INPUT', field: 'email', isConcurrencyConflict: false });
    expect(events.map((e) => e.outcome)).toEqual(['rejected', 'rejected']);
  });
});

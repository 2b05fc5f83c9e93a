import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { startOpsWorld, type OpsWorld } from './ops-world.js';

// Metrics by convention (issue #14): the exposition parses with a Prometheus text-format parser no one
// here wrote, durations and lags are in seconds, and a client cannot grow the number of series by
// naming its operations.

let ops: OpsWorld;

beforeAll(async () => {
  ops = await startOpsWorld('metrics labels');
  await ops.syncPass();
});

afterAll(() => ops.close());

async function families(): Promise<Map<string, ParsedFamily>> {
  const text = await (await fetch(`${ops.gateway.origin}/metrics`)).text();
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
}

function operationLabels(all: Map<string, ParsedFamily>): Set<string> {
  const samples = all.get('gateway_graphql_operations_total')?.metrics ?? [];
  return new Set(samples.map((sample) => sample.labels?.['operation'] ?? ''));
}

describe('GET /metrics by convention', () => {
  it('adds at most one operation label value for 150 requests with random operation names', async () => {
    expect((await ops.graphql('query SyncStatus { syncStatus { openConflicts } }')).errors).toBeUndefined();
    const before = operationLabels(await families());
    for (let i = 0; i < 150; i += 1) {
      const name = `Random_${randomBytes(6).toString('hex')}`;
      expect((await ops.graphql(`query ${name} { health { status } }`)).errors).toBeUndefined();
    }
    const after = operationLabels(await families());
    const added = [...after].filter((label) => !before.has(label));
    expect(added.length).toBeLessThanOrEqual(1);
    expect([...after].filter((label) => label.startsWith('Random_'))).toEqual([]);
    expect(after.has('SyncStatus')).toBe(true); // a saved example keeps its own series
    const other = (await families())
      .get('gateway_graphql_operations_total')
      ?.metrics.find((s) => s.labels?.['operation'] === 'other' && s.labels['outcome'] === 'ok');
    expect(Number(other?.value)).toBeGreaterThanOrEqual(150);
  });

  it('names each feed the same in /metrics as in the API (and so on the status page, which shows FeedStatus.feed)', async () => {
    const { syncStatus } = await ops.data<{ syncStatus: { feeds: { feed: string }[] } }>(
      '{ syncStatus { feeds { feed } } }',
    );
    const inApi = syncStatus.feeds.map((f) => f.feed).sort();
    expect(inApi).toContain('customerp:EMPLOYEE');
    expect(inApi).toHaveLength(7);
    const labelled = (await families()).get('gateway_sync_lag_seconds')?.metrics ?? [];
    expect([...new Set(labelled.map((s) => s.labels?.['feed']))].sort()).toEqual(inApi);
  });

  it('exports durations and lags in seconds, under _seconds names', async () => {
    const all = await families();
    const timed = [...all.keys()].filter((name) => /duration|lag|latency/.test(name));
    expect(timed.length).toBeGreaterThanOrEqual(4);
    for (const name of timed) expect(name).toMatch(/_seconds(_total)?$/);
    // The values are the cursors' milliseconds / 1000: test/ops/metrics.test.ts checks each feed's.
    expect((all.get('gateway_sync_lag_seconds')?.metrics ?? []).length).toBeGreaterThan(0);
  });
});

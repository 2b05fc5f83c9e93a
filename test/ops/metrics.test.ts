import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId } from '../../src/links/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { editRecord, pairsOf, type Pair } from '../support/edits.js';
import { deltas, sampleKey, scrape } from './prometheus.js';
import { startOpsWorld, type OpsWorld } from './ops-world.js';

// GET /metrics moves by exactly what happened: a known sequence of GraphQL operations, edits in the
// systems, sync passes and a write left for the outbox, each followed by a scrape.

let ops: OpsWorld;
let employees: Pair[];

beforeAll(async () => {
  ops = await startOpsWorld('metrics');
  await ops.syncPass(); // the backfill's own echoes settle, so the next pass sees only this test's edits
  employees = await pairsOf(ops.world.links, 'Contact', 'EMPLOYEE');
});

afterAll(() => ops.close());

const TWO_CONTACTS =
  'query TwoContacts { contacts(first: 2, filter: { kind: EMPLOYEE }) { nodes { fullName customerp { __typename } crmoffice { id } } } }';
const BAD_ID = 'query BadId { node(id: "nope") { id } }';

describe('GET /metrics', () => {
  it('counts GraphQL operations by name and outcome, and every upstream request and MongoDB command they cost', async () => {
    await ops.world.systems.resetStats();
    const before = await scrape(ops.gateway.origin);
    const commands = countCommands(ops.world.database.client);

    expect((await ops.graphql(TWO_CONTACTS)).errors).toBeUndefined();
    expect((await ops.graphql(TWO_CONTACTS)).errors).toBeUndefined();
    expect((await ops.graphql(BAD_ID)).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

    const after = await scrape(ops.gateway.origin);
    commands.stop();
    const stats = await ops.world.systems.stats();

    expect(
      deltas(before, after, ['gateway_graphql_operations_total', 'gateway_graphql_operation_duration_seconds_count']),
    ).toEqual({
      [sampleKey('gateway_graphql_operations_total', { operation: 'TwoContacts', outcome: 'ok' })]: 2,
      [sampleKey('gateway_graphql_operations_total', { operation: 'BadId', outcome: 'error' })]: 1,
      [sampleKey('gateway_graphql_operation_duration_seconds_count', { operation: 'TwoContacts' })]: 2,
      [sampleKey('gateway_graphql_operation_duration_seconds_count', { operation: 'BadId' })]: 1,
    });
    // A page costs one batched read per system (DataLoader); a bad id costs none.
    expect(
      deltas(before, after, ['gateway_upstream_requests_total', 'gateway_upstream_request_duration_seconds_count']),
    ).toEqual({
      [sampleKey('gateway_upstream_requests_total', {
        system: 'CUSTOMERP',
        operation: 'EmployeesByIds',
        outcome: 'ok',
      })]: 2,
      [sampleKey('gateway_upstream_requests_total', {
        system: 'CRMOFFICE',
        operation: 'ContactsByIds',
        outcome: 'ok',
      })]: 2,
      [sampleKey('gateway_upstream_request_duration_seconds_count', { system: 'CUSTOMERP' })]: 2,
      [sampleKey('gateway_upstream_request_duration_seconds_count', { system: 'CRMOFFICE' })]: 2,
    });
    // …which is exactly what the systems say they served.
    expect({ customerp: stats.customerp.requests, crmoffice: stats.crmoffice.requests }).toEqual({
      customerp: 2,
      crmoffice: 2,
    });
    // Every MongoDB command the client sent is timed once, by command name…
    const sent: Record<string, number> = {};
    for (const name of commands.names()) {
      const key = sampleKey('gateway_mongodb_command_duration_seconds_count', { command: name, outcome: 'ok' });
      sent[key] = (sent[key] ?? 0) + 1;
    }
    expect(deltas(before, after, ['gateway_mongodb_command_duration_seconds_count'])).toEqual(sent);
    // One link page per query (no totalCount asked), and the scrape's reads of the cursors and the outbox.
    expect(sent).toEqual({
      [sampleKey('gateway_mongodb_command_duration_seconds_count', { command: 'find', outcome: 'ok' })]: 3,
      [sampleKey('gateway_mongodb_command_duration_seconds_count', { command: 'aggregate', outcome: 'ok' })]: 1,
    });
  });

  it('counts what a sync pass applied, suppressed as echoes and found in conflict, per feed', async () => {
    const [edited, editedInCrm, contested] = employees as [Pair, Pair, Pair];
    await editRecord(ops.world.systems.customerp, 'Employee', edited.customerp.id, { firstName: 'Metrica' });
    await editRecord(ops.world.systems.crmoffice, 'Contact', editedInCrm.crmoffice.id, { title: 'Counter' });
    await editRecord(ops.world.systems.customerp, 'Employee', contested.customerp.id, { jobTitle: 'Left' });
    await new Promise((resolve) => setTimeout(resolve, 5)); // Crmoffice's edit is the newer one: its value is kept
    await editRecord(ops.world.systems.crmoffice, 'Contact', contested.crmoffice.id, { title: 'Right' });
    const before = await scrape(ops.gateway.origin);
    const COUNTERS = [
      'gateway_sync_changes_applied_total',
      'gateway_sync_echoes_suppressed_total',
      'gateway_sync_conflicts_total',
      'gateway_sync_writes_total',
    ];
    const applied = (feed: string) => sampleKey('gateway_sync_changes_applied_total', { feed });
    const echoes = (feed: string) => sampleKey('gateway_sync_echoes_suppressed_total', { feed });
    const updated = (feed: string) => sampleKey('gateway_sync_writes_total', { feed, kind: 'updated' });

    await ops.syncPass();
    const afterFirst = await scrape(ops.gateway.origin);
    expect(deltas(before, afterFirst, COUNTERS)).toEqual({
      // Customerp's feed: the two edited employees; each was written to the other side (the contested
      // one to Customerp, with Crmoffice's newer title kept) and one conflict recorded.
      [applied('customerp:EMPLOYEE')]: 2,
      [updated('customerp:EMPLOYEE')]: 2,
      [sampleKey('gateway_sync_conflicts_total', { feed: 'customerp:EMPLOYEE' })]: 1,
      // Crmoffice's feed: the edit made there (written to Customerp), the contested edit (already
      // merged) and the echo of our own write of the first employee: two need no write.
      [applied('crmoffice:CONTACTS')]: 3,
      [updated('crmoffice:CONTACTS')]: 1,
      [echoes('crmoffice:CONTACTS')]: 2,
      // The two demo links that wait on something are retried every pass, writing nothing.
      [applied('pending')]: 2,
    });

    // The next pass reads the echoes of the two writes to Customerp, and writes nothing.
    await ops.syncPass();
    const afterSecond = await scrape(ops.gateway.origin);
    expect(deltas(afterFirst, afterSecond, COUNTERS)).toEqual({
      [applied('customerp:EMPLOYEE')]: 2,
      [echoes('customerp:EMPLOYEE')]: 2,
      [applied('pending')]: 2,
    });

    // The lag gauge is each feed's lag as its cursor says.
    const cursors = await ops.world.database.db
      .collection<{ _id: string; lagMs: number | null }>('sync_cursors')
      .find({})
      .toArray();
    for (const cursor of cursors) {
      if (cursor.lagMs !== null)
        expect([cursor._id, afterSecond.get(sampleKey('gateway_sync_lag_seconds', { feed: cursor._id }))]).toEqual([
          cursor._id,
          cursor.lagMs / 1000,
        ]);
    }
    expect(cursors.filter((c) => c.lagMs !== null).length).toBeGreaterThanOrEqual(2);
  });

  it('shows the writes waiting in the outbox, and drops them once the outbox has applied them', async () => {
    const target = employees[3] as Pair;
    const before = await scrape(ops.gateway.origin);
    await ops.world.systems.faults('crmoffice', { outage: true });
    let answer;
    try {
      answer = await ops.graphql<{ updateContact: { writes: { system: string; state: string }[] } }>(
        'mutation Outboxed($id: ID!) { updateContact(id: $id, input: { title: "Outboxed" }) { writes { system state } } }',
        { id: encodeUnifiedId('Contact', target.linkId) },
      );
    } finally {
      await ops.world.systems.faults('crmoffice', {});
    }
    expect(answer).toEqual({
      data: {
        updateContact: {
          writes: [
            { system: 'CUSTOMERP', state: 'APPLIED' },
            { system: 'CRMOFFICE', state: 'PENDING' },
          ],
        },
      },
    });
    const waiting = await scrape(ops.gateway.origin);
    expect([before.get('gateway_outbox_pending_operations'), waiting.get('gateway_outbox_pending_operations')]).toEqual(
      [0, 1],
    );
    expect(deltas(before, waiting, ['gateway_graphql_operations_total'])).toEqual({
      [sampleKey('gateway_graphql_operations_total', { operation: 'Outboxed', outcome: 'ok' })]: 1,
    });
    // It read both records (Crmoffice's read failing), wrote Customerp, and left Crmoffice's write to the outbox.
    expect(deltas(before, waiting, ['gateway_upstream_requests_total{'])).toEqual({
      [sampleKey('gateway_upstream_requests_total', {
        system: 'CUSTOMERP',
        operation: 'EmployeesByIds',
        outcome: 'ok',
      })]: 1,
      [sampleKey('gateway_upstream_requests_total', {
        system: 'CUSTOMERP',
        operation: 'UpdateEmployee',
        outcome: 'ok',
      })]: 1,
      [sampleKey('gateway_upstream_requests_total', {
        system: 'CRMOFFICE',
        operation: 'ContactsByIds',
        outcome: 'unavailable',
      })]: 1,
    });

    await new Promise((resolve) => setTimeout(resolve, 60)); // the retry's backoff
    await ops.syncPass(); // the outbox runs after the pass
    const applied = await scrape(ops.gateway.origin);
    expect(applied.get('gateway_outbox_pending_operations')).toBe(0);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startGatewayWorld, type GatewayAnswerError, type GatewayWorld } from './gateway-world.js';

// One system down or slow: the answer still carries everything MongoDB and the other system give,
// with one UPSTREAM_UNAVAILABLE error per field that needed the missing system.

const TIMEOUT_MS = 500;

let w: GatewayWorld;

beforeAll(async () => {
  w = await startGatewayWorld('partial failure', { timeoutMs: TIMEOUT_MS, retries: 0 });
});

afterEach(async () => {
  await w.world.systems.faults('customerp', {});
  await w.world.systems.faults('crmoffice', {});
});

afterAll(async () => {
  await w.close();
});

const QUERY = `{
  contacts(first: 100) {
    totalCount
    nodes {
      id kind firstName email mobile address { city }
      customerp { __typename ... on CustomerpEmployee { id } ... on CustomerpContact { id } }
      crmoffice { id }
      company { id }
      link { customerp { id } crmoffice { id } }
      sync { state }
      activities(first: 50) {
        totalCount
        nodes { id subject owner { id } customerp { id } crmoffice { id } link { customerp { id } crmoffice { id } } }
      }
    }
  }
}`;

type System = 'CUSTOMERP' | 'CRMOFFICE';
type Sides = { customerp: unknown; crmoffice: unknown };
type Path = (string | number)[];
interface ActivityNode {
  link: Sides;
  [field: string]: unknown;
}
interface ContactNode {
  link: Sides;
  activities: { nodes: ActivityNode[] };
  [field: string]: unknown;
}
interface Answer {
  contacts: { totalCount: number; nodes: ContactNode[] };
}

/**
 * What `down` being unavailable must cost, from the healthy answer: the side fields of that system
 * (where the link has that side), Contact.company (Crmoffice's companyId), and the unified values of
 * records that have no side on the system still up.
 */
function expectedFailure(healthy: Answer, down: System): { data: Answer; paths: Path[] } {
  const data = structuredClone(healthy);
  const paths: Path[] = [];
  const downSide = down === 'CUSTOMERP' ? 'customerp' : 'crmoffice';
  const upSide = down === 'CUSTOMERP' ? 'crmoffice' : 'customerp';
  const fail = (node: Record<string, unknown>, path: Path, field: string): void => {
    node[field] = null;
    paths.push([...path, field]);
  };
  data.contacts.nodes.forEach((contact, i) => {
    const path = ['contacts', 'nodes', i];
    const needed = contact.link[downSide] !== null;
    if (contact.link[upSide] === null)
      for (const field of ['firstName', 'email', 'mobile', 'address']) fail(contact, path, field);
    if (needed) fail(contact, path, downSide);
    if (down === 'CRMOFFICE' && needed) fail(contact, path, 'company');
    contact.activities.nodes.forEach((activity, j) => {
      const at = [...path, 'activities', 'nodes', j];
      if (activity.link[upSide] === null) for (const field of ['subject', 'owner']) fail(activity, at, field);
      if (activity.link[downSide] !== null) fail(activity, at, downSide);
    });
  });
  return { data, paths };
}

function pathsOf(errors: GatewayAnswerError[]): string[] {
  return errors.map((e) => JSON.stringify(e.path)).sort();
}

describe('partial failure', () => {
  let healthy: Answer;

  beforeAll(async () => {
    healthy = await w.data<Answer>(QUERY);
    const kinds = new Set(healthy.contacts.nodes.map((c) => c['kind']));
    expect([...kinds].sort()).toEqual(['CRM_ONLY', 'CUSTOMER_CONTACT', 'EMPLOYEE']);
  });

  for (const [down, fault] of [
    ['CRMOFFICE', { outage: true }],
    ['CUSTOMERP', { outage: true }],
    ['CRMOFFICE', { latencyMs: 1500 }],
    ['CUSTOMERP', { latencyMs: 1500 }],
  ] as const) {
    const how = 'outage' in fault ? 'is down' : `answers after ${fault.latencyMs} ms (timeout ${TIMEOUT_MS} ms)`;
    it(`answers with everything else and one UPSTREAM_UNAVAILABLE per missing field when ${down} ${how}`, async () => {
      const healthyStart = performance.now();
      await w.data<Answer>(QUERY);
      const healthyElapsed = performance.now() - healthyStart;
      await w.world.systems.faults(down === 'CUSTOMERP' ? 'customerp' : 'crmoffice', fault);
      const started = performance.now();
      const answer = await w.query<Answer>(QUERY);
      const elapsed = performance.now() - started;

      const expected = expectedFailure(healthy, down);
      expect(answer.data).toEqual(expected.data);
      expect(pathsOf(answer.errors ?? [])).toEqual(expected.paths.map((p) => JSON.stringify(p)).sort());
      // The reason is the upstream client's wording (HTTP 503, a timeout); the code and system are the contract.
      const message =
        'outage' in fault
          ? `${down} is unavailable: HTTP 503`
          : expect.stringMatching(new RegExp(`^${down} is unavailable: `));
      for (const error of answer.errors ?? []) {
        expect(error).toEqual({
          message,
          locations: expect.any(Array),
          path: expect.any(Array),
          extensions: { code: 'UPSTREAM_UNAVAILABLE', system: down },
        });
      }
      // Both kinds of records lost something, and neither URLs nor stack traces leak.
      expect(expected.paths.length).toBeGreaterThan(20);
      const text = JSON.stringify(answer);
      for (const leak of [
        'http://',
        '127.0.0.1',
        'stacktrace',
        // As an address has it: the bare number can stand inside a phone number of the data.
        `:${w.world.systems.customerpServer.port}`,
        `:${w.world.systems.crmofficeServer.port}`,
      ]) {
        expect(text).not.toContain(leak);
      }
      // One timeout at most, however deep the query: later reads of a failed system fail at once.
      // (A second timeout would take TIMEOUT_MS more than the healthy answer took.)
      expect(elapsed).toBeLessThan(healthyElapsed + TIMEOUT_MS + 300);
      // Let the slow answers drain, so that no request outlives the suite.
      if ('latencyMs' in fault) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs - elapsed + 50));
    });
  }

  it('serves a record whose only system is down with an error on each of its fields, and MongoDB facts intact', async () => {
    const crmOnly = healthy.contacts.nodes.find((c) => c['kind'] === 'CRM_ONLY')!;
    await w.world.systems.faults('crmoffice', { outage: true });
    const answer = await w.query(
      'query($id: ID!) { contact(id: $id) { id kind fullName link { crmoffice { type id } } sync { state } } }',
      { id: crmOnly['id'] },
    );
    expect(answer).toEqual({
      data: {
        contact: {
          id: crmOnly['id'],
          kind: 'CRM_ONLY',
          fullName: null,
          link: { crmoffice: { type: 'Contact', id: (crmOnly.link.crmoffice as { id: string }).id } },
          sync: { state: 'IN_SYNC' },
        },
      },
      errors: [
        {
          message: 'CRMOFFICE is unavailable: HTTP 503',
          locations: [{ line: 1, column: 46 }],
          path: ['contact', 'fullName'],
          extensions: { code: 'UPSTREAM_UNAVAILABLE', system: 'CRMOFFICE' },
        },
      ],
    });
  });
});

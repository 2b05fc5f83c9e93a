import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ActivitiesByOwnerContactIdsDocument,
  CompaniesByCodesDocument,
  ContactsByEmailsDocument,
} from '../../../src/generated/crmoffice-client.js';
import { demoMatches, demoSizeOf, demoWorld, type RunningReferenceServer } from '../../../src/reference/core/index.js';
import { seedCrmoffice, startCrmoffice } from '../../../src/reference/crmoffice/index.js';
import { send } from './adapter.js';
import { postGraphQL, type GraphQLAnswer } from './graphql.js';

const size = demoSizeOf(100_000);
const world = demoWorld(size);
const count = (n: number, match: (i: number) => boolean): number =>
  Array.from({ length: n }, (_, i) => i).filter(match).length;

/** Filtered reads must answer well inside the gateway's upstream timeout (3 s) even at this size. */
const FAST_MS = 1000;

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

describe('Crmoffice seeded with a world of 100,000 records', () => {
  let server: RunningReferenceServer;

  beforeAll(async () => {
    server = await startCrmoffice({ seed: size });
  });

  afterAll(async () => {
    await server.close();
  });

  it('seeds in at most a couple of seconds', () => {
    // CPU time, not wall time: other test workers on the machine must not make this fail.
    const before = process.cpuUsage();
    seedCrmoffice(size);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(2500);
  });

  it('holds the contacts the demo world calls for', async () => {
    const expected =
      count(size.employees, (i) => demoMatches.employee(i) && i !== demoMatches.ambiguousEmployee) +
      2 +
      count(size.customerContacts, demoMatches.customerContact) +
      size.crmOnlyContacts;
    let total = 0;
    let after: string | null = null;
    for (;;) {
      const answer: GraphQLAnswer<{
        contacts: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      }> = await postGraphQL(
        server.url,
        'query($after: String) { contacts(first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
        {
          after,
        },
      );
      const contacts = answer.data!.contacts;
      total += contacts.nodes.length;
      if (!contacts.pageInfo.hasNextPage) break;
      after = contacts.pageInfo.endCursor;
    }
    expect(total).toBe(expected);
  });

  it('answers 1000 e-mails in one request quickly', async () => {
    // Every third employee from the end of the list: their contacts are among the last created.
    const employees = world.employees
      .map((person, i) => ({ person, i }))
      .filter(({ i }) => i % 3 === 0)
      .slice(-1000);
    const emails = employees.map(({ person }) => person.email);
    const { result, ms } = await timed(() => send(server.url, ContactsByEmailsDocument, { emails, first: 1000 }));
    expect(result.contacts.nodes.map((c) => c?.email)).toEqual(emails.map((email) => email.toUpperCase()));
    expect(result.contacts.pageInfo.hasNextPage).toBe(false);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('answers 1000 codes in one request quickly', async () => {
    const codes = world.crmOnlyCompanies.slice(-1000).map((company) => company.sku);
    const { result, ms } = await timed(() => send(server.url, CompaniesByCodesDocument, { codes, first: 1000 }));
    expect(result.companies.nodes.map((c) => c?.code)).toEqual(codes);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('pages the activities of 1000 owners quickly', async () => {
    const ownerContactIds = Array.from({ length: 1000 }, (_, i) => `c-${20_000 + i}`);
    const { result, ms } = await timed(() =>
      send(server.url, ActivitiesByOwnerContactIdsDocument, { ownerContactIds, first: 100 }),
    );
    expect(result.activities.nodes).toHaveLength(100);
    expect(result.activities.nodes.every((a) => a !== null && ownerContactIds.includes(a.ownerContactId ?? ''))).toBe(
      true,
    );
    expect(ms).toBeLessThan(FAST_MS);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { SCOPES, type Authenticate, type Scope } from '../../src/auth/principal.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { encodeUnifiedId } from '../../src/links/index.js';
import { editRecord, pairsOf, type Pair } from '../support/edits.js';
import { waitUntil } from '../support/sync-process.js';
import { subscribe, subscriptionClient, type LiveSubscription } from '../support/subscriptions.js';
import { upstreamClientsOf } from '../support/world.js';
import { startGatewayWorld, type GatewayWorld } from './gateway-world.js';
import { gatewayProcesses } from './support/gateway-processes.js';

// Subscriptions (issue #15, part 2): contactChanged / companyChanged / activityChanged over graphql-ws
// on /graphql, fed by the change log every gateway process shares in MongoDB.

const CONTACT_CHANGED = `subscription Live($ids: [ID!], $kinds: [ContactKind!]) {
  contactChanged(ids: $ids, kinds: $kinds) { id change fields contact { id kind title email } }
}`;

interface ContactChanged {
  contactChanged: {
    id: string;
    change: string;
    fields: string[];
    contact: { id: string; kind: string; title: string | null; email: string | null } | null;
  };
}

/** Test credentials: `Bearer test:<name>` is the API key of `<name>`; `reader` may read contacts only, `companies` companies only, anyone else has every scope. */
const SCOPES_OF: Record<string, readonly Scope[]> = {
  reader: ['contacts:read'],
  companies: ['companies:read'],
};
const authenticate: Authenticate = async (authorization) => {
  const name = /^Bearer test:([a-z]+)$/.exec(authorization ?? '')?.[1];
  if (!name) throw new UnauthenticatedError();
  return { subject: `test:${name}`, kind: 'api-key', scopes: new Set(SCOPES_OF[name] ?? SCOPES) };
};

let gw: GatewayWorld;
/** A second gateway over the same world, with authentication and small connection limits. */
let guarded: RunningGateway;
let employees: Pair[];
let customers: Pair[];
const clients: Client[] = [];
const processes = gatewayProcesses();

beforeAll(async () => {
  gw = await startGatewayWorld('gateway subscriptions');
  employees = await pairsOf(gw.world.links, 'Contact', 'EMPLOYEE');
  customers = await pairsOf(gw.world.links, 'Contact', 'CUSTOMER_CONTACT');
  guarded = await startGateway({
    dependencies: { db: gw.world.database.db, ...upstreamClientsOf(gw.world) },
    mode: 'test',
    authenticate,
    subscriptions: { connectionsPerCaller: 2, subscriptionsPerConnection: 2 },
    // Counted per connection: a caller may open three in the window, no more.
    rateLimit: { points: 3, windowSeconds: 600 },
  });
});

// Each test starts with no subscription left from the one before (a stopped one ends a moment later).
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await waitUntil(
    () => gw.gateway.subscriptions === 0 && guarded.subscriptions === 0,
    20_000,
    () => `subscriptions left: ${gw.gateway.subscriptions} and ${guarded.subscriptions}`,
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await processes.stopAll();
  await guarded.close();
  await gw.close();
});

/** A client of `url` that the suite disposes of at the end. */
function clientOf(url: string, authorization?: string): Client {
  const client = subscriptionClient(url, authorization);
  clients.push(client);
  return client;
}

/** Subscribes and waits until `gateway` (or the URL's /metrics) serves it. */
async function live(
  gateway: { subscriptions: number } | string,
  client: Client,
  variables: Record<string, unknown>,
): Promise<LiveSubscription<ContactChanged>> {
  const count = async () => (typeof gateway === 'string' ? await servedBy(gateway) : gateway.subscriptions);
  const before = await count();
  const subscription = subscribe<ContactChanged>(client, CONTACT_CHANGED, variables);
  await waitUntil(
    async () => (await count()) > before || subscription.ending !== null,
    20_000,
    () => 'not subscribed',
  );
  return subscription;
}

/** `gateway_subscriptions` in the /metrics of a gateway's /graphql URL. */
async function servedBy(graphqlUrl: string): Promise<number> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^gateway_subscriptions (\d+)$/m.exec(text)?.[1] ?? NaN);
}

const idOf = (pair: Pair) => encodeUnifiedId('Contact', pair.linkId);

/** A sync pass that applies what the systems hold, and one that reads back its own writes (echoes). */
async function syncTwice(): Promise<void> {
  await gw.world.engine.runOnce();
  await gw.world.engine.runOnce();
}

/**
 * What `subscribers` subscribers of `edited` and `marker` receive when `change` sets `edited`'s title
 * to "Changed", sync applies it and reads its own writes back, and then `change` sets `marker`'s to
 * "Marker": any second event for the first change would be recorded, and arrive, before the marker's.
 */
async function eventsUntilMarker(
  edited: Pair,
  marker: Pair,
  subscribers: number,
  change: (pair: Pair, title: string) => Promise<unknown>,
) {
  const subscriptions = await Promise.all(
    Array.from({ length: subscribers }, () =>
      live(gw.gateway, clientOf(gw.gateway.url), { ids: [idOf(edited), idOf(marker)] }),
    ),
  );
  await change(edited, 'Changed');
  await syncTwice();
  await change(marker, 'Marker');
  await gw.world.engine.runOnce();
  const events = [];
  for (const subscription of subscriptions) {
    events.push(await subscription.received(2));
    subscription.stop();
  }
  return events;
}

/** What a test compares of an event: whose, which change, which fields, the title it shows. */
function summary(event: { data?: ContactChanged | null }) {
  const changed = event.data?.contactChanged;
  return [changed?.id, changed?.change, changed?.fields, changed?.contact?.title ?? null];
}

describe('subscriptions over graphql-ws', () => {
  it('sends each of 10 concurrent subscribers exactly one event for one edit made directly in Customerp, with the field it changed and the record as it is now', async () => {
    const events = await eventsUntilMarker(employees[0]!, employees[1]!, 10, (pair, title) =>
      editRecord(gw.world.systems.customerp, 'Employee', pair.customerp.id, { jobTitle: title }),
    );
    for (const received of events) {
      expect(received.map(summary)).toEqual([
        [idOf(employees[0]!), 'UPDATED', ['title'], 'Changed'],
        [idOf(employees[1]!), 'UPDATED', ['title'], 'Marker'],
      ]);
    }
  });

  it('sends exactly one event for one edit made directly in Crmoffice', async () => {
    const [events] = await eventsUntilMarker(employees[2]!, employees[3]!, 1, (pair, title) =>
      editRecord(gw.world.systems.crmoffice, 'Contact', pair.crmoffice.id, { title }),
    );
    expect(events!.map(summary)).toEqual([
      [idOf(employees[2]!), 'UPDATED', ['title'], 'Changed'],
      [idOf(employees[3]!), 'UPDATED', ['title'], 'Marker'],
    ]);
  });

  it('sends exactly one event for one mutation, however many writes it took, and none for the sync passes that read it back', async () => {
    const update = `mutation($id: ID!, $title: String) { updateContact(id: $id, input: { title: $title }) { writes { state } } }`;
    const [events] = await eventsUntilMarker(employees[4]!, employees[5]!, 1, (pair, title) =>
      gw.data(update, { id: idOf(pair), title }),
    );
    expect(events!.map(summary)).toEqual([
      [idOf(employees[4]!), 'UPDATED', ['title'], 'Changed'],
      [idOf(employees[5]!), 'UPDATED', ['title'], 'Marker'],
    ]);
  });

  it('filters by kind: a CUSTOMER_CONTACT subscriber hears of customer contacts only', async () => {
    const [employee, customer] = [employees[6]!, customers[0]!];
    const subscriber = await live(gw.gateway, clientOf(gw.gateway.url), { kinds: ['CUSTOMER_CONTACT'] });
    await editRecord(gw.world.systems.customerp, 'Employee', employee.customerp.id, { jobTitle: 'Not for customers' });
    await editRecord(gw.world.systems.customerp, 'Contact', customer.customerp.id, { jobTitle: 'For customers' });
    await gw.world.engine.runOnce();
    expect((await subscriber.received(1)).map(summary)).toEqual([
      [idOf(customer), 'UPDATED', ['title'], 'For customers'],
    ]);
    expect(subscriber.events[0]!.data!.contactChanged.contact!.kind).toBe('CUSTOMER_CONTACT');
    subscriber.stop();
  });

  it('sends CREATED with every field for a created contact, then DELETED with no record once it is deleted', async () => {
    const subscriber = await live(gw.gateway, clientOf(gw.gateway.url), {});
    const created = await gw.data<{ createContact: { contact: { id: string } } }>(
      `mutation { createContact(input: { kind: EMPLOYEE, firstName: "Live", lastName: "Created", email: "live.created@example.com", title: "New" }) { contact { id } } }`,
    );
    const id = created.createContact.contact.id;
    await gw.data(`mutation($id: ID!) { deleteContact(id: $id) { id } }`, { id });
    const events = (await subscriber.received(2)).filter((event) => event.data?.contactChanged.id === id);
    expect(events.map((event) => event.data?.contactChanged.change)).toEqual(['CREATED', 'DELETED']);
    const [createdEvent, deletedEvent] = events.map((event) => event.data!.contactChanged);
    expect(createdEvent!.fields).toEqual(expect.arrayContaining(['email', 'firstName', 'lastName', 'title']));
    expect(createdEvent!.contact).toMatchObject({ id, email: 'live.created@example.com', title: 'New' });
    expect(deletedEvent).toMatchObject({ fields: [], contact: null });
    subscriber.stop();
  });

  it('refuses a connection without a credential or with a bad one (4401), and a subscription beyond the read scope (FORBIDDEN)', async () => {
    const anonymous = subscribe(clientOf(guarded.url), CONTACT_CHANGED);
    const forged = subscribe(clientOf(guarded.url, 'Bearer not-a-key'), CONTACT_CHANGED);
    const companiesOnly = subscribe(clientOf(guarded.url, 'Bearer test:companies'), CONTACT_CHANGED);
    expect((await anonymous.ended()).error).toMatchObject({ code: 4401 });
    expect((await forged.ended()).error).toMatchObject({ code: 4401 });
    await companiesOnly.ended();
    expect(
      companiesOnly.events.flatMap((event) => event.errors ?? []).map((error) => error.extensions?.['code']),
    ).toEqual(['FORBIDDEN']);
    expect(companiesOnly.events.some((event) => event.data?.contactChanged)).toBe(false);
    expect(guarded.subscriptions).toBe(0);
  });

  it('holds each caller to its connections and each connection to its subscriptions', async () => {
    const reader = clientOf(guarded.url, 'Bearer test:reader');
    const first = await live(guarded, reader, {});
    const second = await live(guarded, reader, {});
    const third = subscribe(reader, CONTACT_CHANGED);
    expect((await third.ended()).error).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'LIMIT_EXCEEDED', limit: 'subscriptionsPerConnection' }),
      }),
    ]);
    // Two connections of one caller are its limit here: the third is closed with 4429.
    const secondConnection = await live(guarded, clientOf(guarded.url, 'Bearer test:reader'), {});
    const thirdConnection = subscribe(clientOf(guarded.url, 'Bearer test:reader'), CONTACT_CHANGED);
    expect((await thirdConnection.ended()).error).toMatchObject({
      code: 4429,
      reason: expect.stringMatching(/^too many connections/),
    });
    // Another caller is not held to the first one's count.
    const other = await live(guarded, clientOf(guarded.url, 'Bearer test:other'), {});
    expect(other.ending).toBeNull();
    for (const subscription of [first, second, secondConnection, other]) subscription.stop();
  });

  it('charges each connection to the caller’s rate limit: over it, the connection is closed with 4429 and RATE_LIMITED', async () => {
    for (let i = 0; i < 3; i += 1) {
      (await live(guarded, clientOf(guarded.url, 'Bearer test:limited'), {})).stop();
      await waitUntil(
        () => guarded.subscriptions === 0,
        20_000,
        () => 'still subscribed',
      );
    }
    const fourth = subscribe(clientOf(guarded.url, 'Bearer test:limited'), CONTACT_CHANGED);
    expect((await fourth.ended()).error).toMatchObject({
      code: 4429,
      reason: expect.stringMatching(/^Too many requests/),
    });
  });

  it('serves only subscriptions over WebSocket: a query there is BAD_REQUEST', async () => {
    const query = subscribe(clientOf(gw.gateway.url), '{ health { status } }');
    expect((await query.ended()).error).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
  });

  it('reaches a subscriber of another gateway process: a mutation served here is seen there', async () => {
    const [edited] = [employees[7]!];
    const other = await processes.start({
      GATEWAY_DB: gw.world.database.name,
      CUSTOMERP_URL: gw.world.systems.customerpServer.url,
      CRMOFFICE_URL: gw.world.systems.crmofficeServer.url,
      CUSTOMERP_TOKEN: gw.world.systems.tokens.customerp,
      CRMOFFICE_TOKEN: gw.world.systems.tokens.crmoffice,
    });
    const subscriber = await live(other, clientOf(other, 'Bearer test:remote'), { ids: [idOf(edited)] });
    await gw.data(
      `mutation($id: ID!) { updateContact(id: $id, input: { title: "Across processes" }) { writes { state } } }`,
      {
        id: idOf(edited),
      },
    );
    expect((await subscriber.received(1)).map(summary)).toEqual([
      [idOf(edited), 'UPDATED', ['title'], 'Across processes'],
    ]);
    subscriber.stop();
  });
});

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// RunningGateway.close() (what SIGTERM runs): the listener closes at once, and no connection the
// gateway accepted is cut — not a request under way, not one whose request arrives just after.

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'demo' }),
    startCrmoffice({ seed: 'demo' }),
    testDatabase('graceful drain'),
  ]);
});

afterAll(() => Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]));

function start(): Promise<RunningGateway> {
  return startGateway({
    dependencies: {
      db: mongo.db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
    },
    mode: 'test',
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
async function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(socket, 'close');
  return text;
}

async function openConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  await new Promise((resolve) => setTimeout(resolve, 50)); // accepted by the server, not just by the kernel
  return socket;
}

describe('RunningGateway.close()', () => {
  it('answers a request that arrives, on a connection accepted before, after the drain began; then refuses connections', async () => {
    const gateway = await start();
    const socket = await openConnection(gateway.port);
    const closing = gateway.close();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const response = await readAll(socket);
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response.endsWith('{"status":"UP"}')).toBe(true);
    await closing;
    await expect(fetch(`${gateway.origin}/health`)).rejects.toThrow('fetch failed');
  });

  it('lets a request under way finish, and says on its answer that the connection closes', async () => {
    const gateway = await start();
    await fetch(`${customerp.origin}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 300 }),
    });
    try {
      const slow = fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { customerp { status } } }' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = gateway.close();
      const response = await slow;
      expect([response.status, response.headers.get('connection')]).toEqual([200, 'close']);
      expect(await response.json()).toEqual({ data: { health: { customerp: { status: 'UP' } } } });
      await closing;
    } finally {
      await fetch(`${customerp.origin}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    }
  });

  it('ends idle keep-alive connections at once, and connections that never send after a grace second', async () => {
    const gateway = await start();
    expect((await fetch(`${gateway.origin}/health`)).status).toBe(200); // leaves an idle keep-alive connection
    let started = Date.now();
    await gateway.close();
    expect(Date.now() - started).toBeLessThan(500);

    const other = await start();
    const silent = await openConnection(other.port);
    const ended = readAll(silent);
    started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await ended).toBe('');
  });
});

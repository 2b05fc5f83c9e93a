import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { projectRoot } from '../../src/paths.js';
import { descendantsOf, freePort, isAlive } from '../support/processes.js';

/**
 * The README's first command, as a person runs it: `npm start` with nothing configured brings up
 * the embedded MongoDB engine, both reference systems and the gateway, prints the URLs, and Ctrl-C leaves nothing behind.
 */
describe('npm start', () => {
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(() => {
    if (child?.pid && isAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  });

  it('starts everything, answers on every printed URL, and stops cleanly on Ctrl-C', async () => {
    const [gatewayPort, customerpPort, crmofficePort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(gatewayPort),
      CUSTOMERP_PORT: String(customerpPort),
      CRMOFFICE_PORT: String(crmofficePort),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    };
    delete env['MONGODB_URI']; // the product must start its own MongoDB-compatible server
    delete env['CUSTOMERP_URL'];
    delete env['CRMOFFICE_URL'];
    child = spawn('npm', ['start'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    await waitFor(
      () => output.includes('Press Ctrl-C to stop.') || exitCode !== undefined,
      150_000,
      () => output,
    );
    if (exitCode !== undefined) throw new Error(`npm start exited with ${exitCode} before it was ready:\n${output}`);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    expect(output).toContain(`Gateway:   ${gatewayUrl}`);
    expect(output).toContain(`Customerp: http://127.0.0.1:${customerpPort}/graphql`);
    expect(output).toContain(`Crmoffice: http://127.0.0.1:${crmofficePort}/graphql`);
    expect(output).toContain('MongoDB:   mongo-java-server 1.47.0 (in memory)');

    // The gateway wants a token: the demo key printed at start has every scope.
    const key = /API key: +(\S+)/.exec(output)?.[1];
    expect(key).toMatch(/^cgk_/);
    const healthQuery = '{ health { status mongodb { status } customerp { status } crmoffice { status } } }';
    expect(await graphql(gatewayUrl, healthQuery)).toMatchObject({
      status: 401,
      body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    expect(await graphql(gatewayUrl, healthQuery, key)).toEqual({
      status: 200,
      body: {
        data: {
          health: { status: 'UP', mongodb: { status: 'UP' }, customerp: { status: 'UP' }, crmoffice: { status: 'UP' } },
        },
      },
    });
    expect(await graphql(gatewayUrl, '{ contacts(first: 1) { totalCount } }', key)).toMatchObject({
      status: 200,
      body: { data: { contacts: { totalCount: expect.any(Number) } } },
    });
    // The reference systems answer, but only to the gateway: their tokens are generated per start and never printed.
    for (const port of [customerpPort, crmofficePort]) {
      expect(await graphql(`http://127.0.0.1:${port}/graphql`, '{ __typename }')).toMatchObject({
        status: 401,
        body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] },
      });
    }

    // Push is on for both systems it started: the gateway serves their webhooks and refuses unsigned ones.
    expect(output).toContain('and at once on a webhook from customerp and crmoffice');
    for (const system of ['customerp', 'crmoffice']) {
      const hook = await fetch(`http://127.0.0.1:${gatewayPort}/webhooks/${system}`, { method: 'POST', body: '{}' });
      expect(hook.status).toBe(401);
    }

    const pid = child.pid as number;
    const tree = [pid, ...descendantsOf(pid)];
    expect(tree.length).toBeGreaterThanOrEqual(3); // npm, node, the engine's JVM at least
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    process.kill(-pid, 'SIGINT'); // what Ctrl-C does: the whole foreground process group
    await exited;
    await waitFor(
      () => tree.every((p) => !isAlive(p)),
      15_000,
      () => `still alive: ${tree.filter(isAlive).join(', ')}`,
    );
    await expect(fetch(gatewayUrl)).rejects.toThrow();
  }, 200_000);
});

async function graphql(url: string, query: string, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerretDBNotFoundError, FerretDBStartError, connectMongo, startFerretDB } from '../../src/mongo/index.js';

/** Whether a process with this pid still exists (signal 0 only checks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startFerretDB', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ferretdb-test-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** A stand-in binary: a shell script with the given body. */
  async function fakeBinary(name: string, body: string): Promise<string> {
    const path = join(scratch, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('starts a server that answers ping, and stop() ends the process and removes its temp dir', async () => {
    const server = await startFerretDB();
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/`);
    expect(isRunning(server.pid)).toBe(true);
    expect(existsSync(server.dataDir)).toBe(true);

    const { client } = await connectMongo(server.uri, 'admin');
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    await client.close();

    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('keeps a given data dir, so the data survives a restart', async () => {
    const dataDir = join(scratch, 'kept');
    const first = await startFerretDB({ dataDir });
    const one = await connectMongo(first.uri, 'survivors');
    await one.db.collection('notes').insertOne({ text: 'still here' });
    await one.client.close();
    await first.stop();
    expect(existsSync(dataDir)).toBe(true);

    const second = await startFerretDB({ dataDir });
    const two = await connectMongo(second.uri, 'survivors');
    expect(await two.db.collection('notes').find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ text: 'still here' }]);
    await two.client.close();
    await second.stop();
  });

  it('refuses a port that is already taken instead of reaching whatever listens there', async () => {
    const port = Number(new URL(process.env['MONGODB_URI']!.replace('mongodb:', 'http:')).port);
    await expect(startFerretDB({ port })).rejects.toThrow(
      `FerretDB cannot listen on 127.0.0.1:${port}: it is in use`,
    );
  });

  it('says how to get FerretDB when the binary is missing', async () => {
    const missing = join(scratch, 'no-such-ferretdb');
    const failure = startFerretDB({ binary: missing });
    await expect(failure).rejects.toThrow(FerretDBNotFoundError);
    await expect(failure).rejects.toThrow(
      `FerretDB not found (no executable at ${missing}): run \`bash scripts/install-ferretdb.sh\` (needs Go) or set MONGODB_URI to a MongoDB`,
    );
  });

  it('reports the tail of its output when it dies before answering, and removes its temp dir', async () => {
    const argsFile = join(scratch, 'dying.args');
    const binary = await fakeBinary('dying-ferretdb', `echo "$@" > ${argsFile}\necho "starting" >&2\necho "cannot open database" >&2\nexit 3`);
    const failure = startFerretDB({ binary });
    await expect(failure).rejects.toThrow(FerretDBStartError);
    await expect(failure).rejects.toThrow(
      'FerretDB exited with code 3 before answering ping; its last output:\nstarting\ncannot open database',
    );
    const stateDir = /--state-dir=(\S+)/.exec(await readFile(argsFile, 'utf8'))?.[1];
    expect(stateDir).toMatch(/ferretdb-/);
    expect(existsSync(stateDir!)).toBe(false);
  });

  it('gives up after startTimeoutMs when nothing answers, and kills the process', async () => {
    const pidFile = join(scratch, 'silent.pid');
    const binary = await fakeBinary('silent-ferretdb', `echo $$ > ${pidFile}\necho "waiting forever" >&2\nexec sleep 30`);
    await expect(startFerretDB({ binary, startTimeoutMs: 300 })).rejects.toThrow(
      'FerretDB did not answer ping within 300 ms; its last output:\nwaiting forever',
    );
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(isRunning(pid)).toBe(false);
  });
});

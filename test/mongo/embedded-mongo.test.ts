import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoServerError } from 'mongodb';
import {
  connectMongo,
  EmbeddedMongoNotInstalledError,
  EmbeddedMongoStartError,
  startEmbeddedMongo,
  type EmbeddedMongo,
} from '../../src/mongo/index.js';
import { projectRoot } from '../../src/paths.js';
import { isAlive } from '../support/processes.js';
import { waitUntil } from '../support/sync-process.js';

/**
 * The embedded engine is a real MongoDB wire-protocol server in a JVM of its own, reached by the
 * official driver, with MongoDB's guarantees the product relies on: unique indexes (E11000) and atomic
 * conditional updates. It never outlives the process that started it.
 */

let engine: EmbeddedMongo;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ heapMb: 256 });
});

afterAll(() => engine.stop());

describe('startEmbeddedMongo', () => {
  it('serves the driver over the wire on a loopback port', async () => {
    expect(engine.uri).toBe(`mongodb://127.0.0.1:${engine.port}/`);
    const { client, db } = await connectMongo(engine.uri, 'embedded_ping');
    try {
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      await db.collection('things').insertOne({ _id: 'a' as never, n: 1 });
      expect(await db.collection('things').findOne({})).toEqual({ _id: 'a', n: 1 });
    } finally {
      await client.close();
    }
  });

  it('enforces unique indexes with E11000, on inserts and on updates, and leaves sparse ones to present fields', async () => {
    const { client, db } = await connectMongo(engine.uri, 'embedded_unique');
    try {
      const things = db.collection<{ _id: string; key?: string }>('things');
      await things.createIndexes([{ key: { key: 1 }, name: 'key_unique', unique: true, sparse: true }]);
      await things.insertMany([{ _id: 'a', key: 'K' }, { _id: 'b' }, { _id: 'c' }]);
      const insert = await things.insertOne({ _id: 'd', key: 'K' }).catch((error: unknown) => error);
      expect(insert).toBeInstanceOf(MongoServerError);
      expect((insert as MongoServerError).code).toBe(11000);
      const update = await things.updateOne({ _id: 'b' }, { $set: { key: 'K' } }).catch((error: unknown) => error);
      expect((update as MongoServerError).code).toBe(11000);
    } finally {
      await client.close();
    }
  });

  it('applies a conditional findOneAndUpdate for exactly one of 20 concurrent writers', async () => {
    const { client, db } = await connectMongo(engine.uri, 'embedded_atomic', { maxPoolSize: 20 });
    try {
      const docs = db.collection<{ _id: string; version: number; winner?: number }>('docs');
      await docs.insertOne({ _id: 'x', version: 1 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          docs.findOneAndUpdate({ _id: 'x', version: 1 }, { $set: { winner: i }, $inc: { version: 1 } }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await docs.findOne({ _id: 'x' })).toMatchObject({ version: 2 });
    } finally {
      await client.close();
    }
  });

  it('pages sorted by _id exactly as sorting every match would, after inserts, deletes and updates, from $gt and $gte cursors', async () => {
    // The launcher walks an ordered map of _id for these (IdOrderedMemoryBackend): same answers as a full sort.
    const { client, db } = await connectMongo(engine.uri, 'embedded_id_order');
    try {
      const things = db.collection<{ _id: string; group: string; n: number }>('things');
      let seed = 7;
      const next = () => (seed = (seed * 48271) % 2147483647);
      const docs = Array.from({ length: 600 }, (_, i) => ({
        _id: next().toString(36).padStart(6, '0'),
        group: ['a', 'b', 'c'][i % 3]!,
        n: i,
      }));
      await things.insertMany(docs);
      const removed = new Set(docs.filter((_, i) => i % 7 === 0).map((doc) => doc._id));
      await things.deleteMany({ _id: { $in: [...removed] } });
      await things.updateMany({ n: { $lt: 100 } }, { $set: { group: 'b' } });
      await things.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `zz${i}`, group: 'a', n: 1000 + i })));
      const all = (await things.find({}).toArray()).sort((x, y) => (x._id < y._id ? -1 : x._id > y._id ? 1 : 0));
      const expected = (
        filter: (doc: (typeof all)[number]) => boolean,
        after: string | null,
        inclusive: boolean,
        n: number,
      ) =>
        all
          .filter((doc) => filter(doc) && (after === null || (inclusive ? doc._id >= after : doc._id > after)))
          .slice(0, n);
      for (const after of [null, all[0]!._id, all[250]!._id, all.at(-3)!._id]) {
        for (const n of [1, 10, 100, 1000]) {
          const gt = after === null ? {} : { _id: { $gt: after } };
          expect(
            await things
              .find({ group: 'b', ...gt })
              .sort({ _id: 1 })
              .limit(n)
              .toArray(),
          ).toEqual(expected((doc) => doc.group === 'b', after, false, n));
          const gte = after === null ? {} : { _id: { $gte: after } };
          expect(await things.find(gte).sort({ _id: 1 }).limit(n).toArray()).toEqual(
            expected(() => true, after, true, n),
          );
        }
      }
      // Other orders are the stock backend's sort.
      expect((await things.find({}).sort({ n: -1 }).limit(3).toArray()).map((doc) => doc.n)).toEqual([
        1049, 1048, 1047,
      ]);
    } finally {
      await client.close();
    }
  });

  it('refuses a port that is taken with a typed error', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startEmbeddedMongo({ port })).rejects.toThrow(EmbeddedMongoStartError);
      await expect(startEmbeddedMongo({ port })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: it is in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('launcher: exits with one line when its port is taken instead of living on without listening', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = join(projectRoot, '.tools', 'mongo-java-server');
      const java = spawn(
        'java',
        ['-cp', `${join(dir, 'classes')}:${join(dir, 'lib', '*')}`, 'gateway.embedded.EmbeddedMongo', String(port)],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let output = '';
      java.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      java.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => java.once('exit', resolve));
      expect(code).toBe(1);
      expect(output.trim()).toBe(`cannot listen on 127.0.0.1:${port}: Address already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('says how to build it when it was never built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-engine-'));
    try {
      await expect(startEmbeddedMongo({ installDir: empty })).rejects.toThrow(EmbeddedMongoNotInstalledError);
      await expect(startEmbeddedMongo({ installDir: empty })).rejects.toThrow(
        'run `bash scripts/install-mongo-java-server.sh`',
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('stops on stop(), once, however often it is called', async () => {
    const other = await startEmbeddedMongo({ heapMb: 128 });
    expect(isAlive(other.pid)).toBe(true);
    await Promise.all([other.stop(), other.stop()]);
    expect(isAlive(other.pid)).toBe(false);
    await other.stop();
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    // A parent process starts the engine, prints its pid, and is then killed without any chance to stop it.
    const script = `
      const { startEmbeddedMongo } = await import('./src/mongo/index.ts');
      const engine = await startEmbeddedMongo({ heapMb: 128 });
      process.stdout.write(engine.pid + '\\n');
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(
      process.execPath,
      ['--import', './test/support/register-typescript.js', '--input-type=module', '-e', script],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    parent.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(
      () => /^\d+\n/.test(output),
      30_000,
      () => `no pid printed: ${output}`,
    );
    const enginePid = Number(output.trim());
    expect(isAlive(enginePid)).toBe(true);
    parent.kill('SIGKILL');
    await waitUntil(
      () => !isAlive(enginePid),
      20_000,
      () => `engine ${enginePid} still runs after its parent died`,
    );
  });
});

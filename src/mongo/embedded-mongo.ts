import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectPath } from '../paths.js';
import { connectMongo } from './connect.js';

/**
 * The embedded MongoDB engine: mongo-java-server (in-memory backend), a separate JVM process that the
 * official driver reaches over the wire, started when no MONGODB_URI is configured (trying the
 * product, tests, benchmarks). Not durable storage: its data lives and dies with the process.
 * Built by `scripts/install-mongo-java-server.sh` into `.tools/mongo-java-server/`.
 */

/** How to run the engine. Every option has a default, so `startEmbeddedMongo()` just works. */
export interface EmbeddedMongoOptions {
  /** Loopback port to listen on. @default a free port picked at start */
  port?: number;
  /**
   * Largest Java heap, in MiB: the bound on what the engine may hold (links, outbox, indexes).
   * 100,000 contact links with their snapshots and the link indexes held 620 MiB of live heap
   * (measured after a full GC); the default leaves room for the outbox and GC beside them. @default 1536
   */
  heapMb?: number;
  /** Where the engine was built. @default `<repo>/.tools/mongo-java-server` */
  installDir?: string;
  /** How long to wait for the first answered `ping`. @default 30000 */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. @default 5000 */
  stopGraceMs?: number;
}

/** A running engine. stop() is idempotent. */
export interface EmbeddedMongo {
  /** `mongodb://127.0.0.1:<port>/` */
  uri: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** The engine was never built here; the message says how to build it. */
export class EmbeddedMongoNotInstalledError extends Error {
  constructor(installDir: string) {
    super(
      `the embedded MongoDB engine is not built (nothing in ${installDir}): ` +
        'run `bash scripts/install-mongo-java-server.sh` (needs Java 17 and Maven) or set MONGODB_URI to a MongoDB',
    );
    this.name = 'EmbeddedMongoNotInstalledError';
  }
}

/** The engine could not start, exited or stayed silent before answering `ping`, with the tail of its output. */
export class EmbeddedMongoStartError extends Error {
  /** `output` is undefined when the process was never started. */
  constructor(
    reason: string,
    readonly output?: string,
  ) {
    const shown = output === undefined ? '' : output ? `; its last output:\n${output}` : ' (it wrote nothing)';
    super(`the embedded MongoDB engine ${reason}${shown}`);
    this.name = 'EmbeddedMongoStartError';
  }
}

/** What the engine is, for start-up lines and the README. */
export const EMBEDDED_MONGO_NAME = 'mongo-java-server 1.47.0 (in memory)';

const DEFAULT_HEAP_MB = 1536;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 30;
/** A free port can be taken between our probe and the engine's bind; then we pick another, this many times. */
const PORT_ATTEMPTS = 3;
const MAIN_CLASS = 'gateway.embedded.EmbeddedMongo';

/**
 * Starts the engine on 127.0.0.1 and resolves once the driver's `ping` answers. Rejects with
 * EmbeddedMongoNotInstalledError when it was never built, EmbeddedMongoStartError when it dies or
 * times out.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const installDir = options.installDir ?? projectPath('.tools', 'mongo-java-server');
  if (!existsSync(join(installDir, '.built-from'))) throw new EmbeddedMongoNotInstalledError(installDir);
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      // Checked first, or the readiness check could reach whatever already listens there.
      if (!(await portIsFree(port)))
        throw new EmbeddedMongoStartError(`cannot listen on 127.0.0.1:${port}: it is in use`);
      return await launch(installDir, port, options);
    } catch (error) {
      const portTaken = error instanceof EmbeddedMongoStartError && /in use/i.test(error.message);
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}

async function launch(installDir: string, port: number, options: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const child = spawn(
    'java',
    [
      `-Xmx${options.heapMb ?? DEFAULT_HEAP_MB}m`,
      // One collector thread: the machine it shares with the gateway and the systems has few cores.
      // Measured against the default G1 with 10k documents: the same start (~0.3 s) and query times,
      // RSS 210 instead of 320 MB. -XX:TieredStopAtLevel=1 (C1 only) is left out: it saved 70 ms of
      // start but made a sorted page of 20 (a scan) three times slower (6.7 → 20 ms).
      '-XX:+UseSerialGC',
      '-cp',
      [join(installDir, 'classes'), join(installDir, 'lib', '*')].join(':'),
      MAIN_CLASS,
      String(port),
    ],
    // stdin stays open and unused: the engine exits when it closes, i.e. when this process dies.
    // Its output is kept (the tail, for error messages), never passed through to ours.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const tail = keepTail(child, OUTPUT_TAIL_LINES);
  const exited = exitOf(child);
  const bound = lineSeen(child, `listening 127.0.0.1:${port}`);
  // If our process exits without calling stop(), the engine must not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilServing(uri, bound, exited, tail, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    await terminate(child, exited, 0);
    process.off('exit', killOnExit);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    pid: child.pid!,
    stop: () =>
      (stopping ??= (async () => {
        await terminate(child, exited, options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
        process.off('exit', killOnExit);
      })()),
  };
}

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error };

/** Resolves when the process is gone (or could not be spawned at all). Never rejects. */
function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (error) => resolveExit({ code: null, signal: null, error }));
  });
}

/**
 * Waits for the engine's own "listening" line (so that whatever else may have taken the port in the
 * meantime is never mistaken for it), then asks the driver for `ping`; fails as soon as the process exits.
 */
async function waitUntilServing(
  uri: string,
  bound: Promise<void>,
  exited: Promise<Exit>,
  tail: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: Exit | undefined;
  void exited.then((value) => (exit = value));
  const died = (): EmbeddedMongoStartError => new EmbeddedMongoStartError(describeExit(exit!), tail());
  const timedOut = (): EmbeddedMongoStartError =>
    new EmbeddedMongoStartError(`did not answer ping within ${timeoutMs} ms`, tail());

  const waiting = new AbortController();
  const listening = await Promise.race([
    bound.then(() => 'bound' as const),
    exited.then(() => 'exited' as const),
    sleep(timeoutMs, 'timeout' as const, { signal: waiting.signal }).catch(() => 'timeout' as const),
  ]).finally(() => waiting.abort());
  if (listening === 'exited') throw died();
  if (listening === 'timeout') throw timedOut();
  const remaining = Math.max(deadline - Date.now(), 500);
  const ping = (async () => {
    const options = { serverSelectionTimeoutMS: remaining, appName: 'embedded-mongo-ping' };
    const { client } = await connectMongo(uri, 'admin', options);
    try {
      await client.db('admin').command({ ping: 1 });
    } finally {
      await client.close();
    }
  })();
  const outcome = await Promise.race([
    ping.then(
      () => 'ok' as const,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ),
    exited.then(() => 'exited' as const),
  ]);
  if (outcome === 'ok') return;
  if (outcome === 'exited') throw died();
  throw new EmbeddedMongoStartError(`did not answer ping within ${timeoutMs} ms (${outcome.message})`, tail());
}

function describeExit(exit: Exit): string {
  if (exit.error) return `could not be started (${exit.error.message})`;
  return exit.signal
    ? `was killed by ${exit.signal} before answering ping`
    : `exited with code ${exit.code} before answering ping`;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
async function terminate(child: ChildProcess, exited: Promise<Exit>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  // The grace timer is cancelled once the process is gone, so it does not hold the event loop open.
  const grace = new AbortController();
  const gone = await Promise.race([exited.then(() => true), sleep(graceMs, false, { signal: grace.signal })]).finally(
    () => grace.abort(),
  );
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Drains both output streams (a full pipe would block the server) and keeps their last `lines` lines. */
function keepTail(child: ChildProcess, lines: number): () => string {
  const kept: string[] = [];
  const partial = new Map<NodeJS.ReadableStream, string>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const text = (partial.get(stream) ?? '') + chunk;
      const parts = text.split('\n');
      partial.set(stream, parts.pop() ?? '');
      kept.push(...parts.filter((line) => line.trim() !== ''));
      if (kept.length > lines) kept.splice(0, kept.length - lines);
    });
  }
  return () => [...kept, ...[...partial.values()].filter((line) => line.trim() !== '')].slice(-lines).join('\n');
}

/** Resolves once the process writes `line` as a whole line on its stdout (never rejects). */
function lineSeen(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolveSeen) => {
    let buffered = '';
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      if (
        buffered
          .split('\n')
          .slice(0, -1)
          .some((seen) => seen.trim() === line)
      ) {
        child.stdout?.off('data', onData);
        resolveSeen();
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    };
    child.stdout?.on('data', onData);
  });
}

/** Whether 127.0.0.1:`port` can be listened on right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** A port the OS considers free right now on 127.0.0.1. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

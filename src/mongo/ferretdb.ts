import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, connect as connectTcp } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectMongo } from './connect.js';

/** How to run FerretDB. Every option has a default, so `startFerretDB()` just works. */
export interface FerretDBOptions {
  /**
   * Where the SQLite files live; created if missing and kept by stop().
   * @default a fresh temp dir that stop() removes
   */
  dataDir?: string;
  /** Loopback port to listen on. @default a free port picked at start */
  port?: number;
  /** Path of the ferretdb binary. @default found on PATH, then in $(go env GOPATH)/bin, then in ~/go/bin */
  binary?: string;
  /** How long to wait for the first answered `ping`. @default 20000 */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. @default 5000 */
  stopGraceMs?: number;
}

/** A running FerretDB. stop() is idempotent. */
export interface FerretDBServer {
  /** `mongodb://127.0.0.1:<port>/` */
  uri: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** Thrown when no ferretdb binary can be found; the message says how to get one. */
export class FerretDBNotFoundError extends Error {
  constructor(looked: string) {
    super(
      `FerretDB not found (${looked}): ` +
        'run `bash scripts/install-ferretdb.sh` (needs Go) or set MONGODB_URI to a MongoDB',
    );
    this.name = 'FerretDBNotFoundError';
  }
}

/** Thrown when FerretDB cannot start, exits or stays silent before answering `ping`, with the tail of its output. */
export class FerretDBStartError extends Error {
  /** `output` is undefined when the process was never started. */
  constructor(reason: string, readonly output?: string) {
    const shown = output === undefined ? '' : output ? `; its last output:\n${output}` : ' (it wrote nothing)';
    super(`FerretDB ${reason}${shown}`);
    this.name = 'FerretDBStartError';
  }
}

const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 30;
/** A free port can be taken between our probe and FerretDB's bind; then we pick another, this many times. */
const PORT_ATTEMPTS = 3;

/**
 * Starts FerretDB (SQLite backend) on 127.0.0.1 and resolves once the MongoDB driver's `ping` answers.
 * Rejects with FerretDBNotFoundError when there is no binary, FerretDBStartError when it dies or times out.
 */
export async function startFerretDB(options: FerretDBOptions = {}): Promise<FerretDBServer> {
  const binary = options.binary !== undefined ? await requireExecutable(options.binary) : await findFerretDB();
  const ownsDir = options.dataDir === undefined;
  const dataDir =
    options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'ferretdb-')) : resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });

  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      // Checked first, or the readiness check could reach whatever already listens there.
      if (!(await portIsFree(port))) throw new FerretDBStartError(`cannot listen on 127.0.0.1:${port}: it is in use`);
      return await launch(binary, port, dataDir, ownsDir, options);
    } catch (error) {
      const portTaken = error instanceof FerretDBStartError && /in use/i.test(error.message);
      if (portTaken && attempt < attempts) continue;
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
}

/** The ferretdb binary on PATH, in $(go env GOPATH)/bin or in ~/go/bin, in that order. */
export async function findFerretDB(): Promise<string> {
  const pathDirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const goPathDirs = (await goPath()).map((dir) => join(dir, 'bin'));
  for (const dir of [...pathDirs, ...goPathDirs, join(homedir(), 'go', 'bin')]) {
    const candidate = join(dir, 'ferretdb');
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new FerretDBNotFoundError('looked on PATH, in $(go env GOPATH)/bin and in ~/go/bin');
}

async function requireExecutable(binary: string): Promise<string> {
  if (await isExecutableFile(binary)) return binary;
  throw new FerretDBNotFoundError(`no executable at ${binary}`);
}

async function launch(
  binary: string,
  port: number,
  dataDir: string,
  ownsDir: boolean,
  options: FerretDBOptions,
): Promise<FerretDBServer> {
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--state-dir=${dataDir}`,
      // Only warnings and errors: they are what the start-up error shows, and nobody reads the rest.
      '--log-level=warn',
    ],
    // Its output is kept (the tail, for error messages), never passed through to ours.
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail = keepTail(child, OUTPUT_TAIL_LINES);
  const exited = exitOf(child);
  // If our process dies without calling stop(), FerretDB must not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilServing(uri, port, exited, tail, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
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
    dataDir,
    stop: () =>
      (stopping ??= (async () => {
        await terminate(child, exited, options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
        process.off('exit', killOnExit);
        if (ownsDir) await rm(dataDir, { recursive: true, force: true });
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

/** Polls the port (cheap), then asks the driver for `ping`; fails as soon as the process exits. */
async function waitUntilServing(
  uri: string,
  port: number,
  exited: Promise<Exit>,
  tail: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: Exit | undefined;
  void exited.then((value) => (exit = value));
  const died = (): FerretDBStartError => new FerretDBStartError(describeExit(exit!), tail());
  const timedOut = (): FerretDBStartError =>
    new FerretDBStartError(`did not answer ping within ${timeoutMs} ms`, tail());

  while (!(await portAccepts(port))) {
    if (exit) throw died();
    if (Date.now() >= deadline) throw timedOut();
    await sleep(25);
  }
  const remaining = Math.max(deadline - Date.now(), 500);
  const ping = (async () => {
    const options = { serverSelectionTimeoutMS: remaining, appName: 'ferretdb-ping' };
    const { client } = await connectMongo(uri, 'admin', options);
    try {
      await client.db('admin').command({ ping: 1 });
    } finally {
      await client.close();
    }
  })();
  const outcome = await Promise.race([
    ping.then(() => 'ok' as const, () => 'failed' as const),
    exited.then(() => 'exited' as const),
  ]);
  if (outcome === 'ok') return;
  if (outcome === 'exited') throw died();
  throw timedOut();
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
  const gone = await Promise.race([
    exited.then(() => true),
    sleep(graceMs, false, { signal: grace.signal }),
  ]).finally(() => grace.abort());
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Drains both output streams (a full pipe would block FerretDB) and keeps their last `lines` lines. */
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

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
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

/** The entries of $(go env GOPATH), or none when Go is not installed. */
function goPath(): Promise<string[]> {
  return new Promise((resolveGoPath) => {
    execFile('go', ['env', 'GOPATH'], { timeout: 5_000 }, (error, stdout) => {
      resolveGoPath(error ? [] : stdout.trim().split(delimiter).filter((dir) => dir !== ''));
    });
  });
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

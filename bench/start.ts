/**
 * `npm run bench:start`: how long a newcomer waits (issue #14, goal: second start ≤ 8 s, keys list ≤ 5 s).
 *
 * 1. Cold start: dist/ and the code-generation stamp removed, so `npm start` generates code and compiles
 *    everything, as on a fresh clone after `npm ci`.
 * 2. Second start with nothing changed.
 * 3. `npm run keys -- list` after that build, against an embedded engine started for it (the keys
 *    command works only on a configured MONGODB_URI: keys in npm start's throwaway engine would vanish).
 *
 * Each start is timed from `npm start` to the banner's last line ("Press Ctrl-C to stop."), then stopped
 * with SIGINT. Free loopback ports, the embedded MongoDB engine (MONGODB_URI unset). The last line of
 * output is one JSON object: {"bench":"start","coldStartS":…,"secondStartS":…,"keysListS":…}.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedMongo } from '../src/mongo/index.js';
import { projectRoot } from '../src/paths.js';
import { freePort } from '../test/support/processes.js';

const READY = 'Press Ctrl-C to stop.';
const LIMIT_MS = 300_000;

async function environment(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await freePort()),
    CUSTOMERP_PORT: String(await freePort()),
    CRMOFFICE_PORT: String(await freePort()),
    NODE_ENV: 'development',
  };
  for (const name of ['MONGODB_URI', 'CUSTOMERP_URL', 'CRMOFFICE_URL', 'LOG_LEVEL']) delete env[name];
  return env;
}

/** Seconds from `npm start` to its banner; the output before the banner is returned to show how quiet it was. */
async function timedStart(): Promise<{ seconds: number; linesBeforeBanner: number }> {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: await environment(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const seconds = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready in ${LIMIT_MS} ms:\n${output}`)), LIMIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve((performance.now() - started) / 1000);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGINT');
  await exited;
  const bannerAt = output.indexOf('Gateway:');
  const before = bannerAt < 0 ? output : output.slice(0, bannerAt);
  return { seconds, linesBeforeBanner: before.split('\n').filter((line) => line.trim() !== '').length };
}

async function timedKeysList(): Promise<number> {
  const mongo = await startEmbeddedMongo();
  try {
    const started = performance.now();
    const child = spawn('npm', ['run', '--silent', 'keys', '--', 'list'], {
      cwd: projectRoot,
      env: { ...(await environment()), MONGODB_URI: mongo.uri, MONGODB_DB: 'bench_start' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`npm run keys -- list exited with ${String(code)}`);
    return (performance.now() - started) / 1000;
  } finally {
    await mongo.stop();
  }
}

const fixed = (seconds: number) => Number(seconds.toFixed(2));

rmSync(join(projectRoot, 'dist'), { recursive: true, force: true });
rmSync(join(projectRoot, 'src/generated/.inputs-hash'), { force: true });
const cold = await timedStart();
process.stdout.write(
  `cold start (code generation + full compile): ${cold.seconds.toFixed(1)} s, ${cold.linesBeforeBanner} lines before the banner\n`,
);
const second = await timedStart();
process.stdout.write(
  `second start, nothing changed:              ${second.seconds.toFixed(1)} s (goal ≤ 8 s), ${second.linesBeforeBanner} lines before the banner\n`,
);
const keys = await timedKeysList();
process.stdout.write(`npm run keys -- list:                        ${keys.toFixed(1)} s (goal ≤ 5 s)\n`);
process.stdout.write(
  `${JSON.stringify({ bench: 'start', coldStartS: fixed(cold.seconds), secondStartS: fixed(second.seconds), keysListS: fixed(keys), linesBeforeBanner: second.linesBeforeBanner })}\n`,
);

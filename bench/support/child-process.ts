import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/paths.js';

/** A benchmark target in a process of its own, and the first line it printed (where it listens). */
export interface ChildServer<T> {
  info: T;
  stop(): Promise<void>;
}

/**
 * Runs `script` (TypeScript, with the project's loader) with `env`, waits for its first stdout line
 * (JSON) and returns it. The child stops when its stdin closes, so it never outlives the benchmark.
 */
export async function startChildServer<T>(script: string, env: Record<string, string> = {}): Promise<ChildServer<T>> {
  const child: ChildProcess = spawn(process.execPath, ['--import', './test/support/register-typescript.js', script], {
    cwd: projectRoot,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it listened`)));
  });
  return {
    info: JSON.parse(first) as T,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** In the child: prints `info` as the one line the parent waits for, and exits when the parent's pipe closes. */
export function announce(info: unknown, stop: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  let stopping = false;
  const end = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', end);
  process.stdin.on('end', end).on('close', end).resume();
}

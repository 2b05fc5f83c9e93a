import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/paths.js';

/** Where a `sync` child process works: the MongoDB database and the two systems. */
export interface SyncProcessTarget {
  mongodbUri: string;
  database: string;
  customerpUrl: string;
  crmofficeUrl: string;
  /** The systems' bearer tokens (CUSTOMERP_TOKEN / CRMOFFICE_TOKEN), when they require one. */
  customerpToken?: string;
  crmofficeToken?: string;
}

/** A running `main.ts sync` child; `exit` settles when it ends, with everything it printed. */
export interface SyncProcess {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Starts `node --import ./test/support/register-cached-typescript.js src/main.ts sync <args>` on
 * `target` (the TypeScript sources, no build; transpiled once, then from a cache, so a restart takes
 * about a second), logging silenced so `--json` output is the only stdout.
 */
export function startSyncProcess(
  target: SyncProcessTarget,
  args: string[] = [],
  env: Record<string, string> = {},
): SyncProcess {
  const child = spawn(
    process.execPath,
    ['--import', './test/support/register-cached-typescript.js', 'src/main.ts', 'sync', ...args],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        MONGODB_URI: target.mongodbUri,
        MONGODB_DB: target.database,
        CUSTOMERP_URL: target.customerpUrl,
        CRMOFFICE_URL: target.crmofficeUrl,
        ...(target.customerpToken === undefined ? {} : { CUSTOMERP_TOKEN: target.customerpToken }),
        ...(target.crmofficeToken === undefined ? {} : { CRMOFFICE_TOKEN: target.crmofficeToken }),
        LOG_LEVEL: 'silent',
        SYNC_INTERVAL_MS: '50',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  return { child, exit };
}

/** Runs `sync --once --json` to its end and returns its exit code and parsed summary. */
export async function runSyncOnce<Summary>(
  target: SyncProcessTarget,
  env: Record<string, string> = {},
): Promise<{ code: number | null; summary: Summary }> {
  const { exit } = startSyncProcess(target, ['--once', '--json'], env);
  const { code, stdout, stderr } = await exit;
  try {
    return { code, summary: JSON.parse(stdout) as Summary };
  } catch {
    throw new Error(
      `sync --once --json exited ${code} without a JSON summary; stdout: ${stdout.slice(0, 500)}; stderr: ${stderr.slice(0, 2000)}`,
    );
  }
}

/** Polls `condition` every `everyMs` until it holds; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string | Promise<string>,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

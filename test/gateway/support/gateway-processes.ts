import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../../src/paths.js';
import { isAlive } from '../../support/processes.js';

/**
 * Gateways in processes of their own (test/gateway/support/gateway-process.ts), for claims that span
 * processes sharing one MongoDB. `start` resolves with the new gateway's /graphql URL; `stopAll`
 * stops every one started (SIGTERM, then SIGKILL 5 s later).
 */
export function gatewayProcesses(): {
  start(env: Record<string, string>): Promise<string>;
  stopAll(): Promise<void>;
} {
  const children: ChildProcess[] = [];
  return {
    start: (env) => {
      const child = spawn(
        process.execPath,
        ['--import', './test/support/register-typescript.js', 'test/gateway/support/gateway-process.ts'],
        { cwd: projectRoot, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = /^(http:\/\/\S+\/graphql)\n/.exec(stdout)?.[1];
          if (line) resolve(line);
        });
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          reject(
            new Error(
              `gateway process exited (${code ?? signal}) before printing its URL; stdout: ${stdout}; stderr: ${stderr.slice(-2000)}`,
            ),
          ),
        );
      });
    },
    stopAll: async () => {
      await Promise.all(children.map(stopProcess));
    },
  };
}

/** SIGTERM, then SIGKILL if it is still there 5 s later; resolves once it is gone. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (!child.pid || !isAlive(child.pid)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(kill);
}

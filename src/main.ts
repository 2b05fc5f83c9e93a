#!/usr/bin/env node
/**
 * Composition root and CLI.
 *   start   MongoDB (the embedded engine when MONGODB_URI is unset), the reference systems (when their URLs are
 *           unset), the sync worker and the gateway; prints where everything is; Ctrl-C stops all.
 *   sync    the sync worker alone (`--once` for one pass; `approve-deletes|discard-deletes <feed>`).
 *   keys    API keys: create --name <n> --scopes <a,b>, revoke <id|name>, list [--json].
 *   docs    writes docs/dataflow.rst from the mapping tables.
 */
import { ConfigError, loadSettings, type Settings } from './config.js';
import { logger } from './logger.js';

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...args] = argv;
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Only now the rest of the program: a bad setting is answered before any other module is loaded.
  const { runCommand } = await import('./commands.js');
  await runCommand(command, args, settings);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  logger.fatal({ err: error }, 'failed');
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

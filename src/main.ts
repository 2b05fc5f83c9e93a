#!/usr/bin/env node
/**
 * Composition root and CLI.
 *   start   MongoDB (FerretDB when MONGODB_URI is unset), the reference systems (when their URLs are
 *           unset), the sync worker and the gateway; prints where everything is; Ctrl-C stops all.
 *   sync    the sync worker alone (`--once` for one pass).
 *   docs    writes docs/dataflow.rst from the mapping tables.
 */
import { ConfigError, loadSettings, type Settings } from './config.js';
import { startGateway } from './gateway/server.js';
import { logger } from './logger.js';
import { startMongo } from './runtime/mongo.js';
import { Supervisor } from './runtime/supervisor.js';
import { startReferenceSystems } from './runtime/reference-systems.js';
import { CrmofficeApi, CustomerpApi, UpstreamClient } from './upstreams/index.js';
import { projectPath } from './paths.js';
import { SyncEngine, SyncWorker } from './sync/index.js';
import { syncCommand } from './cli/sync-command.js';

async function start(settings: Settings): Promise<void> {
  const supervisor = new Supervisor();
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void supervisor.stop(signal).then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  const mongo = await supervisor.start('mongodb', () => startMongo(settings));
  const systems = await startReferenceSystems(settings, supervisor);
  const clientOptions = { timeoutMs: settings.UPSTREAM_TIMEOUT_MS, retries: settings.UPSTREAM_RETRIES };
  const customerp = new UpstreamClient({ system: 'CUSTOMERP', url: systems.customerpUrl, ...clientOptions });
  const crmoffice = new UpstreamClient({ system: 'CRMOFFICE', url: systems.crmofficeUrl, ...clientOptions });
  const engine = new SyncEngine({ db: mongo.db, customerp: new CustomerpApi(customerp), crmoffice: new CrmofficeApi(crmoffice) });
  const worker = new SyncWorker(engine, { intervalMs: settings.SYNC_INTERVAL_MS });
  await supervisor.start('sync worker', async () => {
    worker.start();
    return { name: 'sync worker', stop: () => worker.stop() };
  });
  const gateway = await supervisor.start('gateway', async () => {
    const running = await startGateway({
      dependencies: { db: mongo.db, customerp, crmoffice },
      port: settings.PORT,
      host: settings.HOST,
      mode: settings.NODE_ENV,
      introspection: settings.INTROSPECTION,
    });
    return { name: 'gateway', stop: running.close, url: running.url };
  });
  supervisor.running();

  const lines = [
    '',
    `Gateway:   ${gateway.url}  (open it in a browser for Apollo Sandbox)`,
    `Customerp: ${systems.customerpUrl}${systems.startedReference ? '  (reference system, demo data)' : ''}`,
    `Crmoffice: ${systems.crmofficeUrl}${systems.startedReference ? '  (reference system, demo data)' : ''}`,
    `MongoDB:   ${mongo.description}`,
    `Sync:      every ${settings.SYNC_INTERVAL_MS} ms`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  logger.info({ gateway: gateway.url }, 'gateway ready');
}

async function docs(): Promise<void> {
  const { writeDataflowDocument } = await import('./mappings/write-document.js');
  const path = projectPath('docs', 'dataflow.rst');
  await writeDataflowDocument(path);
  process.stdout.write(`wrote ${path}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command = 'start'] = argv;
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
  switch (command) {
    case 'start':
      return start(settings);
    case 'docs':
      return docs();
    case 'sync': {
      const code = await syncCommand(settings, { once: argv.includes('--once'), json: argv.includes('--json') });
      process.exit(code);
    }
    default:
      process.stderr.write(`unknown command ${command}; expected start, sync or docs\n`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  logger.fatal({ err: error }, 'failed');
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

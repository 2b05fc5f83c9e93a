import { parseArgs } from 'node:util';
import { ApiKeyError, ApiKeyStore, SCOPES, type ApiKeyInfo } from '../auth/index.js';
import type { Settings } from '../config.js';
import { connectMongo } from '../mongo/index.js';

/** Where the command writes; tests pass their own. @default process.stdout / process.stderr */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_OUTPUT: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const USAGE = [
  'usage: npm run keys -- <command>',
  '  create --name <name> --scopes <scope,scope,…> [--json]   prints the secret, once',
  '  revoke <id|name>                                          refused from the next request on',
  '  list [--json]                                             every key, revoked ones included; never secrets',
  `scopes: ${SCOPES.join(', ')}`,
  '',
].join('\n');

/**
 * `npm run keys -- create|revoke|list …`: manages the gateway's API keys in the MongoDB of an
 * installation (MONGODB_URI, MONGODB_DB). Returns the exit code: 0 done, 1 refused (unknown scope,
 * nothing to revoke, …), 2 usage or configuration error.
 */
export async function keysCommand(
  settings: Settings,
  argv: string[],
  output: CommandOutput = PROCESS_OUTPUT,
): Promise<number> {
  let parsed: ReturnType<typeof parseKeysArgs>;
  try {
    parsed = parseKeysArgs(argv);
  } catch (error) {
    output.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!settings.MONGODB_URI) {
    output.stderr(
      'npm run keys works on the MongoDB of an installation: set MONGODB_URI (and MONGODB_DB).\n' +
        'Without MONGODB_URI, npm start runs a throwaway in-memory MongoDB: keys created there vanish when it stops, ' +
        'so it creates a fresh demo key at every start and prints it.\n',
    );
    return 2;
  }
  const { client, db } = await connectMongo(settings.MONGODB_URI, settings.MONGODB_DB);
  try {
    const store = new ApiKeyStore(db);
    switch (parsed.command) {
      case 'create': {
        const { key, secret } = await store.create({ name: parsed.name, scopes: parsed.scopes });
        output.stdout(
          parsed.json
            ? `${JSON.stringify({ ...key, secret }, null, 2)}\n`
            : [
                `Created API key ${key.name} (id ${key.id}) with scopes ${key.scopes.join(', ')}.`,
                'Its secret, shown this once (only a hash of it is stored):',
                '',
                `  ${secret}`,
                '',
                `Clients send it as the header  Authorization: Bearer ${secret}`,
                '',
              ].join('\n'),
        );
        return 0;
      }
      case 'revoke': {
        const revoked = await store.revoke(parsed.idOrName);
        for (const key of revoked)
          output.stdout(`Revoked API key ${key.name} (id ${key.id}): refused from the next request on.\n`);
        return 0;
      }
      case 'list': {
        const keys = await store.list();
        output.stdout(parsed.json ? `${JSON.stringify(keys, null, 2)}\n` : renderKeys(keys));
        return 0;
      }
      default:
        return assertNever(parsed);
    }
  } catch (error) {
    if (!(error instanceof ApiKeyError)) throw error;
    output.stderr(`${error.message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

type KeysArgs =
  | { command: 'create'; name: string; scopes: string[]; json: boolean }
  | { command: 'revoke'; idOrName: string }
  | { command: 'list'; json: boolean };

/** The subcommand and its options; throws with a one-line message on anything unexpected. */
function parseKeysArgs(argv: string[]): KeysArgs {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
        strict: true,
      });
      if (!values.name) throw new Error('create needs --name');
      if (values.scopes === undefined) throw new Error('create needs --scopes');
      const scopes = values.scopes
        .split(',')
        .map((scope) => scope.trim())
        .filter((scope) => scope !== '');
      return { command, name: values.name, scopes, json: values.json ?? false };
    }
    case 'revoke': {
      const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new Error('revoke needs exactly one key id or name');
      return { command, idOrName: positionals[0] as string };
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
      return { command, json: values.json ?? false };
    }
    default:
      throw new Error(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
  }
}

/** One row per key: id, name, state, created, scopes. */
export function renderKeys(keys: ApiKeyInfo[]): string {
  if (keys.length === 0)
    return 'No API keys. Create one with: npm run keys -- create --name <name> --scopes <scopes>\n';
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'valid',
    key.createdAt.toISOString(),
    key.scopes.join(','),
  ]);
  const header = ['id', 'name', 'state', 'created', 'scopes'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
      .join('  ');
  return [line(header), ...rows.map(line), ''].join('\n');
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

#!/usr/bin/env node
// `npm run build`: rebuilds only what changed, so a second `npm start` is quick. Code generation runs
// when codegen.yml or a schema/operation document changed (a hash of them is kept beside the output);
// TypeScript compiles incrementally (tsconfig.build.json keeps its build info in dist/). Prints one
// line per step it actually does, nothing when there is nothing to do.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const generated = join(root, 'src/generated');
const stamp = join(generated, '.inputs-hash');
const buildInfo = join(root, 'dist/tsconfig.build.tsbuildinfo');

/** Every file under `dir` (recursively), sorted, as paths relative to the project. */
function filesUnder(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** What code generation reads: its config, the schemas and operation documents, and the generator versions. */
function codegenInputsHash() {
  const hash = createHash('sha256');
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const generators = Object.entries(lock.packages ?? {})
    .filter(([path]) => path.includes('@graphql-codegen/'))
    .map(([path, info]) => `${path}@${info.version}`);
  for (const file of ['codegen.yml', ...filesUnder('schema')])
    hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  return hash.update(generators.join('\n')).digest('hex');
}

/** Runs an npm-installed binary; exits with its code when it fails. */
function run(bin, args) {
  const result = spawnSync(join(root, 'node_modules/.bin', bin), args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const inputs = codegenInputsHash();
const outputsPresent = [
  'customerp-server.ts',
  'customerp-client.ts',
  'crmoffice-server.ts',
  'crmoffice-client.ts',
  'gateway-server.ts',
].every((file) => existsSync(join(generated, file)));
if (!outputsPresent || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== inputs) {
  console.log('» generating GraphQL types (schema or operations changed)');
  run('graphql-codegen', ['--config', 'codegen.yml', '--silent']);
  writeFileSync(stamp, inputs);
}
if (process.argv.includes('--codegen-only')) process.exit(0);
if (!existsSync(buildInfo)) console.log('» compiling TypeScript (first build; later ones compile only what changed)');
run('tsc', ['-p', 'tsconfig.build.json']);

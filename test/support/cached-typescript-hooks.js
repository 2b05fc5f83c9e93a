// The hooks of typescript-hooks.js with the transpiled output cached on disk, keyed by the file's path
// and content: a child process that runs the TypeScript sources (the sync process of the crash tests)
// then starts without loading the compiler at all, in a fraction of the time.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE_DIR = join(tmpdir(), 'gateway-ts-cache');
let compiler;

/** `./x.js` imported from a .ts file means `./x.ts` when that exists (same rule as typescript-hooks.js). */
export async function resolve(specifier, context, nextResolve) {
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (relative && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

/** .ts files transpiled as typescript-hooks.js does, or taken from the cache when unchanged. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const cached = join(
    CACHE_DIR,
    `${createHash('sha256').update(fileName).update('\0').update(source).digest('hex')}.js`,
  );
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // not cached yet
  }
  compiler ??= (await import('typescript')).default;
  const { outputText } = compiler.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: compiler.ModuleKind.ESNext,
      target: compiler.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${cached}.${process.pid}`;
  await writeFile(partial, outputText); // then renamed: a concurrent reader never sees half a file
  await rename(partial, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}

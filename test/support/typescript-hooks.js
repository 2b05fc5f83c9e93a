// Node module hooks that let the jest *parent* process (globalSetup / globalTeardown) import the
// project's TypeScript sources. Jest's moduleNameMapper and transform only apply inside test
// workers; the parent loads ESM through Node itself, which neither maps `./x.js` to `./x.ts` nor
// reads TypeScript. Plain JavaScript because hooks run in Node's loader thread, before any transform.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** `./x.js` imported from a .ts file means `./x.ts` when that exists (TypeScript's NodeNext convention). */
export async function resolve(specifier, context, nextResolve) {
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (relative && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

/** .ts files are transpiled one by one (types erased, no type-check: `tsc` does that). */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}

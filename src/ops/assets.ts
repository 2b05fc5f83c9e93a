import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { projectPath } from '../paths.js';

const require = createRequire(import.meta.url);

/** A file inside an installed npm package (resolved through its package.json, so hoisting does not matter). */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/**
 * Third-party browser files the pages load, served from node_modules as the packages ship them: no
 * CDN, no bundler. GraphiQL's UMD build wants React and ReactDOM as globals; uPlot is one IIFE file.
 * Served under `/assets/vendor/<name>`.
 */
export const VENDOR_ASSETS: Readonly<Record<string, string>> = Object.freeze({
  'react.production.min.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': packageFile('graphiql', 'graphiql.min.css'),
  'uPlot.iife.min.js': packageFile('uplot', 'dist/uPlot.iife.min.js'),
  'uPlot.min.css': packageFile('uplot', 'dist/uPlot.min.css'),
});

/** The pages and scripts written for this project (src/ops/assets/), served under `/assets/`. */
export const OWN_ASSETS_DIR: string = projectPath('src', 'ops', 'assets');

/** Throws, naming the file, when a page's file is missing: better at start-up than as a blank page. */
export function assertAssetsPresent(): void {
  const missing = [...Object.values(VENDOR_ASSETS), OWN_ASSETS_DIR].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing browser assets (run npm ci): ${missing.join(', ')}`);
}

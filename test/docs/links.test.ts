import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPath, projectRoot } from '../../src/paths.js';

/**
 * The repository documents itself: every relative link in its Markdown resolves inside the clone, and
 * nothing points at the spec that lived outside it (docs/design.md replaced it).
 */

const FILE_EXTENSION = /\.(md|rst|ts|js|graphql|ya?ml|json|sh|html|css)$/;
const OUTSIDE_SPEC = /\.\.\/shared|DESIGN\.md/;

/** The Markdown files a reader of a clone meets: README.md and docs/*.md. */
function markdownFiles(): string[] {
  const docs = readdirSync(projectPath('docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => projectPath('docs', name));
  return [projectPath('README.md'), ...docs];
}

/** Where a target resolves, or null when it is no path in this repository (a URL, an anchor). */
function linkTarget(target: string): string | null {
  const path = target.split('#')[0] ?? '';
  if (path === '' || /^[a-z][a-z0-9+.-]*:/i.test(path)) return null;
  return path;
}

/**
 * Whether `path` (relative to `dir`) names a file of this repository: it must stay inside the clone
 * (what lies beside the checkout, e.g. `../shared/`, is not there for anyone else) and exist.
 */
function existsInRepo(dir: string, path: string): boolean {
  const absolute = join(dir, path);
  return !relative(projectRoot, absolute).startsWith('..') && existsSync(absolute);
}

/** Problems of one Markdown text, as `<target>: <why>`; `dir` is its folder, for relative links. */
function markdownProblems(text: string, dir: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const path = linkTarget(match[1] ?? '');
    if (path !== null && !existsInRepo(dir, path)) problems.push(`${match[1]}: link to a missing path`);
  }
  // A backticked file path (`docs/x.md`, `src/config.ts`) is written from the repository root.
  for (const match of text.matchAll(/`([\w.-]+(?:\/[\w.-]+)*)`/g)) {
    const path = match[1] ?? '';
    if (path.includes('/') && FILE_EXTENSION.test(path) && !existsInRepo(projectRoot, path))
      problems.push(`${path}: mentions a missing file`);
  }
  for (const line of text.split('\n'))
    if (OUTSIDE_SPEC.test(line)) problems.push(`${line.trim()}: points outside the repository`);
  return problems;
}

/** The section headings of docs/design.md, which comments cite as `docs/design.md, "<heading>"`. */
function designHeadings(): Set<string> {
  const text = readFileSync(projectPath('docs', 'design.md'), 'utf8');
  return new Set([...text.matchAll(/^## (.+)$/gm)].map((match) => match[1] ?? ''));
}

/** Source, test and schema files (not src/generated, which codegen writes from schema/). */
/** Problems of one source text: a cited section docs/design.md lacks, a mention of the outside spec. */
function citationProblems(text: string, headings: Set<string>): string[] {
  const cited = [...text.matchAll(/docs\/design\.md,\s+"([^"]+)"(?:\s+and\s+"([^"]+)")?/g)]
    .flatMap((match) => [match[1], match[2]])
    .filter((section): section is string => section !== undefined)
    // A citation may wrap inside a block comment: `Ports,\n * settings, admin`.
    .map((section) => section.replace(/\s*\n\s*\*?\s*/g, ' '));
  return [
    ...cited.filter((section) => !headings.has(section)).map((section) => `no section "${section}"`),
    ...text
      .split('\n')
      .filter((line) => OUTSIDE_SPEC.test(line))
      .map((line) => line.trim()),
  ];
}

function citingFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === projectPath('src', 'generated')) return [];
    if (statSync(path).isDirectory()) return citingFiles(path);
    return /\.(ts|js|graphql)$/.test(name) ? [path] : [];
  });
}

describe('markdown links', () => {
  it('finds a broken link, a missing backticked file and the outside spec in a sample', () => {
    const sample = [
      'See [the design](design.md), [decisions](docs/decisions.md#sync) and [Apollo](https://www.apollographql.com/).',
      'Settings are in `src/config.ts` and `docs/nowhere.md`; endpoints like `/admin/faults` are no files.',
      'The spec was `../shared/DESIGN.md`.',
    ].join('\n');

    expect(markdownProblems(sample, projectPath('docs'))).toEqual([
      'docs/decisions.md#sync: link to a missing path',
      'docs/nowhere.md: mentions a missing file',
      '../shared/DESIGN.md: mentions a missing file',
      'The spec was `../shared/DESIGN.md`.: points outside the repository',
    ]);
  });

  it.each(markdownFiles().map((path) => [relative(projectRoot, path), path]))(
    '%s links only to paths in the repository',
    (_name, path) => {
      expect(markdownProblems(readFileSync(path, 'utf8'), dirname(path))).toEqual([]);
    },
  );

  it('comments in src/, test/ and schema/ cite sections that docs/design.md has', () => {
    const headings = designHeadings();
    const problems = ['src', 'test', 'schema'].flatMap((top) =>
      citingFiles(projectPath(top))
        .filter((path) => path !== fileURLToPath(import.meta.url))
        .flatMap((path) =>
          citationProblems(readFileSync(path, 'utf8'), headings).map((p) => `${relative(projectRoot, path)}: ${p}`),
        ),
    );

    expect(problems).toEqual([]);
  });
});

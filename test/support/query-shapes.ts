import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexDescription, MongoClient } from 'mongodb';
import {
  LINK_INDEXES,
  LINK_QUERY_SHAPES,
  LINKS_COLLECTION,
  RECORD_CHANGE_INDEXES,
  RECORD_CHANGE_QUERY_SHAPES,
  RECORD_CHANGES_COLLECTION,
} from '../../src/links/index.js';
import { entryOfShape, queriesOf, queryShapeOf, unservedReason, type QueryShapeIndex } from '../../src/mongo/index.js';
import { OPERATION_INDEXES, OPERATION_QUERY_SHAPES } from '../../src/writes/index.js';
import { projectPath } from '../../src/paths.js';

/**
 * Index discipline (issue #12): every query the link store and the outbox send during the test run is
 * recorded by its shape (queryShapeOf), one line per new shape in a file per test process under
 * .tmp/query-shapes/<run>/. global-teardown.ts then fails the run for a shape that the tables in
 * src/links/indexes.ts and src/writes/operations.ts do not list next to an index that serves it.
 */
export const QUERY_SHAPES_ROOT = projectPath('.tmp', 'query-shapes');

const seen = new Set<string>();

export function recordQueryShapes(client: MongoClient, collections: ReadonlySet<string>): void {
  const run = process.env['QUERY_SHAPES_RUN'];
  if (!run) return; // a test file run outside jest's global setup
  const dir = join(QUERY_SHAPES_ROOT, run);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  client.on('commandStarted', (event) => {
    for (const query of queriesOf(event.command)) {
      if (!collections.has(query.collection)) continue;
      const shape = queryShapeOf(query.filter, query.sort);
      const key = `${query.collection} ${shape}`;
      if (seen.has(key)) continue;
      seen.add(key);
      appendFileSync(file, `${JSON.stringify({ collection: query.collection, shape })}\n`);
    }
  });
}

const TABLE: readonly QueryShapeIndex[] = [
  ...LINK_QUERY_SHAPES,
  ...RECORD_CHANGE_QUERY_SHAPES,
  ...OPERATION_QUERY_SHAPES,
];
const INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [LINKS_COLLECTION]: LINK_INDEXES,
  [RECORD_CHANGES_COLLECTION]: RECORD_CHANGE_INDEXES,
  ...OPERATION_INDEXES,
};

/** What is wrong with the recorded shapes: one line per shape no table entry covers or whose entry's index does not serve it. */
export function queryShapeProblems(observed: readonly { collection: string; shape: string }[]): string[] {
  const problems: string[] = [];
  for (const { collection, shape } of observed) {
    const entry = entryOfShape(TABLE, collection, shape);
    if (!entry) {
      problems.push(
        `${collection}: "${shape}" is in no query-shape table (src/links/indexes.ts, src/links/record-changes.ts, src/writes/operations.ts)`,
      );
      continue;
    }
    const reason = unservedReason(entry, INDEXES[collection] ?? [], shape);
    if (reason) problems.push(`${collection}: "${shape}" (${entry.pattern}): ${reason}`);
  }
  return problems;
}

/** The shapes recorded in a run (every test process's file). */
export function recordedQueryShapes(run: string): { collection: string; shape: string }[] {
  const dir = join(QUERY_SHAPES_ROOT, run);
  if (!existsSync(dir)) return [];
  const lines = readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean));
  const unique = new Map(lines.map((line) => [line, JSON.parse(line) as { collection: string; shape: string }]));
  return [...unique.values()];
}

/** Removes a run's recorded shapes (once checked). */
export function forgetQueryShapes(run: string): void {
  rmSync(join(QUERY_SHAPES_ROOT, run), { recursive: true, force: true });
}

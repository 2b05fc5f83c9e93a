import type { Document } from 'mongodb';

/**
 * The shape of a query: which fields it constrains and how, without the values. Two queries with the
 * same shape are served by the same index. Written as `field=` (equality, `$in`, null, `$exists: true`), `field<>`
 * (a range: `$gt`, `$gte`, `$lt`, `$lte`), `field?` (anything else: `$exists`, `$ne`, `$regex`), fields
 * in name order, then `sort field`; an `$or` is `(branch | branch)`. `{ entity: 'Contact', deletedAt:
 * null, _id: { $gt: 'x' } }` sorted by `_id` is `_id<> deletedAt= entity= sort _id`.
 */
export function queryShapeOf(filter: Document | undefined, sort?: Document): string {
  const constraints = constraintsOf(filter ?? {});
  const parts = constraints.length > 0 ? constraints : ['(all)'];
  // The driver hands sorts over as a Map.
  const sortFields = sort instanceof Map ? [...(sort as Map<string, unknown>).keys()] : Object.keys(sort ?? {});
  if (sortFields.length > 0) parts.push(`sort ${sortFields.join(',')}`);
  return parts.join(' ');
}

const RANGE = new Set(['$gt', '$gte', '$lt', '$lte']);
const EQUALITY = new Set(['$eq', '$in']);

function constraintsOf(filter: Document): string[] {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and') parts.push(...(value as Document[]).flatMap(constraintsOf));
    else if (field === '$or')
      parts.push(`(${(value as Document[]).map((branch) => queryShapeOf(branch)).join(' | ')})`);
    else parts.push(`${field}${kindOf(value)}`);
  }
  return [...new Set(parts)].sort();
}

function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return '=';
  const operators = Object.keys(value);
  if (operators.length === 0 || !operators.every((op) => op.startsWith('$'))) return '='; // an embedded document
  if (operators.every((op) => EQUALITY.has(op))) return '=';
  // `$exists: true` alone seeks a sparse index (it holds exactly the documents that have the field).
  if (operators.length === 1 && (value as { $exists?: unknown }).$exists === true) return '=';
  if (operators.every((op) => RANGE.has(op))) return '<>';
  // An anchored regex is a range of the index (`^none:` seeks like `>= 'none:' and < 'none;'`).
  const regex = (value as { $regex?: unknown }).$regex;
  if (operators.length === 1 && typeof regex === 'string' && regex.startsWith('^')) return '<>';
  return '?';
}

/** The query and sort of a command the driver sends (find, findAndModify, update, delete, count, aggregate, distinct); none for others. */
export function queriesOf(command: Document): { collection: string; filter: Document; sort?: Document }[] {
  const withSort = (collection: string, filter: Document | undefined, sort: Document | undefined) => [
    { collection, filter: filter ?? {}, ...(sort && { sort }) },
  ];
  if (typeof command['find'] === 'string') return withSort(command['find'], command['filter'], command['sort']);
  if (typeof command['findAndModify'] === 'string')
    return withSort(command['findAndModify'], command['query'], command['sort']);
  if (typeof command['count'] === 'string') return withSort(command['count'], command['query'], undefined);
  if (typeof command['distinct'] === 'string') return withSort(command['distinct'], command['query'], undefined);
  if (typeof command['update'] === 'string')
    return (command['updates'] as Document[]).map((u) => ({ collection: command['update'] as string, filter: u['q'] }));
  if (typeof command['delete'] === 'string')
    return (command['deletes'] as Document[]).map((d) => ({ collection: command['delete'] as string, filter: d['q'] }));
  if (typeof command['aggregate'] === 'string') {
    const [first, second] = (command['pipeline'] as Document[]) ?? [];
    const match = first?.['$match'] as Document | undefined;
    const sort = (match ? second?.['$sort'] : first?.['$sort']) as Document | undefined;
    return withSort(command['aggregate'], match, sort);
  }
  return [];
}

/**
 * A family of query shapes a store sends, next to the index (or, for an `$or`, the indexes) that serve
 * it, or the reason it deliberately scans. A shape belongs to the first entry whose `pattern` tokens
 * (queryShapeOf's notation; an `$or` group is one token) it all contains.
 */
export interface QueryShapeIndex {
  collection: string;
  pattern: string;
  /** Index names; `_id_` is the collection's own. Empty: `scan` says why there is none. */
  indexes: readonly string[];
  /** What sends it. */
  use: string;
  /** Set only for a deliberate collection scan, with why it is acceptable. */
  scan?: string;
}

/** A shape's tokens, an `$or` group as one. */
function tokensOf(shape: string): Set<string> {
  const group = /\(.*\)/.exec(shape)?.[0];
  const rest = group ? shape.replace(group, ' ') : shape;
  const tokens = rest.split(' ').filter((token) => token !== '');
  return new Set(group ? [...tokens, group] : tokens);
}

/** The entry of `table` that `shape` (of `collection`) belongs to, if any. */
export function entryOfShape(
  table: readonly QueryShapeIndex[],
  collection: string,
  shape: string,
): QueryShapeIndex | undefined {
  const tokens = tokensOf(shape);
  return table.find(
    (entry) => entry.collection === collection && [...tokensOf(entry.pattern)].every((token) => tokens.has(token)),
  );
}

/** The fields a shape (or one `$or` branch of it) constrains by equality or range: what an index can seek on. */
function seekableFields(shape: string): Set<string> {
  return new Set(
    shape
      .split(' ')
      .filter((token) => token.endsWith('=') || token.endsWith('<>'))
      .map((token) => token.replace(/(=|<>)$/, '')),
  );
}

/** The `$or` branches of a shape (a shape without one is its own single branch), with the fields outside the `$or` in each. */
function branchesOf(shape: string): string[] {
  const or = /\((.*)\)/.exec(shape);
  if (!or?.[1]) return [shape];
  const outside = shape.replace(or[0], '').trim();
  return or[1].split(' | ').map((branch) => `${branch} ${outside}`.trim());
}

/**
 * Why `entry` is not served by the indexes it names (null when it is): each named index must exist, and
 * every branch of the shape must seek on the leading field of one of them. That is what lets MongoDB's
 * planner choose an IXSCAN rather than a COLLSCAN.
 */
export function unservedReason(
  entry: QueryShapeIndex,
  indexes: readonly { name?: string; key: Document }[],
  shape = entry.pattern,
): string | null {
  if (entry.indexes.length === 0) return entry.scan ? null : `${entry.pattern} names no index and no reason to scan`;
  const named = entry.indexes.map((name) =>
    name === '_id_' ? { name, key: { _id: 1 } } : indexes.find((index) => index.name === name),
  );
  const missing = entry.indexes.filter((_, i) => !named[i]);
  if (missing.length > 0) return `no index named ${missing.join(', ')} on ${entry.collection}`;
  for (const branch of branchesOf(shape)) {
    const fields = seekableFields(branch);
    if (!named.some((index) => fields.has(Object.keys(index!.key)[0] ?? ''))) {
      return `no index of ${entry.indexes.join(', ')} leads with a field that "${branch}" seeks on`;
    }
  }
  return null;
}

/** The table as docs/indexes.md shows it. */
export function renderQueryShapeTable(entries: readonly QueryShapeIndex[]): string {
  const indexOf = (e: QueryShapeIndex) =>
    e.indexes.length > 0 ? e.indexes.map((i) => `\`${i}\``).join(' + ') : `none (scan: ${e.scan ?? '?'})`;
  return [
    '| collection | query shape | index | sent by |',
    '|---|---|---|---|',
    ...entries.map((e) => `| \`${e.collection}\` | \`${e.pattern}\` | ${indexOf(e)} | ${e.use} |`),
  ].join('\n');
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { LINK_INDEXES, LINK_QUERY_SHAPES } from '../../src/links/index.js';
import { queriesOf, queryShapeOf, unservedReason } from '../../src/mongo/index.js';
import { indexDocument } from '../../src/ops/index.js';
import { projectPath } from '../../src/paths.js';
import { OPERATION_INDEXES, OPERATION_QUERY_SHAPES } from '../../src/writes/index.js';
import { queryShapeProblems } from '../support/query-shapes.js';

// Index discipline (issue #12): the notation, the tables, and the check global-teardown.ts runs over
// every query shape the test run recorded.

describe('queryShapeOf', () => {
  it('names the constrained fields and how, without values, in field order, with the sort', () => {
    expect(
      queryShapeOf(
        { entity: 'Contact', deletedAt: null, _id: { $gt: 'x' }, kind: { $in: ['EMPLOYEE'] } },
        new Map([['_id', 1]]),
      ),
    ).toBe('_id<> deletedAt= entity= kind= sort _id');
    expect(queryShapeOf({ 'keys.name': { $regex: 'ada', $options: 'i' }, customerpKey: { $regex: '^none:' } })).toBe(
      'customerpKey<> keys.name?',
    );
    expect(queryShapeOf({ $or: [{ customerpKey: { $in: ['a'] } }, { crmofficeKey: { $in: ['b'] } }] })).toBe(
      '(customerpKey= | crmofficeKey=)',
    );
    expect(queryShapeOf({ customerp: { type: 'Employee', id: 'emp-1' } })).toBe('customerp=');
    expect(queryShapeOf({ 'conflicts.id': { $exists: true }, 'heldDelete.feed': { $exists: true, $ne: null } })).toBe(
      'conflicts.id= heldDelete.feed?',
    );
    expect(queryShapeOf({})).toBe('(all)');
    expect(queryShapeOf({}, { _id: 1 })).toBe('(all) sort _id');
  });

  it('finds the query of every command that has one', () => {
    expect(queriesOf({ find: 'links', filter: { _id: 'a' }, sort: { _id: 1 } })).toEqual([
      { collection: 'links', filter: { _id: 'a' }, sort: { _id: 1 } },
    ]);
    expect(queriesOf({ update: 'links', updates: [{ q: { _id: 'a' } }, { q: { state: 'X' } }] })).toEqual([
      { collection: 'links', filter: { _id: 'a' } },
      { collection: 'links', filter: { state: 'X' } },
    ]);
    expect(queriesOf({ aggregate: 'links', pipeline: [{ $match: { entity: 'Company' } }, { $group: {} }] })).toEqual([
      { collection: 'links', filter: { entity: 'Company' } },
    ]);
    expect(queriesOf({ insert: 'links', documents: [] })).toEqual([]);
  });
});

describe('the query-shape tables', () => {
  it('name, for every row with indexes, indexes that exist and that the row seeks on', () => {
    const problems = [
      ...LINK_QUERY_SHAPES.map((entry) => unservedReason(entry, LINK_INDEXES)),
      ...OPERATION_QUERY_SHAPES.map((entry) => unservedReason(entry, OPERATION_INDEXES[entry.collection] ?? [])),
    ].filter((reason) => reason !== null);
    expect(problems).toEqual([]);
  });

  it('report a shape no row covers, and one whose row names an index that does not lead with a field it seeks on', () => {
    expect(queryShapeProblems([{ collection: 'links', shape: 'deletedAt= entity= keys.email= sort _id' }])).toEqual([]);
    expect(queryShapeProblems([{ collection: 'links', shape: 'keys.phone=' }])).toEqual([
      'links: "keys.phone=" is in no query-shape table (src/links/indexes.ts, src/links/record-changes.ts, src/writes/operations.ts)',
    ]);
    // A shape that constrains nothing an index can seek on matches no row:
    expect(queryShapeProblems([{ collection: 'operations', shape: 'linkId? state?' }])).toHaveLength(1);
  });

  it('are rendered in docs/indexes.md as they are (npm run docs:dataflow writes it)', () => {
    expect(readFileSync(projectPath('docs', 'indexes.md'), 'utf8')).toBe(indexDocument());
  });
});

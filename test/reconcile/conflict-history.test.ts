import { describe, expect, it } from '@jest/globals';
import type { Conflict } from '../../src/links/index.js';
import { withConflicts } from '../../src/reconcile/index.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 10, minute));

function conflict(id: string, field: string, detected: number, resolved: number | null): Conflict {
  return {
    id,
    field,
    customerpValue: `${id}-customerp`,
    crmofficeValue: `${id}-crmoffice`,
    kept: resolved === null ? null : 'CUSTOMERP',
    detectedAt: at(detected),
    resolvedAt: resolved === null ? null : at(resolved),
  };
}

describe('withConflicts', () => {
  it('keeps every open conflict and only the most recently resolved ones, in detection order', () => {
    const existing = [
      conflict('a', 'phone', 1, 2),
      conflict('b', 'phone', 3, null),
      conflict('c', 'title', 4, 9),
      conflict('d', 'phone', 5, 6),
    ];
    const added = [conflict('e', 'phone', 10, null)];
    expect(withConflicts(existing, added, 2).map((c) => c.id)).toEqual(['b', 'c', 'd', 'e']);
    expect(withConflicts(existing, added, 0).map((c) => c.id)).toEqual(['b', 'e']);
    expect(withConflicts(existing, added, 20).map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('bounds a flapping pair: a thousand resolved conflicts later the link holds N resolved and its open one', () => {
    let conflicts: Conflict[] = [];
    for (let i = 0; i < 1000; i += 1) {
      conflicts = withConflicts(conflicts, [conflict(`open-${i}`, 'phone', i, null)], 5);
      // A person resolves it; the next flap records a new one.
      conflicts = conflicts.map((c) => (c.resolvedAt ? c : { ...c, resolvedAt: at(i + 1), kept: 'CRMOFFICE' }));
    }
    conflicts = withConflicts(conflicts, [conflict('last', 'phone', 2000, null)], 5);
    expect(conflicts.filter((c) => c.resolvedAt).map((c) => c.id)).toEqual([
      'open-995',
      'open-996',
      'open-997',
      'open-998',
      'open-999',
    ]);
    expect(conflicts.filter((c) => !c.resolvedAt).map((c) => c.id)).toEqual(['last']);
  });
});

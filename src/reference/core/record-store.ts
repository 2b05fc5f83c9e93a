/**
 * An in-memory table of one record type with what both reference systems need: stable insertion
 * order for cursor paging, a monotonically increasing revision per record (the concurrency token)
 * and an append-only change log that the `changes` feed reads.
 *
 * The reference systems stand in for external ERP/CRM products, so their stores live in memory;
 * what is real is that the gateway reaches them over HTTP.
 */

export type ChangeOp = 'UPSERT' | 'DELETE';

export interface ChangeEntry {
  /** Position in this store's log, 1-based; the feed cursor is the last seq a reader has seen. */
  seq: number;
  id: string;
  op: ChangeOp;
  revision: number;
  at: string;
}

export interface StoredRecord {
  id: string;
  /** Starts at 1 on create and grows by one on every update. */
  revision: number;
  /** ISO time of the last create or update. */
  modifiedAt: string;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export class RecordStore<T extends StoredRecord> {
  private readonly records = new Map<string, T>();
  /** Insertion order of ids; deleted ids stay here (skipped) so cursors remain valid. */
  private readonly order: string[] = [];
  private readonly positions = new Map<string, number>();
  private readonly log: ChangeEntry[] = [];
  private nextId = 1;

  constructor(
    /** Prefix of generated ids, e.g. `emp` gives `emp-1`, `emp-2`, … */
    private readonly idPrefix: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  get size(): number {
    return this.records.size;
  }

  /** Entries in the change log so far: the feed's end, the largest valid `since`. */
  get changeCount(): number {
    return this.log.length;
  }

  newId(): string {
    return `${this.idPrefix}-${this.nextId++}`;
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  /** One entry per id, in the order asked, `null` for an unknown id. */
  getMany(ids: readonly string[]): (T | null)[] {
    return ids.map((id) => this.records.get(id) ?? null);
  }

  all(): IterableIterator<T> {
    return this.records.values();
  }

  /** Inserts a new record built from its fields; id, revision and modifiedAt are assigned here. */
  insert(build: (meta: StoredRecord) => T, options: { log?: boolean; id?: string } = {}): T {
    const id = options.id ?? this.newId();
    const record = build({ id, revision: 1, modifiedAt: this.clock().toISOString() });
    this.records.set(id, record);
    this.positions.set(id, this.order.length);
    this.order.push(id);
    if (options.log !== false) this.append(id, 'UPSERT', record.revision);
    return record;
  }

  /** Replaces a record's fields, bumping its revision; the caller has checked the concurrency token. */
  update(id: string, change: (current: T, meta: StoredRecord) => T): T {
    const current = this.records.get(id);
    if (!current) throw new Error(`update of unknown record ${id}`);
    const next = change(current, {
      id,
      revision: current.revision + 1,
      modifiedAt: this.clock().toISOString(),
    });
    this.records.set(id, next);
    this.append(id, 'UPSERT', next.revision);
    return next;
  }

  delete(id: string): boolean {
    const current = this.records.get(id);
    if (!current) return false;
    this.records.delete(id);
    this.append(id, 'DELETE', current.revision + 1);
    return true;
  }

  /**
   * Cursor paging in insertion order over the records that pass `filter`. The cursor is the
   * insertion position of the last record returned, so records added later are still visited.
   */
  page(first: number, after: string | null | undefined, filter?: (record: T) => boolean): Page<T> {
    let start = 0;
    if (after) {
      const position = Number(after);
      if (!Number.isInteger(position) || position < 0) throw new RangeError('after is not a cursor of this list');
      start = position + 1;
    }
    const nodes: T[] = [];
    let last = -1;
    let i = start;
    for (; i < this.order.length && nodes.length < first; i++) {
      const record = this.records.get(this.order[i] as string);
      if (record && (!filter || filter(record))) {
        nodes.push(record);
        last = i;
      }
    }
    let hasNextPage = false;
    for (; i < this.order.length; i++) {
      const record = this.records.get(this.order[i] as string);
      if (record && (!filter || filter(record))) {
        hasNextPage = true;
        break;
      }
    }
    return { nodes, hasNextPage, endCursor: last >= 0 ? String(last) : (after ?? null) };
  }

  /**
   * The same paging as `page`, over a set of distinct candidate ids (e.g. from a secondary index) instead of
   * the whole table: cost grows with the candidates, not the table. Cursors are interchangeable
   * with `page`'s. Unknown or deleted ids among the candidates are skipped.
   */
  pageAmong(
    candidateIds: Iterable<string>,
    first: number,
    after: string | null | undefined,
    filter?: (record: T) => boolean,
  ): Page<T> {
    let start = 0;
    if (after) {
      const position = Number(after);
      if (!Number.isInteger(position) || position < 0) throw new RangeError('after is not a cursor of this list');
      start = position + 1;
    }
    const positions: number[] = [];
    for (const id of candidateIds) {
      const position = this.positions.get(id);
      if (position === undefined || position < start) continue;
      const record = this.records.get(id);
      if (record && (!filter || filter(record))) positions.push(position);
    }
    positions.sort((a, b) => a - b);
    const taken = positions.slice(0, Math.max(0, first));
    const nodes = taken.map((position) => this.records.get(this.order[position] as string) as T);
    const last = taken[taken.length - 1];
    return {
      nodes,
      hasNextPage: positions.length > taken.length,
      endCursor: last !== undefined ? String(last) : (after ?? null),
    };
  }

  /** Change entries after `since` (a seq, `null` for the beginning), at most `limit`. */
  changes(since: string | null | undefined, limit: number): { items: ChangeEntry[]; cursor: string; hasMore: boolean } {
    let from = 0;
    if (since) {
      from = Number(since);
      if (!Number.isInteger(from) || from < 0) throw new RangeError('since is not a cursor of this feed');
    }
    const items = this.log.slice(from, from + limit);
    const cursor = String(from + items.length);
    return { items, cursor, hasMore: from + items.length < this.log.length };
  }

  private append(id: string, op: ChangeOp, revision: number): void {
    this.log.push({ seq: this.log.length + 1, id, op, revision, at: this.clock().toISOString() });
  }
}

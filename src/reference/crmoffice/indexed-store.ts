import { RecordStore, type Page, type StoredRecord } from '../core/index.js';

/** How one secondary index derives its key from a record, and how a filter value is brought to that form. */
export interface IndexDefinition<T> {
  /** The record's key, or null when the record has none (it is then not in the index). */
  key: (record: T) => string | null;
  /** Applied to every filter value before lookup, e.g. lower-casing for case-insensitive e-mails. @default identity */
  normalize?: (value: string) => string;
}

/** One list filter: records whose `index` key is any of `values`. */
export interface IndexFilter<K extends string> {
  index: K;
  values: readonly string[];
}

/**
 * A RecordStore plus secondary indexes (key → ids), kept current on every insert, update and
 * delete, so that filtered reads cost what they find rather than a scan of the whole table.
 */
export class IndexedStore<T extends StoredRecord, K extends string> {
  readonly records: RecordStore<T>;
  private readonly indexes = new Map<K, Map<string, Set<string>>>();

  constructor(
    idPrefix: string,
    private readonly definitions: Readonly<Record<K, IndexDefinition<T>>>,
  ) {
    this.records = new RecordStore<T>(idPrefix);
    for (const name of Object.keys(definitions) as K[]) this.indexes.set(name, new Map());
  }

  get size(): number {
    return this.records.size;
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  insert(build: (meta: StoredRecord) => T): T {
    const record = this.records.insert(build);
    this.addKeys(record);
    return record;
  }

  update(id: string, change: (current: T, meta: StoredRecord) => T): T {
    const current = this.records.get(id);
    if (current) this.removeKeys(current);
    const next = this.records.update(id, change);
    this.addKeys(next);
    return next;
  }

  delete(id: string): boolean {
    const current = this.records.get(id);
    if (!current) return false;
    this.removeKeys(current);
    return this.records.delete(id);
  }

  /** Ids of the records whose `index` key is any of `values`. */
  idsWhere(index: K, values: readonly string[]): Set<string> {
    const entries = this.index(index);
    const normalize = this.definitions[index].normalize ?? identity;
    const ids = new Set<string>();
    for (const value of values) {
      for (const id of entries.get(normalize(value)) ?? []) ids.add(id);
    }
    return ids;
  }

  /** One entry per id, in the order asked: the record, or null when unknown or failing a filter. */
  getMany(ids: readonly string[], filters: readonly IndexFilter<K>[]): (T | null)[] {
    const sets = filters.map((filter) => this.idsWhere(filter.index, filter.values));
    return this.records
      .getMany(ids)
      .map((record) => (record && sets.every((set) => set.has(record.id)) ? record : null));
  }

  /**
   * A page, in creation order, of the records that pass every filter (all records when there is
   * none). Starts from the smallest candidate set and checks the other filters per record.
   */
  find(filters: readonly IndexFilter<K>[], first: number, after: string | null | undefined): Page<T> {
    if (filters.length === 0) return this.records.page(first, after);
    const candidates = filters
      .map((filter) => ({ filter, ids: this.idsWhere(filter.index, filter.values) }))
      .sort((a, b) => a.ids.size - b.ids.size);
    const [smallest, ...others] = candidates as [(typeof candidates)[number], ...typeof candidates];
    const rest = others.map(({ ids }) => ids);
    return this.records.pageAmong(smallest.ids, first, after, (record) => rest.every((ids) => ids.has(record.id)));
  }

  private index(name: K): Map<string, Set<string>> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`);
    return index;
  }

  private addKeys(record: T): void {
    for (const [name, definition] of this.entries()) {
      const key = definition.key(record);
      if (key === null) continue;
      const index = this.index(name);
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(record.id);
    }
  }

  private removeKeys(record: T): void {
    for (const [name, definition] of this.entries()) {
      const key = definition.key(record);
      if (key === null) continue;
      const index = this.index(name);
      const ids = index.get(key);
      ids?.delete(record.id);
      if (ids?.size === 0) index.delete(key);
    }
  }

  private entries(): Array<[K, IndexDefinition<T>]> {
    return Object.entries(this.definitions) as Array<[K, IndexDefinition<T>]>;
  }
}

function identity(value: string): string {
  return value;
}

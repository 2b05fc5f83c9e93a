import { BadUserInputError, NotFoundError, VersionConflictError } from '../../errors.js';
import { RecordStore, type StoredRecord } from '../core/index.js';
import type { FieldRule, FieldTable } from './fields.js';
import type { CustomerpRecord, FieldsOf, SeedFieldsOf } from './records.js';
import { validateCreate, validateUpdate } from './validation.js';

export interface EntityDefinition<R extends CustomerpRecord> {
  /** e.g. `Employee`, for messages. */
  name: string;
  /** e.g. `emp` for ids `emp-1`, … */
  idPrefix: string;
  fields: FieldTable<R>;
  /** Fields whose values no two records share, compared ignoring letter case (numbered fields among them). */
  unique: ReadonlyArray<keyof FieldsOf<R> & string>;
  /**
   * Rules across fields or entities, checked on the record as it would be after the write;
   * `given` holds the input's fields (all of them on create). Throws BadUserInputError.
   */
  check?: (next: Readonly<Record<string, unknown>>, given: Readonly<Record<string, unknown>>) => void;
}

/**
 * One Customerp entity: a RecordStore plus what the ERP enforces on top of it — field validation
 * from the entity's field table, unique keys, assigned numbers (`E-00001`) and optimistic
 * concurrency on `version`. Every check runs before anything is written.
 */
export class EntityTable<R extends CustomerpRecord> {
  readonly store: RecordStore<R>;
  /** For each unique field: lower-cased value → id of the record holding it. */
  private readonly indexes = new Map<string, Map<string, string>>();
  private readonly numbered: { field: string; prefix: string } | undefined;
  private nextNumber = 1;

  constructor(
    private readonly definition: EntityDefinition<R>,
    clock: () => Date,
  ) {
    this.store = new RecordStore<R>(definition.idPrefix, clock);
    for (const field of definition.unique) this.indexes.set(field, new Map());
    for (const [field, rule] of Object.entries(definition.fields) as Array<[string, FieldRule]>) {
      if (rule.type === 'string' && rule.numbered) this.numbered = { field, prefix: rule.numbered };
    }
  }

  get(id: string): R | undefined {
    return this.store.get(id);
  }

  /** Validates and inserts; answers the new record (version 1). */
  create(input: Readonly<Record<string, unknown>>): R {
    const fields = validateCreate(this.definition.fields, input);
    const number = this.numbered && fields[this.numbered.field] === null ? this.peekNumber() : undefined;
    if (this.numbered && number) fields[this.numbered.field] = number.value;
    this.checkUnique(fields, undefined);
    this.definition.check?.(fields, fields);
    const record = this.insert(fields);
    // Taken only now, so a rejected create does not use up a number.
    if (number) this.nextNumber = number.next;
    return record;
  }

  /** Inserts trusted seed data: no validation; the numbered field, if any, is assigned in order. */
  seed(fields: SeedFieldsOf<R>): R {
    if (!this.numbered) return this.insert(fields);
    const number = this.peekNumber();
    this.nextNumber = number.next;
    return this.insert({ [this.numbered.field]: number.value, ...fields });
  }

  /**
   * Applies a partial update (omitted fields left alone, null clears). NOT_FOUND for an unknown id,
   * VERSION_CONFLICT when `expectedVersion` is given and is not the current version.
   */
  update(id: string, input: Readonly<Record<string, unknown>>, expectedVersion: number | null | undefined): R {
    const current = this.store.get(id);
    if (!current) throw new NotFoundError(`${this.definition.name} ${id} does not exist`);
    this.checkVersion(current, expectedVersion);
    const patch = validateUpdate(this.definition.fields, input);
    const next = { ...current, ...patch } as Record<string, unknown>;
    this.checkUnique(next, id);
    this.definition.check?.(next, patch);
    return this.write(current, patch);
  }

  /** Sets `field` to null on every record that holds `value` there (a deleted reference target). */
  clearReference(field: keyof FieldsOf<R> & string, value: string): R[] {
    const holders = [...this.store.all()].filter((record) => valueOf(record, field) === value);
    return holders.map((record) => this.write(record, { [field]: null }));
  }

  /** False for an unknown id; VERSION_CONFLICT when `expectedVersion` is given and stale. */
  delete(id: string, expectedVersion: number | null | undefined): boolean {
    const current = this.store.get(id);
    if (!current) return false;
    this.checkVersion(current, expectedVersion);
    this.store.delete(id);
    for (const [field, index] of this.indexes) {
      const key = keyOf(valueOf(current, field));
      if (key !== undefined && index.get(key) === id) index.delete(key);
    }
    return true;
  }

  private insert(fields: Readonly<Record<string, unknown>>): R {
    const record = this.store.insert((meta) => build(meta, fields) as R);
    this.index(record, undefined);
    return record;
  }

  private write(current: R, patch: Readonly<Record<string, unknown>>): R {
    const next = this.store.update(current.id, (record, meta) => build(meta, { ...record, ...patch }) as R);
    this.index(next, current);
    return next;
  }

  private checkVersion(current: R, expectedVersion: number | null | undefined): void {
    if (expectedVersion != null && expectedVersion !== current.revision) {
      throw new VersionConflictError(
        `${this.definition.name} ${current.id} is at version ${current.revision}, not ${expectedVersion}`,
      );
    }
  }

  private checkUnique(fields: Readonly<Record<string, unknown>>, ownId: string | undefined): void {
    for (const [field, index] of this.indexes) {
      const key = keyOf(fields[field]);
      const holder = key === undefined ? undefined : index.get(key);
      if (holder !== undefined && holder !== ownId) {
        throw new BadUserInputError(
          `${field} ${JSON.stringify(fields[field])} is already used by ${this.definition.name} ${holder}`,
          field,
        );
      }
    }
  }

  private index(record: R, previous: R | undefined): void {
    for (const [field, index] of this.indexes) {
      const key = keyOf(valueOf(record, field));
      const before = previous && keyOf(valueOf(previous, field));
      if (before !== undefined && before !== key && index.get(before) === record.id) index.delete(before);
      if (key !== undefined) index.set(key, record.id);
    }
  }

  /**
   * The next unused number, e.g. `E-00031`, and where to look after it: skips numbers that clients
   * set themselves, and never hands out a number twice, even one whose record was deleted.
   */
  private peekNumber(): { value: string; next: number } {
    const { field, prefix } = this.numbered as { field: string; prefix: string };
    const index = this.indexes.get(field);
    for (let n = this.nextNumber; ; n++) {
      const value = `${prefix}${`${n}`.padStart(5, '0')}`;
      if (!index?.has(value.toLowerCase())) return { value, next: n + 1 };
    }
  }
}

/**
 * A record as stored: id first, then its fields in table order, then the bookkeeping. `fields` may
 * be a whole previous record: its id and bookkeeping are overwritten.
 */
function build(meta: StoredRecord, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    id: meta.id,
    ...fields,
    version: meta.revision,
    updatedAt: meta.modifiedAt,
    revision: meta.revision,
    modifiedAt: meta.modifiedAt,
  };
}

function keyOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

function valueOf(record: CustomerpRecord, field: string): unknown {
  return (record as unknown as Record<string, unknown>)[field];
}

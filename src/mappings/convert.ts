import type { SystemName } from '../errors.js';
import { sameCanonicalValue, type CanonicalValue, type CanonicalValues } from './canonical.js';
import { isConstant, mappedProperties, referenceProperties, type MappedProperty, type Mapping } from './dataflow.js';
import type { InputScalar, SystemInput, SystemRecord } from './records.js';

/**
 * The generic engine: applies any mapping table both ways. Pure: references are translated through a
 * ReferenceResolver whose lookups the caller has preloaded (see referencedRecordIds / referencedLinkIds).
 */

/** Synchronous link lookups, answered from links the caller loaded in a batch beforehand. */
export interface ReferenceResolver {
  /** The link id of a record of `system` (of `type` there), or null when it has no link (yet). */
  linkIdOf(system: SystemName, type: string, recordId: string): string | null;
  /** The id of the linked record on `system`, or null when the link has no record there (yet). */
  recordIdOf(linkId: string, system: SystemName): string | null;
}

/**
 * A reference that could not be translated, so the field was left out rather than written dangling.
 * Reading a record (`idKind: 'record'`): `id` is a record of `system` that has no link yet.
 * Writing to a system (`idKind: 'link'`): `id` is a link with no record on `system` yet.
 */
export interface DeferredReference {
  field: string;
  system: SystemName;
  /** The target's type in `system`, e.g. `Employee`. */
  type: string;
  id: string;
  idKind: 'record' | 'link';
}

export interface CanonicalConversion {
  values: CanonicalValues;
  deferred: DeferredReference[];
}

export interface InputConversion {
  input: SystemInput;
  deferred: DeferredReference[];
}

type Fields = Readonly<Record<string, unknown>>;

/** The field (or one-level path) that holds `property` in `system`'s records. */
export function systemFieldOf(property: MappedProperty, system: SystemName): string {
  return system === 'CUSTOMERP' ? property.customerp : property.crmoffice;
}

function readPath(record: Fields | null | undefined, path: string): unknown {
  const dot = path.indexOf('.');
  if (dot < 0) return record?.[path];
  const nested = record?.[path.slice(0, dot)];
  return typeof nested === 'object' && nested !== null ? readPath(nested as Fields, path.slice(dot + 1)) : undefined;
}

/** Sets a field of an input; a path `a.b` goes into the nested object `a`, created from `seed` leaves. */
function writePath(
  input: SystemInput,
  path: string,
  value: InputScalar,
  seed: () => { [field: string]: InputScalar },
): void {
  const dot = path.indexOf('.');
  if (dot < 0) {
    input[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  const existing = input[head];
  const nested = typeof existing === 'object' && existing !== null ? existing : seed();
  nested[path.slice(dot + 1)] = value;
  input[head] = nested;
}

function rawId(raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof raw !== 'string') throw new TypeError(`expected an id, got ${JSON.stringify(raw)}`);
  return raw;
}

function decode(mapping: Mapping, property: MappedProperty, system: SystemName, raw: unknown): CanonicalValue {
  try {
    return property.codec.kind === 'reference' ? rawId(raw) : property.codec.sides[system].decode(raw);
  } catch (error) {
    const what = system === 'CUSTOMERP' ? 'Customerp' : 'Crmoffice';
    throw new TypeError(`${what} ${mapping.name} ${systemFieldOf(property, system)}: ${(error as Error).message}`);
  }
}

/** Canonical → a system's value; `undefined` when a reference cannot be translated yet (reported in `deferred`). */
function encode(
  property: MappedProperty,
  system: SystemName,
  value: CanonicalValue,
  resolver: ReferenceResolver,
  deferred: DeferredReference[],
): InputScalar | undefined {
  const codec = property.codec;
  if (codec.kind === 'value') return codec.sides[system].encode(value);
  if (typeof value !== 'string') return null;
  const recordId = resolver.recordIdOf(value, system);
  if (recordId === null) {
    deferred.push({ field: property.field, system, type: codec.targets[system], id: value, idKind: 'link' });
    return undefined;
  }
  return recordId;
}

/** A record of `system` → its canonical values; untranslatable references are left out and reported. */
export function toCanonical(
  mapping: Mapping,
  system: SystemName,
  record: SystemRecord,
  resolver: ReferenceResolver,
): CanonicalConversion {
  const fields: Fields = record;
  const values: CanonicalValues = {};
  const deferred: DeferredReference[] = [];
  for (const property of mappedProperties(mapping)) {
    const value = decode(mapping, property, system, readPath(fields, systemFieldOf(property, system)));
    if (property.codec.kind === 'reference' && typeof value === 'string') {
      const type = property.codec.targets[system];
      const linkId = resolver.linkIdOf(system, type, value);
      if (linkId === null) {
        deferred.push({ field: property.field, system, type, id: value, idKind: 'record' });
        continue;
      }
      values[property.field] = linkId;
    } else {
      values[property.field] = value;
    }
  }
  return { values, deferred };
}

/** Leaves of a nested input object, all null: a nested object is always written whole. */
function emptyNested(mapping: Mapping, head: string): { [field: string]: InputScalar } {
  const nested: { [field: string]: InputScalar } = {};
  for (const property of mapping.properties) {
    if (property.crmoffice.startsWith(`${head}.`)) nested[property.crmoffice.slice(head.length + 1)] = null;
  }
  return nested;
}

/**
 * The create input for `system` from canonical values: every non-null value, default mappings, and on
 * Crmoffice the dataflow's constants (`contactType`, `type`).
 */
export function toCreateInput(
  mapping: Mapping,
  system: SystemName,
  values: Readonly<CanonicalValues>,
  resolver: ReferenceResolver,
): InputConversion {
  const input: SystemInput = {};
  const deferred: DeferredReference[] = [];
  for (const property of mappedProperties(mapping)) {
    const value = values[property.field];
    if (value === undefined || value === null) continue;
    const path = systemFieldOf(property, system);
    const raw = encode(property, system, value, resolver, deferred);
    if (raw !== undefined) writePath(input, path, raw, () => emptyNested(mapping, headOf(path)));
  }
  if (system === 'CRMOFFICE') {
    for (const property of mapping.properties) if (isConstant(property)) input[property.crmoffice] = property.constant;
  }
  return { input, deferred };
}

function headOf(path: string): string {
  return path.slice(0, path.indexOf('.'));
}

/** The current nested object's own leaves, so that an update that writes it whole keeps the rest. */
function currentNested(mapping: Mapping, current: Fields, head: string): { [field: string]: InputScalar } {
  const nested = emptyNested(mapping, head);
  const existing = current[head];
  if (typeof existing === 'object' && existing !== null) {
    for (const [key, leaf] of Object.entries(existing)) {
      if (!key.startsWith('__') && (typeof leaf === 'string' || typeof leaf === 'boolean' || leaf === null))
        nested[key] = leaf;
    }
  }
  return nested;
}

/**
 * The update input for `system`: only the fields of `values` (absent = leave alone) whose canonical
 * value differs from what `current` already means. So an echo gives `{}`, and a lossy value that
 * already maps to the canonical one stays (IN_PROGRESS leaves ON_HOLD alone). A nested object that
 * changes is written whole, its other leaves from `current`.
 */
export function diffForUpdate(
  mapping: Mapping,
  system: SystemName,
  values: Readonly<CanonicalValues>,
  current: SystemRecord,
  resolver: ReferenceResolver,
): InputConversion {
  const fields: Fields = current;
  const input: SystemInput = {};
  const deferred: DeferredReference[] = [];
  for (const property of mappedProperties(mapping)) {
    const value = values[property.field];
    if (value === undefined) continue;
    const path = systemFieldOf(property, system);
    const currentRaw = readPath(fields, path);
    let raw: InputScalar | undefined;
    if (property.codec.kind === 'reference') {
      // Compare record ids on the target side: the current id needs no link to be known.
      raw = encode(property, system, value, resolver, deferred);
      if (raw === undefined || raw === rawId(currentRaw)) continue;
    } else {
      if (isUnchanged(mapping, property, system, currentRaw, value)) continue;
      raw = encode(property, system, value, resolver, deferred);
    }
    if (raw !== undefined) writePath(input, path, raw, () => currentNested(mapping, fields, headOf(path)));
  }
  return { input, deferred };
}

function isUnchanged(
  mapping: Mapping,
  property: MappedProperty,
  system: SystemName,
  currentRaw: unknown,
  value: CanonicalValue,
): boolean {
  try {
    return sameCanonicalValue(decode(mapping, property, system, currentRaw), value);
  } catch {
    return false; // a malformed current value is overwritten
  }
}

/**
 * Record ids that `records` of `system` reference, by target type, for preloading
 * `ReferenceResolver.linkIdOf` in one batch: `{ Employee: ['e1', 'e2'], Product: ['p3'] }`.
 */
export function referencedRecordIds(
  mapping: Mapping,
  system: SystemName,
  records: readonly SystemRecord[],
): Record<string, string[]> {
  const byType: Record<string, Set<string>> = {};
  for (const property of referenceProperties(mapping)) {
    const ids = (byType[property.codec.targets[system]] ??= new Set());
    for (const record of records) {
      const id = rawId(readPath(record, systemFieldOf(property, system)));
      if (id !== null) ids.add(id);
    }
  }
  return Object.fromEntries(Object.entries(byType).map(([type, ids]) => [type, [...ids]]));
}

/** Link ids that canonical `values` reference, for preloading `ReferenceResolver.recordIdOf` in one batch. */
export function referencedLinkIds(mapping: Mapping, values: readonly Readonly<CanonicalValues>[]): string[] {
  const ids = new Set<string>();
  for (const property of referenceProperties(mapping)) {
    for (const entry of values) {
      const id = entry[property.field];
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids];
}

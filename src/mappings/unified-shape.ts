import { inputFieldOf, unifiedFields, type CanonicalValues } from './canonical.js';
import { utcDateOf } from './codecs.js';
import { mappedProperties, type Mapping } from './dataflow.js';

/**
 * Between the unified API's shapes (nested `address`, `ownerId` in inputs, DateTime) and flat
 * canonical values.
 */

/**
 * A unified create/update input → canonical fields, not yet validated: nested objects are flattened to
 * leaf fields (`address: null` clears every leaf), `ownerId`/`companyId` become `owner`/`company`,
 * date-times become their UTC date, '' becomes null. Keys that are no field of the unified type
 * (`kind`, `idempotencyKey`) are dropped; fields of the type that this mapping does not synchronize are
 * kept, so that validation rejects them.
 */
export function canonicalFromInput(
  mapping: Mapping,
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const fields: readonly string[] = unifiedFields[mapping.unifiedType];
  const dateFields = new Set(
    mappedProperties(mapping)
      .filter((p) => p.codec.valueType.kind === 'date')
      .map((p) => p.field),
  );
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const dot = field.indexOf('.');
    let value: unknown;
    if (dot < 0) {
      value = input[inputFieldOf(mapping.unifiedType, field)];
    } else {
      const nested = input[field.slice(0, dot)];
      if (nested === null) value = null;
      else if (typeof nested === 'object') value = (nested as Record<string, unknown>)[field.slice(dot + 1)];
    }
    if (value === undefined) continue;
    if (value === '') value = null;
    if (dateFields.has(field) && typeof value === 'string') value = utcDateOf(value) ?? value;
    values[field] = value;
  }
  return values;
}

/**
 * Canonical values → the unified type's output fields: leaf fields nested again (`address` is null when
 * every leaf is), dates as DateTime at 00:00 UTC; references stay link ids under `owner`/`company`.
 */
export function toUnifiedFields(mapping: Mapping, values: Readonly<CanonicalValues>): Record<string, unknown> {
  const dateFields = new Set(
    mappedProperties(mapping)
      .filter((p) => p.codec.valueType.kind === 'date')
      .map((p) => p.field),
  );
  const output: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    const dot = field.indexOf('.');
    if (dot < 0) {
      output[field] = dateFields.has(field) && typeof value === 'string' ? `${value}T00:00:00.000Z` : value;
      continue;
    }
    const head = field.slice(0, dot);
    const nested = (output[head] as Record<string, unknown> | null | undefined) ?? {};
    nested[field.slice(dot + 1)] = value;
    output[head] = nested;
  }
  for (const [head, nested] of Object.entries(output)) {
    if (typeof nested === 'object' && nested !== null && Object.values(nested).every((leaf) => leaf === null))
      output[head] = null;
  }
  return output;
}

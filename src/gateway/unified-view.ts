import type { SystemName } from '../errors.js';
import type { CrmofficeRef, CustomerpRef, Link } from '../links/index.js';
import {
  crmofficeOnly,
  mappedProperties,
  referencedRecordIds,
  toCanonical,
  toUnifiedFields,
  withoutDigests,
  type CanonicalValues,
  type CrmofficeRecord,
  type CustomerpRecord,
  type Mapping,
  type ReferenceResolver,
  type SystemRecord,
} from '../mappings/index.js';
import { mappingOfLink, threeWayMerge } from '../reconcile/index.js';
import type { GatewayLoaders } from './loaders/index.js';

/** One side of a link as this request found it. */
export type Side<R extends SystemRecord> =
  /** The link has no record in this system. */
  | { kind: 'none' }
  | { kind: 'found'; record: R }
  /** The link names a record the system no longer has (a delete not synced yet). */
  | { kind: 'gone' }
  /** The system could not be read (UpstreamUnavailableError, or whatever else went wrong). */
  | { kind: 'failed'; error: Error };

export interface Sides {
  customerp: Side<CustomerpRecord>;
  crmoffice: Side<CrmofficeRecord>;
}

/** The unified output fields of a record: `toUnifiedFields` of its merged canonical values. */
export type UnifiedFields = Readonly<Record<string, unknown>>;

const EPOCH = new Date(0).toISOString();

/**
 * The unified view of links for one request: each side's live record (through the record loaders)
 * and the unified values, computed once per link and shared by every field that needs them.
 *
 * Unified values are both sides' canonical values (the mapping tables, as sync uses them) three-way
 * merged against the link's snapshot: the synced values, and the newer side's where the two differ
 * (PENDING, CONFLICT). A side that cannot be read counts as unknown, so the other side (or the
 * snapshot) stands; only when every side of the link fails do the values fail, with that error.
 */
export class UnifiedViews {
  private readonly sides = new Map<string, Promise<Side<SystemRecord>>>();
  private readonly values = new Map<string, Promise<UnifiedFields>>();

  constructor(private readonly loaders: GatewayLoaders) {}

  /** Both sides of the link, each loaded once per request. */
  async sidesOf(link: Link): Promise<Sides> {
    const [customerp, crmoffice] = await Promise.all([this.sideOf(link, 'CUSTOMERP'), this.sideOf(link, 'CRMOFFICE')]);
    return { customerp: customerp as Side<CustomerpRecord>, crmoffice: crmoffice as Side<CrmofficeRecord> };
  }

  /** The record on `system`'s side, null when there is none; throws when that system could not be read. */
  async recordOf(link: Link, system: SystemName): Promise<SystemRecord | null> {
    const side = await this.sideOf(link, system);
    if (side.kind === 'failed') throw side.error;
    return side.kind === 'found' ? side.record : null;
  }

  /** The unified fields of the link (see the class comment); throws when no side could be read. */
  valuesOf(link: Link): Promise<UnifiedFields> {
    let values = this.values.get(link._id);
    if (!values) {
      values = this.computeValues(link);
      this.values.set(link._id, values);
    }
    return values;
  }

  /** One side, loaded once per request and on its own: a field that needs one system never waits for the other. */
  private sideOf(link: Link, system: SystemName): Promise<Side<SystemRecord>> {
    const key = `${system}:${link._id}`;
    let side = this.sides.get(key);
    if (!side) {
      if (system === 'CUSTOMERP') side = link.customerp ? settle(this.loaders.customerp.load(link.customerp)) : none();
      else side = link.crmoffice ? settle(this.loaders.crmoffice.load(link.crmoffice)) : none();
      this.sides.set(key, side);
    }
    return side;
  }

  private async computeValues(link: Link): Promise<UnifiedFields> {
    const sides = await this.sidesOf(link);
    const present = [sides.customerp, sides.crmoffice].filter((side) => side.kind !== 'none');
    const failure = present.find((side): side is { kind: 'failed'; error: Error } => side.kind === 'failed');
    if (failure && present.every((side) => side.kind === 'failed')) throw failure.error;

    const mapping = mappingOfLink(link);
    const resolver = await this.referenceResolver(mapping, sides);
    const canonical = (system: SystemName, side: Side<SystemRecord>): CanonicalValues =>
      side.kind === 'found' ? toCanonical(mapping, system, side.record, resolver).values : {};
    const { merged } = threeWayMerge({
      base: link.snapshot,
      customerp: canonical('CUSTOMERP', sides.customerp),
      crmoffice: canonical('CRMOFFICE', sides.crmoffice),
      customerpModifiedAt: sides.customerp.kind === 'found' ? sides.customerp.record.updatedAt : EPOCH,
      crmofficeModifiedAt: sides.crmoffice.kind === 'found' ? sides.crmoffice.record.modifiedAt : EPOCH,
    });
    // A value only the snapshot knows, as a digest (both sides unreadable for it), is not shown.
    const known = withoutDigests(merged);
    const own: CanonicalValues = {};
    for (const { field } of mappedProperties(mapping)) if (known[field] !== undefined) own[field] = known[field];
    const unified = toUnifiedFields(mapping, own);
    // Fields the dataflow does not carry (a customer contact's mobile, an employee's address) are
    // Crmoffice's alone: show them as Crmoffice holds them rather than as empty.
    if (link.customerp && link.crmoffice && sides.crmoffice.kind === 'found') {
      const crmView = crmofficeOnly[link.crmoffice.type];
      const mapped = new Set(mappedProperties(mapping).map((p) => p.field));
      const extra: CanonicalValues = {};
      for (const [field, value] of Object.entries(
        toCanonical(crmView, 'CRMOFFICE', sides.crmoffice.record, resolver).values,
      )) {
        if (!mapped.has(field)) extra[field] = value;
      }
      return { ...toUnifiedFields(crmView, extra), ...unified };
    }
    return unified;
  }

  /** Loads (one batch for all links of the tick) the links of the records that the sides reference. */
  private async referenceResolver(mapping: Mapping, sides: Sides): Promise<ReferenceResolver> {
    const wanted: { system: SystemName; type: string; id: string }[] = [];
    for (const [system, side] of [
      ['CUSTOMERP', sides.customerp],
      ['CRMOFFICE', sides.crmoffice],
    ] as const) {
      if (side.kind !== 'found') continue;
      for (const [type, ids] of Object.entries(referencedRecordIds(mapping, system, [side.record]))) {
        for (const id of ids) wanted.push({ system, type, id });
      }
    }
    const linkIds = new Map<string, string>();
    if (wanted.length > 0) {
      const links = await this.loaders.byRef.loadMany(
        wanted.map(({ system, type, id }) => ({ system, ref: { type, id } as CustomerpRef | CrmofficeRef })),
      );
      wanted.forEach(({ system, type, id }, i) => {
        const link = links[i];
        if (link instanceof Error) throw link;
        if (link) linkIds.set(`${system}:${type}:${id}`, link._id);
      });
    }
    return {
      linkIdOf: (system, type, recordId) => linkIds.get(`${system}:${type}:${recordId}`) ?? null,
      recordIdOf: () => null,
    };
  }
}

function none(): Promise<Side<SystemRecord>> {
  return Promise.resolve({ kind: 'none' });
}

async function settle(load: Promise<SystemRecord | null>): Promise<Side<SystemRecord>> {
  try {
    const record = await load;
    return record ? { kind: 'found', record } : { kind: 'gone' };
  } catch (error) {
    return { kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
  }
}

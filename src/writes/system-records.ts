import type { SystemName } from '../errors.js';
import type { SystemInput, SystemRecord } from '../mappings/index.js';
import { apiOf, type SystemApis } from '../upstreams/index.js';
import type { OperationRef } from './operation.js';

/** Records this process has just read, fresh enough to write against (their tokens guard the write). */
export type KnownRecords = Partial<Record<SystemName, SystemRecord>>;

/**
 * Both systems' records as one run of an operation reads and writes them, addressed by system name.
 * `known` holds the last record this run saw of each system, so a step does not read it again.
 */
export class SystemRecords {
  constructor(
    readonly apis: SystemApis,
    readonly known: KnownRecords,
  ) {}

  /** The record of `type` `id` in `system`, or null when there is none. */
  getOne(system: SystemName, type: string, id: string): Promise<SystemRecord | null> {
    return apiOf(this.apis, system)
      .getMany(type, [id])
      .then((records) => records[0] ?? null);
  }

  /** The record of `ref` as this run last saw it, or read now (and remembered). */
  async current(system: SystemName, ref: OperationRef): Promise<SystemRecord | null> {
    const known = this.known[system];
    if (known?.id === ref.id) return known;
    const record = await this.getOne(system, ref.type, ref.id);
    if (record) this.known[system] = record;
    return record;
  }

  /** Creates a record. Not retry-safe: the create step marks it sent before calling this. */
  create(system: SystemName, type: string, input: SystemInput): Promise<SystemRecord> {
    return apiOf(this.apis, system).create(type, input);
  }

  /** Updates the fields of `input`; a `token` that is no longer current fails as a concurrency conflict. */
  update(system: SystemName, type: string, id: string, input: SystemInput, token: string): Promise<SystemRecord> {
    return apiOf(this.apis, system).update(type, id, input, token);
  }

  /** Deletes a record without a concurrency token (a delete wins anyway); false when it was gone already. */
  remove(system: SystemName, type: string, id: string): Promise<boolean> {
    return apiOf(this.apis, system).remove(type, id, null);
  }

  /** The concurrency token `update` takes for `record`. */
  tokenOf(system: SystemName, record: SystemRecord): string {
    return apiOf(this.apis, system).tokenOf(record);
  }

  /** When `record` was last modified (ISO 8601). */
  modifiedAtOf(system: SystemName, record: SystemRecord): string {
    return apiOf(this.apis, system).modifiedAtOf(record);
  }
}

import type { SystemName } from '../errors.js';
import type { SystemInput, SystemRecord } from '../mappings/index.js';

/** One entry of a system's change feed. */
export interface FeedChange {
  id: string;
  op: 'UPSERT' | 'DELETE';
  version: number;
  at: string;
}

export interface FeedPage {
  items: FeedChange[];
  cursor: string;
  hasMore: boolean;
}

/**
 * What the sync engine and the write path need of one system, per record type, whatever the
 * system's own operation names are. Implemented by `CustomerpApi` and `CrmofficeApi` over
 * graphql-request with the codegen'd operations in schema/operations/.
 */
export interface SystemApi<Type extends string> {
  readonly system: SystemName;
  /** One entry per id, in order, null for unknown ids; large lists are split into several requests. */
  getMany(type: Type, ids: readonly string[]): Promise<(SystemRecord | null)[]>;
  create(type: Type, input: SystemInput): Promise<SystemRecord>;
  /** `token` is the record's concurrency token; a stale one fails with an UpstreamRejectedError whose isConcurrencyConflict is true. */
  update(type: Type, id: string, input: SystemInput, token: string | null): Promise<SystemRecord>;
  remove(type: Type, id: string, token: string | null): Promise<boolean>;
  changes(type: Type, since: string | null, limit: number): Promise<FeedPage>;
  /** The concurrency token of a record of this system, as `update` takes it. */
  tokenOf(record: SystemRecord): string;
  /** When the record was last modified (ISO 8601). */
  modifiedAtOf(record: SystemRecord): string;
}

/** Largest `ids` list one bulk request carries (the reference systems accept up to 1000). */
export const BULK_READ_LIMIT = 500;

/** A system answered a bulk read with entries that are not the records asked for, in the order asked. */
export class BulkReadMismatchError extends Error {
  constructor(
    readonly asked: readonly string[],
    readonly answered: readonly (string | null)[],
  ) {
    super(
      `a bulk read of ${asked.length} ids answered ${answered.length} entries, not one per id in order (first mismatch: asked ${JSON.stringify(asked[firstMismatch(asked, answered)])}, got ${JSON.stringify(answered[firstMismatch(asked, answered)])})`,
    );
    this.name = 'BulkReadMismatchError';
  }
}

/**
 * Splits `ids` into chunks and reads them with `read`, keeping the order asked. Each chunk's answer
 * must hold one entry per id, in order, null for an unknown id (the systems' contract): anything else
 * is a BulkReadMismatchError, never records silently paired with the wrong ids.
 */
export async function readInChunks<T extends { id: string }>(
  ids: readonly string[],
  read: (chunk: string[]) => Promise<readonly (T | null)[]>,
): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BULK_READ_LIMIT) chunks.push(ids.slice(i, i + BULK_READ_LIMIT));
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const answer = await read(chunk);
      const answered = answer.map((entry) => entry?.id ?? null);
      if (firstMismatch(chunk, answered) !== -1) throw new BulkReadMismatchError(chunk, answered);
      return answer;
    }),
  );
  return results.flat();
}

/** The index of the first entry that is neither null nor the id asked there; -1 when all fit. */
function firstMismatch(asked: readonly string[], answered: readonly (string | null)[]): number {
  const length = Math.max(asked.length, answered.length);
  for (let i = 0; i < length; i++) {
    if (i >= asked.length || i >= answered.length) return i;
    if (answered[i] !== null && answered[i] !== asked[i]) return i;
  }
  return -1;
}

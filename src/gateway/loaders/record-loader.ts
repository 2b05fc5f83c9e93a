import DataLoader from 'dataloader';
import { UpstreamUnavailableError } from '../../errors.js';
import type { SystemRecord } from '../../mappings/index.js';
import type { SystemApi } from '../../upstreams/index.js';
import type { RequestOutages } from './outages.js';
import type { LoaderOptions } from './loader-options.js';

/** A record of one system, by its type there and its id. */
export interface RecordKey<Type extends string> {
  type: Type;
  id: string;
}

/** Loads one system's records; resolves null for a record the system does not have. */
export interface RecordLoader<Type extends string> {
  load(key: RecordKey<Type>): Promise<SystemRecord | null>;
}

/**
 * A per-request loader of one system's records: one DataLoader per record type, so every load of a
 * tick becomes one bulk `ids` read per type, answered in key order, and each type's answer is
 * delivered as soon as it arrives (a slow type never holds back, or merges the next level of, another).
 * When the system cannot be reached, each key of the batch gets the UpstreamUnavailableError (so only
 * the fields that need it fail) and `outages` remembers it, so later batches fail without waiting again.
 */
export function createRecordLoader<Type extends string>(
  api: SystemApi<Type>,
  outages: RequestOutages,
  options: LoaderOptions = {},
): RecordLoader<Type> {
  const loaders = new Map<Type, DataLoader<string, SystemRecord | null>>();
  const loaderOf = (type: Type): DataLoader<string, SystemRecord | null> => {
    let loader = loaders.get(type);
    if (!loader) {
      loader = new DataLoader<string, SystemRecord | null>(async (ids) => {
        const down = outages.of(api.system);
        if (down) return ids.map(() => down);
        try {
          return await api.getMany(type, ids);
        } catch (error) {
          if (error instanceof UpstreamUnavailableError) outages.record(error);
          const failure = error instanceof Error ? error : new Error(String(error));
          return ids.map(() => failure);
        }
      }, options);
      loaders.set(type, loader);
    }
    return loader;
  };
  return { load: ({ type, id }) => loaderOf(type).load(id) };
}

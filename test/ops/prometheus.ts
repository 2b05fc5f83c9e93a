/**
 * The samples of a Prometheus text exposition, keyed `name{label="value",…}` with labels sorted
 * (`name` alone when it has none). Enough for the gateway's counters, gauges and histograms.
 */
export type Samples = Map<string, number>;

export function parseExposition(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, value] = match as unknown as [string, string, string | undefined, string];
    const labels = [...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, key, val]) => `${key}="${val}"`)
      .sort();
    samples.set(labels.length ? `${name}{${labels.join(',')}}` : name, Number(value));
  }
  return samples;
}

/** `name{a="1",b="2"}` from a name and labels, as parseExposition keys samples. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/**
 * The samples that changed between two scrapes, as `{ key: after - before }` (a sample new in
 * `after` counts from 0), for the keys starting with one of `prefixes`.
 */
export function deltas(before: Samples, after: Samples, prefixes: readonly string[]): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!prefixes.some((prefix) => key.startsWith(prefix))) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) changed[key] = delta;
  }
  return changed;
}

/** GETs `/metrics` and parses it. */
export async function scrape(origin: string): Promise<Samples> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}

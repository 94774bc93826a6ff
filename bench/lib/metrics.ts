// Reads deskgraph's GET /metrics (Prometheus text) and turns two scrapes into per-window deltas,
// summed across instances.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    if (match[3]) for (const m of match[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return samples;
}

export async function scrape(origin: string): Promise<Sample[]> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`GET ${origin}/metrics answered ${response.status}`);
  return parsePrometheus(await response.text());
}

export async function scrapeAll(origins: string[]): Promise<Sample[]> {
  return (await Promise.all(origins.map(scrape))).flat();
}

/** Sum of every series of a metric, optionally only those whose labels match. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** Sums per value of one label (e.g. hits by layer). */
function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[s.labels[label] ?? ''] = (out[s.labels[label] ?? ''] ?? 0) + s.value;
  return out;
}

export interface CacheCounters {
  hits: number;
  hitsByLayer: Record<string, number>;
  hitsByPath: Record<string, number>;
  misses: number;
  hitsByOperation: Record<string, number>;
  missesByOperation: Record<string, number>;
  bypass: number;
  stores: Record<string, number>;
  /** deskgraph_cache_warms_total by outcome: the warmer's executions (not client reads). */
  warms: Record<string, number>;
  evictions: Record<string, number>;
  invalidations: number;
  cacheErrors: number;
  /**
   * deskgraph_sql_statements_total: every statement the process sent, counted at the driver adapter when
   * it is sent. Not the per-request histogram's _sum: a request whose client hangs up (autocannon closing
   * its window) is observed there with the statements it had sent by then, and the rest it runs after go
   * uncounted (the N+1 list read 115 statements a request instead of 157).
   */
  sqlStatements: number;
  /** deskgraph_sql_statements_count: requests that went through GraphQL. */
  sqlObservations: number;
  /** Requests the servers timed (deskgraph_request_duration_seconds_count), by cache outcome. */
  requestsByCache: Record<string, number>;
}

export function counters(samples: Sample[]): CacheCounters {
  const evictions: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== 'deskgraph_cache_evictions_total') continue;
    const key = `${s.labels.layer}/${s.labels.reason}`;
    evictions[key] = (evictions[key] ?? 0) + s.value;
  }
  return {
    hits: total(samples, 'deskgraph_cache_hits_total'),
    hitsByLayer: byLabel(samples, 'deskgraph_cache_hits_total', 'layer'),
    hitsByPath: byLabel(samples, 'deskgraph_cache_hits_total', 'path'),
    misses: total(samples, 'deskgraph_cache_misses_total'),
    hitsByOperation: byLabel(samples, 'deskgraph_cache_hits_total', 'operation'),
    missesByOperation: byLabel(samples, 'deskgraph_cache_misses_total', 'operation'),
    bypass: total(samples, 'deskgraph_cache_bypass_total'),
    stores: byLabel(samples, 'deskgraph_cache_stores_total', 'outcome'),
    warms: byLabel(samples, 'deskgraph_cache_warms_total', 'outcome'),
    evictions,
    invalidations: total(samples, 'deskgraph_cache_invalidations_total'),
    cacheErrors: total(samples, 'deskgraph_cache_errors_total'),
    sqlStatements: total(samples, 'deskgraph_sql_statements_total'),
    sqlObservations: total(samples, 'deskgraph_sql_statements_count'),
    requestsByCache: byLabel(samples, 'deskgraph_request_duration_seconds_count', 'cache'),
  };
}

function diffRecord(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

export function delta(after: CacheCounters, before: CacheCounters): CacheCounters {
  return {
    hits: after.hits - before.hits,
    hitsByLayer: diffRecord(after.hitsByLayer, before.hitsByLayer),
    hitsByPath: diffRecord(after.hitsByPath, before.hitsByPath),
    misses: after.misses - before.misses,
    hitsByOperation: diffRecord(after.hitsByOperation, before.hitsByOperation),
    missesByOperation: diffRecord(after.missesByOperation, before.missesByOperation),
    bypass: after.bypass - before.bypass,
    stores: diffRecord(after.stores, before.stores),
    warms: diffRecord(after.warms, before.warms),
    evictions: diffRecord(after.evictions, before.evictions),
    invalidations: after.invalidations - before.invalidations,
    cacheErrors: after.cacheErrors - before.cacheErrors,
    sqlStatements: after.sqlStatements - before.sqlStatements,
    sqlObservations: after.sqlObservations - before.sqlObservations,
    requestsByCache: diffRecord(after.requestsByCache, before.requestsByCache),
  };
}

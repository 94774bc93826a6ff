// Turns two snapshots of the server's metrics (GET /metrics as JSON, prom-client's format) into what
// the panel draws: latency percentiles and cache hit rate over the interval between them, SQL
// statements per operation and Web Vitals since the server started. Percentiles are estimated from
// histogram buckets the way Prometheus's histogram_quantile does (linear within a bucket).

export interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface Metric {
  name: string;
  type: string;
  values: MetricValue[];
}

export type Snapshot = Metric[];

/** Cumulative bucket counts (le → count), summed over every label set that passes `keep`. */
export function buckets(
  snapshot: Snapshot,
  name: string,
  keep: (labels: MetricValue['labels']) => boolean = () => true,
): Map<number, number> {
  const sums = new Map<number, number>();
  for (const v of snapshot.find((m) => m.name === name)?.values ?? []) {
    if (!v.metricName?.endsWith('_bucket') || !keep(v.labels)) continue;
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    sums.set(le, (sums.get(le) ?? 0) + v.value);
  }
  return new Map([...sums].sort((a, b) => a[0] - b[0]));
}

export function subtract(now: Map<number, number>, before: Map<number, number> | null): Map<number, number> {
  if (!before) return now;
  return new Map([...now].map(([le, count]) => [le, Math.max(0, count - (before.get(le) ?? 0))]));
}

/** The q-quantile of cumulative buckets, or null without observations. */
export function quantile(q: number, cumulative: Map<number, number>): number | null {
  const entries = [...cumulative];
  const total = entries.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of entries) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound; // beyond the last bucket: its lower edge is all we know
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / Math.max(count - lowerCount, 1e-12);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

export function counterTotal(snapshot: Snapshot, name: string, keep: (labels: MetricValue['labels']) => boolean = () => true): number {
  return (snapshot.find((m) => m.name === name)?.values ?? []).filter((v) => keep(v.labels)).reduce((sum, v) => sum + v.value, 0);
}

export interface OperationRow {
  operation: string;
  executed: number;
  sqlPerRequest: number;
  hits: number;
  misses: number;
}

/** Per operation since start: executions, mean SQL statements per execution, cache hits and misses. */
export function operations(snapshot: Snapshot): OperationRow[] {
  const rows = new Map<string, OperationRow>();
  const row = (operation: string) => {
    let r = rows.get(operation);
    if (!r) rows.set(operation, (r = { operation, executed: 0, sqlPerRequest: 0, hits: 0, misses: 0 }));
    return r;
  };
  const sql = snapshot.find((m) => m.name === 'deskgraph_sql_statements')?.values ?? [];
  const sums = new Map<string, number>();
  for (const v of sql) {
    const op = String(v.labels.operation);
    if (v.metricName?.endsWith('_count')) row(op).executed += v.value;
    if (v.metricName?.endsWith('_sum')) sums.set(op, (sums.get(op) ?? 0) + v.value);
  }
  for (const [op, sum] of sums) {
    const r = row(op);
    r.sqlPerRequest = r.executed ? sum / r.executed : 0;
  }
  for (const v of snapshot.find((m) => m.name === 'deskgraph_cache_hits_total')?.values ?? [])
    row(String(v.labels.operation)).hits += v.value;
  for (const v of snapshot.find((m) => m.name === 'deskgraph_cache_misses_total')?.values ?? [])
    row(String(v.labels.operation)).misses += v.value;
  return [...rows.values()].sort((a, b) => b.executed + b.hits - (a.executed + a.hits));
}

const VITALS = [
  { name: 'LCP', metric: 'deskgraph_web_vitals_lcp_seconds', scale: 1000, unit: ' ms', good: 2500 },
  { name: 'INP', metric: 'deskgraph_web_vitals_inp_seconds', scale: 1000, unit: ' ms', good: 200 },
  { name: 'CLS', metric: 'deskgraph_web_vitals_cls', scale: 1, unit: '', good: 0.1 },
  { name: 'FCP', metric: 'deskgraph_web_vitals_fcp_seconds', scale: 1000, unit: ' ms', good: 1800 },
  { name: 'TTFB', metric: 'deskgraph_web_vitals_ttfb_seconds', scale: 1000, unit: ' ms', good: 800 },
] as const;

export interface VitalRow {
  name: string;
  samples: number;
  p75: number | null;
  unit: string;
  good: number;
}

/** Web Vitals are judged at the 75th percentile of page loads, as Google's thresholds are. */
export function vitals(snapshot: Snapshot): VitalRow[] {
  return VITALS.map((v) => {
    const b = buckets(snapshot, v.metric);
    const p75 = quantile(0.75, b);
    return { name: v.name, samples: [...b.values()].at(-1) ?? 0, p75: p75 == null ? null : p75 * v.scale, unit: v.unit, good: v.good };
  });
}

export interface ActivityRow {
  operation: string;
  executed: number;
  hits: number;
  misses: number;
  /** SQL statements the executions cost, in all. */
  statements: number;
}

/** What each operation did between two snapshots (operations with no request in between left out), busiest first. */
export function activity(next: Snapshot, before: Snapshot): ActivityRow[] {
  const earlier = new Map(operations(before).map((row) => [row.operation, row]));
  const rows: ActivityRow[] = [];
  for (const now of operations(next)) {
    const then = earlier.get(now.operation);
    const executed = now.executed - (then?.executed ?? 0);
    const row = {
      operation: now.operation,
      executed,
      hits: now.hits - (then?.hits ?? 0),
      misses: now.misses - (then?.misses ?? 0),
      statements: Math.round(now.sqlPerRequest * now.executed - (then ? then.sqlPerRequest * then.executed : 0)),
    };
    if (row.executed > 0 || row.hits > 0) rows.push(row);
  }
  return rows.sort((a, b) => b.executed + b.hits - (a.executed + a.hits));
}

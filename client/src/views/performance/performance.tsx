// The server seen from the inside: latency percentiles and cache hit rate over the last few seconds
// (redrawn as the metrics refresh), SQL statements per operation, the last requests, and the Web Vitals
// browsers report. Before any request it says what it will show and how to make some.
import { useEffect, useRef, useState } from 'react';
import { BarChart, LineChart } from '../../ui/charts.tsx';
import { activity, buckets, counterTotal, operations, quantile, subtract, vitals, type Snapshot } from './metrics-model.ts';
import { RecentRequests, type Interval } from './recent-requests.tsx';

const REFRESH_MS = 3_000;
const POINTS = 40;
const INTERVALS = 10;

interface Point {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  hitRate: number | null;
}

export default function Performance() {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [intervals, setIntervals] = useState<Interval[]>([]);
  const previous = useRef<Snapshot | null>(null);

  useEffect(() => {
    let stopped = false;
    async function poll() {
      try {
        const response = await fetch('/metrics', { headers: { accept: 'application/json' }, cache: 'no-store' });
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const next = (await response.json()) as Snapshot;
        if (stopped) return;
        const before = previous.current;
        const latency = subtract(
          buckets(next, 'deskgraph_request_duration_seconds'),
          before && buckets(before, 'deskgraph_request_duration_seconds'),
        );
        const hits = counterTotal(next, 'deskgraph_cache_hits_total') - (before ? counterTotal(before, 'deskgraph_cache_hits_total') : 0);
        const misses =
          counterTotal(next, 'deskgraph_cache_misses_total') - (before ? counterTotal(before, 'deskgraph_cache_misses_total') : 0);
        const ms = (q: number) => {
          const v = quantile(q, latency);
          return v == null ? null : v * 1000;
        };
        const point = {
          p50: ms(0.5),
          p95: ms(0.95),
          p99: ms(0.99),
          hitRate: hits + misses > 0 ? (100 * hits) / (hits + misses) : null,
        };
        // The first answer covers everything since the server started: not "last requests".
        const rows = before ? activity(next, before) : [];
        previous.current = next;
        setSnapshot(next);
        setPoints((all) => [...all, point].slice(-POINTS));
        if (rows.length) setIntervals((all) => [{ at: new Date(), rows }, ...all].slice(0, INTERVALS));
        setError(null);
      } catch (e) {
        if (!stopped) setError(`Metrics are not available: ${e instanceof Error ? e.message : String(e)}.`);
      }
    }
    void poll();
    const timer = setInterval(() => void poll(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  const ops = snapshot ? operations(snapshot).slice(0, 10) : [];
  const totalHits = snapshot ? counterTotal(snapshot, 'deskgraph_cache_hits_total') : 0;
  const totalMisses = snapshot ? counterTotal(snapshot, 'deskgraph_cache_misses_total') : 0;
  return (
    <section className="performance" aria-labelledby="performance-title">
      <h1 id="performance-title">Performance</h1>
      <p className="hint">
        From the server's <code>/metrics</code>, refreshed every {REFRESH_MS / 1000} s. Latency is of executed operations (cache hits
        answered before GraphQL are counted, not timed). Since start: {(totalHits + totalMisses).toLocaleString('en')} cacheable queries,{' '}
        {totalHits + totalMisses ? ((100 * totalHits) / (totalHits + totalMisses)).toFixed(1) : '–'}% hits.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="chart-grid">
        <LineChart
          title="Latency per interval (ms)"
          unit=" ms"
          series={[
            { name: 'p50', points: points.map((p) => p.p50) },
            { name: 'p95', points: points.map((p) => p.p95) },
            { name: 'p99', points: points.map((p) => p.p99) },
          ]}
        />
        <LineChart
          title="Cache hit rate per interval (%)"
          unit="%"
          max={100}
          series={[{ name: 'hit rate', points: points.map((p) => p.hitRate) }]}
        />
        <BarChart
          title="SQL statements per executed operation"
          bars={ops.filter((o) => o.executed > 0).map((o) => ({ label: o.operation, value: o.sqlPerRequest }))}
          empty="No operation executed yet (only cache hits)."
        />
      </div>
      {snapshot && <RecentRequests intervals={intervals} refreshSeconds={REFRESH_MS / 1000} />}
      <div className="perf-table-scroll">
        <table className="data">
          <caption>Operations since start</caption>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Executed</th>
              <th scope="col">SQL / execution</th>
              <th scope="col">Cache hits</th>
              <th scope="col">Misses</th>
            </tr>
          </thead>
          <tbody>
            {ops.map((o) => (
              <tr key={o.operation}>
                <th scope="row">{o.operation}</th>
                <td>{o.executed}</td>
                <td>{o.sqlPerRequest.toFixed(2)}</td>
                <td>{o.hits}</td>
                <td>{o.misses}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="perf-table-scroll">
        <table className="data">
          <caption>Core Web Vitals reported by browsers (75th percentile)</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">p75</th>
              <th scope="col">Good below</th>
              <th scope="col">Samples</th>
            </tr>
          </thead>
          <tbody>
            {(snapshot ? vitals(snapshot) : []).map((v) => (
              <tr key={v.name}>
                <th scope="row">{v.name}</th>
                <td>{v.p75 == null ? '–' : `${v.name === 'CLS' ? v.p75.toFixed(3) : Math.round(v.p75)}${v.unit}`}</td>
                <td>
                  {v.good}
                  {v.unit}
                </td>
                <td>{v.samples}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

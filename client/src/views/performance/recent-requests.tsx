// The requests of the last intervals, or, before there are any, what the panel shows and how to make some.
import { Link } from 'wouter';
import type { ActivityRow } from './metrics-model.ts';

export interface Interval {
  /** When the refresh that saw these requests answered. */
  at: Date;
  rows: ActivityRow[];
}

export function RecentRequests({ intervals, refreshSeconds }: { intervals: Interval[]; refreshSeconds: number }) {
  const time = (date: Date) => date.toLocaleTimeString('en', { hour12: false });
  if (intervals.length === 0) {
    return (
      <div className="perf-empty" role="status">
        <h2>No requests since this panel opened</h2>
        <p>
          This panel draws what the API does as it happens, from the server&apos;s metrics every {refreshSeconds}&nbsp;s: latency
          percentiles (p50, p95, p99) and the cache hit rate per interval, the SQL statements each operation costs, and here the last
          requests, operation by operation, executed or answered from the cache.
        </p>
        <p>
          To see some, open the <Link href="/tickets">ticket list</Link>, a ticket or the <Link href="/dashboard">dashboard</Link> in
          another tab, or run a query in GraphiQL at <a href="/graphql">/graphql</a>.
        </p>
      </div>
    );
  }
  return (
    <div className="perf-recent">
      <h2 id="perf-recent-title">Last requests</h2>
      <div className="perf-table-scroll">
        <table className="data" aria-labelledby="perf-recent-title">
          <thead>
            <tr>
              <th scope="col">Seen at</th>
              <th scope="col">Operation</th>
              <th scope="col">Executed</th>
              <th scope="col">Cache hits</th>
              <th scope="col">SQL statements</th>
            </tr>
          </thead>
          <tbody>
            {intervals.flatMap((interval) =>
              interval.rows.map((row) => (
                <tr key={`${interval.at.getTime()} ${row.operation}`}>
                  <td className="perf-time">{time(interval.at)}</td>
                  <th scope="row">{row.operation}</th>
                  <td>{row.executed}</td>
                  <td>{row.hits}</td>
                  <td>{row.statements}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

// What the panel says before there is anything to chart, and the requests of the last intervals.
import { Link } from 'wouter';
import type { ActivityRow } from './metrics-model.ts';

export interface Interval {
  /** When the refresh that saw these requests answered. */
  at: Date;
  rows: ActivityRow[];
}

/** How to make requests to look at: the views that send them. */
function Produce() {
  return (
    <>
      Open the <Link href="/tickets">ticket list</Link>, a ticket or the <Link href="/dashboard">dashboard</Link> (in another tab to watch
      them arrive), or send a query from GraphiQL at <a href="/graphql">/graphql</a>.
    </>
  );
}

export function NoRequests({ refreshSeconds }: { refreshSeconds: number }) {
  return (
    <div className="perf-empty" role="status">
      <h2>No requests yet</h2>
      <p>
        This panel draws what the API does as it happens: latency percentiles (p50, p95, p99) and the cache hit rate every {refreshSeconds}{' '}
        s, the SQL statements each operation costs, and the requests of the last intervals.
      </p>
      <p>
        <Produce />
      </p>
    </div>
  );
}

export function RecentRequests({ intervals, refreshSeconds }: { intervals: Interval[]; refreshSeconds: number }) {
  const time = (date: Date) => date.toLocaleTimeString('en', { hour12: false });
  return (
    <div className="perf-recent">
      <h2 id="perf-recent-title">Last requests</h2>
      {intervals.length === 0 ? (
        <p className="hint">
          None since this panel opened; requests show here within {refreshSeconds} s. <Produce />
        </p>
      ) : (
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
      )}
    </div>
  );
}

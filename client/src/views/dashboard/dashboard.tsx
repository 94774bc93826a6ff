// The organization at a glance: what came in and went out over the last 30 days, how long requesters
// wait for a first answer, and where the open tickets are (age, priority, assignee). One query, three
// SQL statements on the server (schema/dashboard-queries.ts).
import { useQuery } from 'urql';
import { graphql } from '../../gql/index.ts';
import type { TicketAgeBucket } from '../../gql/graphql.ts';
import { label, PRIORITIES } from '../../labels.ts';
import { BarChart, LineChart, type Bar } from '../../ui/charts.tsx';
import { errorText } from '../../ui/notices.tsx';
import { duration } from './duration.ts';

const DAYS = 30;
const ASSIGNEES_SHOWN = 8;

const DashboardQuery = graphql(`
  query Dashboard($days: Int!) {
    dashboardStats {
      openByPriority {
        priority
        count
      }
      openByAge {
        age
        count
      }
      openByAssignee {
        assignee {
          id
          name
        }
        count
      }
      ticketsPerDay(days: $days) {
        date
        created
        resolved
      }
      firstResponse(days: $days) {
        medianSeconds
        responded
        awaiting
      }
    }
  }
`);

const AGE_LABELS: Record<TicketAgeBucket, string> = {
  UNDER_1_DAY: 'Under 1 day',
  FROM_1_TO_3_DAYS: '1–3 days',
  FROM_3_TO_7_DAYS: '3–7 days',
  FROM_7_TO_30_DAYS: '7–30 days',
  OVER_30_DAYS: '30 days or more',
};

/** "2026-11-07" → "Nov 7" (the dates are UTC days). */
const dayLabel = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** The most loaded assignees, the rest summed into one bar. Unassigned stays a bar of its own. */
function assigneeBars(rows: { assignee?: { name: string } | null; count: number }[]): Bar[] {
  const bars = rows.map((row) => ({ label: row.assignee?.name ?? 'Unassigned', value: row.count }));
  if (bars.length <= ASSIGNEES_SHOWN + 1) return bars;
  const rest = bars.slice(ASSIGNEES_SHOWN);
  return [...bars.slice(0, ASSIGNEES_SHOWN), { label: `${rest.length} others`, value: rest.reduce((sum, bar) => sum + bar.value, 0) }];
}

export default function Dashboard() {
  const [{ data, error, fetching }] = useQuery({ query: DashboardQuery, variables: { days: DAYS }, requestPolicy: 'cache-and-network' });
  const stats = data?.dashboardStats;
  const days = stats?.ticketsPerDay ?? [];
  const open = stats?.openByAge.reduce((sum, row) => sum + row.count, 0) ?? 0;
  const created = days.reduce((sum, day) => sum + day.created, 0);
  const resolved = days.reduce((sum, day) => sum + day.resolved, 0);
  const response = stats?.firstResponse;
  return (
    <section className="dashboard" aria-labelledby="dashboard-title" aria-busy={fetching}>
      <h1 id="dashboard-title">Dashboard</h1>
      {error && !stats && (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      )}
      {stats && response && (
        <>
          <dl className="dash-figures">
            <div>
              <dt>Open tickets</dt>
              <dd>{open.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Created, last {DAYS} days</dt>
              <dd>{created.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Resolved, last {DAYS} days</dt>
              <dd>{resolved.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Median first response</dt>
              <dd>{response.medianSeconds == null ? '–' : duration(response.medianSeconds)}</dd>
              <dd className="dash-figure-note">
                {response.responded.toLocaleString('en')} of {(response.responded + response.awaiting).toLocaleString('en')} tickets
                answered
              </dd>
            </div>
          </dl>
          <div className="chart-grid dash-grid">
            <LineChart
              className="dash-wide"
              title={`Tickets created and resolved per day, last ${DAYS} days (UTC)`}
              legend="total"
              xLabels={days.map((day) => dayLabel(day.date))}
              series={[
                { name: 'Created', points: days.map((day) => day.created) },
                { name: 'Resolved', points: days.map((day) => day.resolved) },
              ]}
            />
            <BarChart title="Open tickets by age" bars={stats.openByAge.map((row) => ({ label: AGE_LABELS[row.age], value: row.count }))} />
            <BarChart
              title="Open tickets by priority"
              // Most urgent first, as the ticket list sorts them.
              bars={PRIORITIES.map((priority) => ({
                label: label(priority),
                value: stats.openByPriority.find((row) => row.priority === priority)?.count ?? 0,
              }))}
            />
            <BarChart title="Open tickets per assignee" bars={assigneeBars(stats.openByAssignee)} empty="No open tickets." />
          </div>
        </>
      )}
    </section>
  );
}

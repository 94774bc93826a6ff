import { useQuery } from 'urql';
import { graphql } from '../../gql/index.ts';
import { BarChart } from '../../ui/charts.tsx';
import { errorText } from '../../ui/notices.tsx';

const DashboardQuery = graphql(`
  query Dashboard {
    dashboardStats {
      byStatus {
        status
        count
      }
      byPriority {
        priority
        count
      }
      openByAssignee {
        assignee {
          id
          name
        }
        count
      }
    }
  }
`);

import { label } from '../../labels.ts';

export default function Dashboard() {
  const [{ data, error, fetching }] = useQuery({ query: DashboardQuery, requestPolicy: 'cache-and-network' });
  const stats = data?.dashboardStats;
  return (
    <section className="dashboard" aria-labelledby="dashboard-title" aria-busy={fetching}>
      <h1 id="dashboard-title">Dashboard</h1>
      {error && !stats && (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      )}
      {stats && (
        <div className="chart-grid">
          <BarChart title="Tickets by status" bars={stats.byStatus.map((s) => ({ label: label(s.status), value: s.count }))} />
          <BarChart title="Tickets by priority" bars={stats.byPriority.map((p) => ({ label: label(p.priority), value: p.count }))} />
          <BarChart
            title="Open tickets per assignee"
            bars={stats.openByAssignee.slice(0, 12).map((a) => ({ label: a.assignee?.name ?? 'Unassigned', value: a.count }))}
          />
        </div>
      )}
    </section>
  );
}

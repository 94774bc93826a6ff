// FROZEN for the peers (bench/peers): deskgraph's dashboard data layer as it was at dcac27b, before the
// counts moved to "TicketCount" (schema/dashboard-counts.ts). The peers keep the data layer they had when
// the benchmark's comparison was set (issue 20), so this file does not follow deskgraph's SQL: one
// GROUPING SETS statement over all the organization's tickets computes all five count breakdowns, whatever
// the query asks. Only its interface follows deskgraph's (the loaders' keys and values the resolvers of
// schema/dashboard.ts read, and the in-process sorting of the rows, countsFromRows). The daily series and
// first-response statements did not change, so they are deskgraph's (createWindowLoaders).
// test/ticket-counts.test.ts checks both give the same figures.
import DataLoader from 'dataloader';
import type { PrismaClient, User } from '../../../prisma/generated/client.ts';
import { countsFromRows, OPEN_STATUSES, type CountRow, type CountsKey, type DashboardCounts } from '../../../schema/dashboard-counts.ts';
import { createWindowLoaders, type createDashboardLoaders as createDeskgraphDashboardLoaders } from '../../../schema/dashboard-queries.ts';

type DashboardLoaders = ReturnType<typeof createDeskgraphDashboardLoaders>;

async function fetchCounts(prisma: PrismaClient, organizationId: number): Promise<DashboardCounts> {
  // One pass over the organization's tickets, five groupings of it. HAVING keeps the open rows of the
  // open-only groupings; the users joined are the assignees of those rows.
  const rows = await prisma.$queryRaw<(CountRow & Partial<User>)[]>`
    WITH t AS (
      SELECT "status", "priority", "assigneeId",
        "status"::text = ANY(${OPEN_STATUSES}::text[]) AS "open",
        CASE
          WHEN "createdAt" > n."now" - interval '1 day' THEN 0
          WHEN "createdAt" > n."now" - interval '3 days' THEN 1
          WHEN "createdAt" > n."now" - interval '7 days' THEN 2
          WHEN "createdAt" > n."now" - interval '30 days' THEN 3
          ELSE 4
        END AS "age"
      FROM "Ticket", (SELECT now() AT TIME ZONE 'UTC' AS "now") n
      WHERE "organizationId" = ${organizationId}
    ), g AS (
      SELECT
        CASE
          WHEN GROUPING("status") = 0 THEN 'status'
          WHEN GROUPING("open") = 1 THEN 'priority'
          WHEN GROUPING("priority") = 0 THEN 'openPriority'
          WHEN GROUPING("assigneeId") = 0 THEN 'openAssignee'
          ELSE 'openAge'
        END AS "breakdown",
        "status"::text AS "status", "priority"::text AS "priority", "assigneeId", "age", count(*)::int AS "count"
      FROM t
      GROUP BY GROUPING SETS (("status"), ("priority"), ("open", "priority"), ("open", "assigneeId"), ("open", "age"))
      HAVING GROUPING("open") = 1 OR "open"
    )
    SELECT g.*, u.* FROM g
    LEFT JOIN "User" u ON u."id" = g."assigneeId" AND u."organizationId" = ${organizationId}`;

  return countsFromRows(rows);
}

export function createDashboardLoaders(prisma: PrismaClient, options: { batch: boolean }): DashboardLoaders {
  return {
    // Today's key is (organization, breakdown), as the resolvers ask; the frozen statement computes every
    // breakdown whatever the keys, once per organization, as it did.
    dashboardCounts: new DataLoader<CountsKey, DashboardCounts, string>(
      async (keys) => {
        const fetched = new Map<number, Promise<DashboardCounts>>();
        for (const { organizationId } of keys)
          if (!fetched.has(organizationId)) fetched.set(organizationId, fetchCounts(prisma, organizationId));
        return Promise.all(keys.map((key) => fetched.get(key.organizationId)!));
      },
      { ...options, cacheKeyFn: (key) => `${key.organizationId}:${key.breakdown}` },
    ),
    ...createWindowLoaders(prisma, options),
  };
}

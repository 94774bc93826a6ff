// FROZEN for the peers (bench/peers): deskgraph's dashboard data layer as it was at dcac27b, before the
// counts moved to "TicketCount" (schema/dashboard-counts.ts). The peers keep the data layer they had when
// the benchmark's comparison was set (issue 20), so this file does not follow deskgraph's SQL: one
// GROUPING SETS statement over all the organization's tickets computes all five count breakdowns, whatever
// the query asks. Only its interface follows deskgraph's (the loaders' keys and values the resolvers of
// schema/dashboard.ts read, and the in-process sorting of the rows, countsFromRows); the daily series and
// first-response statements are copied as they were too. test/ticket-counts.test.ts checks both give the
// same figures.
import DataLoader from 'dataloader';
import type { PrismaClient, User } from '../../../prisma/generated/client.ts';
import { countsFromRows, OPEN_STATUSES, type CountRow, type CountsKey, type DashboardCounts } from '../../../schema/dashboard-counts.ts';
import type {
  createDashboardLoaders as createDeskgraphDashboardLoaders,
  DayCount,
  FirstResponse,
} from '../../../schema/dashboard-queries.ts';

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

async function fetchPerDay(prisma: PrismaClient, organizationId: number, days: number): Promise<DayCount[]> {
  // Every day of the window is listed, zero included: generate_series gives the days, two grouped
  // counts (created, resolved; each served by an index on (organizationId, the date)) fill them.
  return prisma.$queryRaw<DayCount[]>`
    WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS "day"),
    window_days AS (SELECT today."day" - i AS "day" FROM today, generate_series(0, ${days}::int - 1) AS i),
    created AS (
      SELECT "createdAt"::date AS "day", count(*)::int AS n FROM "Ticket", today
      WHERE "organizationId" = ${organizationId} AND "createdAt" >= today."day" - (${days}::int - 1)
      GROUP BY 1
    ), resolved AS (
      SELECT "resolvedAt"::date AS "day", count(*)::int AS n FROM "Ticket", today
      WHERE "organizationId" = ${organizationId} AND "resolvedAt" >= today."day" - (${days}::int - 1)
      GROUP BY 1
    )
    SELECT to_char(w."day", 'YYYY-MM-DD') AS "date", COALESCE(c.n, 0) AS "created", COALESCE(r.n, 0) AS "resolved"
    FROM window_days w LEFT JOIN created c ON c."day" = w."day" LEFT JOIN resolved r ON r."day" = w."day"
    ORDER BY w."day"`;
}

async function fetchFirstResponse(prisma: PrismaClient, organizationId: number, days: number): Promise<FirstResponse> {
  // A first response is the first public comment on the ticket by an agent or admin other than its
  // requester (staff may file tickets for themselves); internal notes do not answer anyone. Over the
  // tickets created in the window, whatever their status now.
  const [row] = await prisma.$queryRaw<Omit<FirstResponse, 'days'>[]>`
    WITH recent AS (
      SELECT t."id", t."createdAt", (
        SELECT min(c."createdAt") FROM "Comment" c JOIN "User" u ON u."id" = c."authorId"
        WHERE c."ticketId" = t."id" AND NOT c."internal" AND u."role" <> 'CUSTOMER' AND c."authorId" <> t."requesterId"
      ) AS "firstAt"
      FROM "Ticket" t
      WHERE t."organizationId" = ${organizationId}
        AND t."createdAt" >= (now() AT TIME ZONE 'UTC')::date - (${days}::int - 1)
    )
    SELECT
      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "firstAt" - "createdAt")::float8))::int AS "medianSeconds",
      count("firstAt")::int AS "responded",
      (count(*) - count("firstAt"))::int AS "awaiting"
    FROM recent`;
  return { days, medianSeconds: row?.medianSeconds ?? null, responded: row?.responded ?? 0, awaiting: row?.awaiting ?? 0 };
}

interface WindowKey {
  organizationId: number;
  days: number;
}

export function createDashboardLoaders(prisma: PrismaClient, options: { batch: boolean }): DashboardLoaders {
  // Keys never batch together (one organization per request), so each loader is a per-request memo.
  const perKey = <K, V>(fetch: (key: K) => Promise<V>, cacheKeyFn: (key: K) => string | number) =>
    new DataLoader<K, V, string | number>((keys) => Promise.all(keys.map(fetch)), { ...options, cacheKeyFn });
  const windowKey = (key: WindowKey) => `${key.organizationId}:${key.days}`;
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
    ticketsPerDay: perKey<WindowKey, DayCount[]>((key) => fetchPerDay(prisma, key.organizationId, key.days), windowKey),
    firstResponse: perKey<WindowKey, FirstResponse>((key) => fetchFirstResponse(prisma, key.organizationId, key.days), windowKey),
  };
}

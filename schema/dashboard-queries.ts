// The dashboard's three aggregate statements, each behind a per-request DataLoader so that every field
// reading it (byStatus, byPriority and the open-ticket breakdowns all read the first) shares one
// statement. Days are UTC days and "now" is the database's clock, so the series and the age buckets
// agree with each other whichever instance answers. Callers pass the organization of a viewer already
// checked to be staff of it (dashboard.ts); nothing here reads outside that organization.
import DataLoader from 'dataloader';
import type { PrismaClient, TicketPriority, TicketStatus, User } from '../prisma/generated/client.ts';

interface DashboardLoaderOptions {
  /** false: every load its own statement (the N+1 baseline); see LoaderOptions in loaders.ts. */
  batch: boolean;
}

/** Open tickets by age, in days since they were created: [0, 1), [1, 3), [3, 7), [7, 30), 30 and more. */
export const AGE_BUCKETS = ['UNDER_1_DAY', 'FROM_1_TO_3_DAYS', 'FROM_3_TO_7_DAYS', 'FROM_7_TO_30_DAYS', 'OVER_30_DAYS'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** The statuses counted as open (TicketStatus's description says so too). */
const OPEN_STATUSES: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING'];

/** The longest window ticketsPerDay and firstResponse accept. */
export const MAX_DASHBOARD_DAYS = 90;

type Breakdown = 'status' | 'priority' | 'openPriority' | 'openAssignee' | 'openAge';

interface CountRow {
  breakdown: Breakdown;
  status: TicketStatus | null;
  priority: TicketPriority | null;
  assigneeId: number | null;
  age: number | null;
  count: number;
}

/** Every count of the dashboard, and the assignees it names (their full rows, to prime the user loader). */
export interface DashboardCounts {
  byStatus: Map<TicketStatus, number>;
  byPriority: Map<TicketPriority, number>;
  openByPriority: Map<TicketPriority, number>;
  openByAge: Map<AgeBucket, number>;
  openByAssignee: { assigneeId: number | null; count: number }[];
  assignees: User[];
}

export interface DayCount {
  /** YYYY-MM-DD, a UTC day. */
  date: string;
  created: number;
  resolved: number;
}

export interface FirstResponse {
  days: number;
  /** null when no ticket of the window has a response yet. */
  medianSeconds: number | null;
  responded: number;
  awaiting: number;
}

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

  const counts: DashboardCounts = {
    byStatus: new Map(),
    byPriority: new Map(),
    openByPriority: new Map(),
    openByAge: new Map(),
    openByAssignee: [],
    assignees: [],
  };
  for (const row of rows) {
    if (row.breakdown === 'status') counts.byStatus.set(row.status!, row.count);
    else if (row.breakdown === 'priority') counts.byPriority.set(row.priority!, row.count);
    else if (row.breakdown === 'openPriority') counts.openByPriority.set(row.priority!, row.count);
    else if (row.breakdown === 'openAge') counts.openByAge.set(AGE_BUCKETS[row.age!]!, row.count);
    else {
      counts.openByAssignee.push({ assigneeId: row.assigneeId, count: row.count });
      if (row.assigneeId != null && row.id != null) counts.assignees.push(userOf(row as CountRow & User));
    }
  }
  counts.openByAssignee.sort((a, b) => b.count - a.count || (a.assigneeId ?? 0) - (b.assigneeId ?? 0));
  return counts;
}

/** The User part of a joined row: the same shape the user loader reads with findMany. */
function userOf(row: CountRow & User): User {
  const { id, organizationId, email, name, role, avatarUrl, passwordHash, createdAt } = row;
  return { id, organizationId, email, name, role, avatarUrl, passwordHash, createdAt };
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

export function createDashboardLoaders(prisma: PrismaClient, options: DashboardLoaderOptions) {
  // Keys never batch together (one organization per request), so each loader is a per-request memo.
  const perKey = <K, V>(fetch: (key: K) => Promise<V>, cacheKeyFn: (key: K) => string | number) =>
    new DataLoader<K, V, string | number>((keys) => Promise.all(keys.map(fetch)), { ...options, cacheKeyFn });
  const windowKey = (key: WindowKey) => `${key.organizationId}:${key.days}`;
  return {
    dashboardCounts: perKey<number, DashboardCounts>(
      (organizationId) => fetchCounts(prisma, organizationId),
      (id) => id,
    ),
    ticketsPerDay: perKey<WindowKey, DayCount[]>((key) => fetchPerDay(prisma, key.organizationId, key.days), windowKey),
    firstResponse: perKey<WindowKey, FirstResponse>((key) => fetchFirstResponse(prisma, key.organizationId, key.days), windowKey),
  };
}

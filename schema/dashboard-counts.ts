// The dashboard's counts: tickets by status, by priority, and the open ones by priority, assignee and age.
// All but the ages come from "TicketCount" (a few dozen rows per organization, kept exact by triggers on
// "Ticket": migration 20261207021247_ticket_counts), not from a scan of the organization's tickets. The
// ages depend on the clock, so they still read the open tickets, and only when asked for.
//
// Each field asks the loader for its own breakdown; the fields of one request are one batch, so whatever
// subset a query selects costs one statement that computes that subset and nothing more. Callers pass the
// organization of a viewer already checked to be staff of it (dashboard.ts).
import DataLoader from 'dataloader';
import { Prisma, type PrismaClient, type TicketPriority, type TicketStatus, type User } from '../prisma/generated/client.ts';

/** Open tickets by age, in days since they were created: [0, 1), [1, 3), [3, 7), [7, 30), 30 and more. */
export const AGE_BUCKETS = ['UNDER_1_DAY', 'FROM_1_TO_3_DAYS', 'FROM_3_TO_7_DAYS', 'FROM_7_TO_30_DAYS', 'OVER_30_DAYS'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** The statuses counted as open (TicketStatus's description says so too). */
export const OPEN_STATUSES: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING'];

/** One figure of the dashboard, as a dashboardStats field asks for it. */
export type Breakdown = 'status' | 'priority' | 'openPriority' | 'openAssignee' | 'openAge';

export interface CountsKey {
  organizationId: number;
  breakdown: Breakdown;
}

/** The counts of one organization; the breakdowns nobody asked for in the request stay empty. */
export interface DashboardCounts {
  byStatus: Map<TicketStatus, number>;
  byPriority: Map<TicketPriority, number>;
  openByPriority: Map<TicketPriority, number>;
  openByAge: Map<AgeBucket, number>;
  openByAssignee: { assigneeId: number | null; count: number }[];
  /** The assignees openByAssignee names (their full rows, to prime the user loader). */
  assignees: User[];
}

/** A row of the counts statement: one group of one breakdown, with its assignee's columns when it has one. */
export interface CountRow {
  breakdown: Breakdown;
  status: TicketStatus | null;
  priority: TicketPriority | null;
  assigneeId: number | null;
  age: number | null;
  count: number;
}

// One SELECT per breakdown, each over the organization's counter rows (c) or, for the ages, its open
// tickets; every one names and types all the columns, so that any subset in any order is one UNION ALL.
// `columns` is raw SQL from the constants below only, never from a request.
const OPEN = Prisma.sql`"status"::text = ANY(${OPEN_STATUSES}::text[])`;
const columns = (breakdown: Breakdown, status: string, priority: string, assigneeId: string, age: string, count: string) =>
  Prisma.raw(
    `SELECT '${breakdown}' AS "breakdown", ${status}::text AS "status", ${priority}::text AS "priority", ` +
      `${assigneeId}::int AS "assigneeId", ${age}::int AS "age", ${count}::int AS "count"`,
  );
const BREAKDOWN_SQL: Record<Breakdown, (organizationId: number) => Prisma.Sql> = {
  status: () => Prisma.sql`${columns('status', '"status"', 'NULL', 'NULL', 'NULL', 'sum("count")')} FROM c GROUP BY "status"`,
  priority: () => Prisma.sql`${columns('priority', 'NULL', '"priority"', 'NULL', 'NULL', 'sum("count")')} FROM c GROUP BY "priority"`,
  openPriority: () =>
    Prisma.sql`${columns('openPriority', 'NULL', '"priority"', 'NULL', 'NULL', 'sum("count")')} FROM c WHERE ${OPEN} GROUP BY "priority"`,
  openAssignee: () =>
    Prisma.sql`${columns('openAssignee', 'NULL', 'NULL', 'NULLIF("assigneeId", 0)', 'NULL', 'sum("count")')} FROM c WHERE ${OPEN} GROUP BY "assigneeId"`,
  // Served by the index on ("organizationId", "status", "createdAt"): the open tickets' creation dates only.
  openAge: (organizationId) => Prisma.sql`
    ${columns('openAge', 'NULL', 'NULL', 'NULL', '"age"', 'count(*)')} FROM (
      SELECT CASE
        WHEN "createdAt" > n."now" - interval '1 day' THEN 0
        WHEN "createdAt" > n."now" - interval '3 days' THEN 1
        WHEN "createdAt" > n."now" - interval '7 days' THEN 2
        WHEN "createdAt" > n."now" - interval '30 days' THEN 3
        ELSE 4
      END AS "age"
      FROM "Ticket", (SELECT now() AT TIME ZONE 'UTC' AS "now") n
      WHERE "organizationId" = ${organizationId} AND ${OPEN}
    ) t GROUP BY "age"`,
};

function emptyCounts(): DashboardCounts {
  return { byStatus: new Map(), byPriority: new Map(), openByPriority: new Map(), openByAge: new Map(), openByAssignee: [], assignees: [] };
}

/** The counts statement's rows, sorted into their breakdowns; openByAssignee most loaded first. */
export function countsFromRows(rows: (CountRow & Partial<User>)[]): DashboardCounts {
  const counts = emptyCounts();
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

async function fetchCounts(prisma: PrismaClient, organizationId: number, breakdowns: Set<Breakdown>): Promise<DashboardCounts> {
  // Counter rows at 0 (every ticket of that key moved away) are left in place by the triggers: skipped here.
  // The users joined are the assignees of the openAssignee rows, the only rows with an assigneeId.
  const selects = [...breakdowns].map((breakdown) => BREAKDOWN_SQL[breakdown](organizationId));
  const rows = await prisma.$queryRaw<(CountRow & Partial<User>)[]>`
    WITH c AS (SELECT * FROM "TicketCount" WHERE "organizationId" = ${organizationId} AND "count" <> 0),
    g AS (${Prisma.join(selects, ' UNION ALL ')})
    SELECT g.*, u.* FROM g
    LEFT JOIN "User" u ON u."id" = g."assigneeId" AND u."organizationId" = ${organizationId}`;
  return countsFromRows(rows);
}

/**
 * The counts loader: keys are (organization, breakdown), one per dashboardStats field. A batch (the fields
 * of one request) is one statement per organization for the breakdowns it asks, and every key of that
 * organization gets the same DashboardCounts.
 */
export function createCountsLoader(prisma: PrismaClient, options: { batch: boolean }) {
  return new DataLoader<CountsKey, DashboardCounts, string>(
    async (keys) => {
      const asked = new Map<number, Set<Breakdown>>();
      for (const { organizationId, breakdown } of keys) asked.set(organizationId, (asked.get(organizationId) ?? new Set()).add(breakdown));
      const fetched = new Map(
        await Promise.all([...asked].map(async ([id, breakdowns]) => [id, await fetchCounts(prisma, id, breakdowns)] as const)),
      );
      return keys.map((key) => fetched.get(key.organizationId)!);
    },
    { ...options, cacheKeyFn: (key) => `${key.organizationId}:${key.breakdown}` },
  );
}

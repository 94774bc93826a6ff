// The dashboard's three aggregate statements, each behind a per-request DataLoader so that every field
// reading it (byStatus, byPriority and the open-ticket breakdowns all read the first, dashboard-counts.ts)
// shares one statement. Days are UTC days and "now" is the database's clock, so the series and the age buckets
// agree with each other whichever instance answers. Callers pass the organization of a viewer already
// checked to be staff of it (dashboard.ts); nothing here reads outside that organization.
import DataLoader from 'dataloader';
import type { PrismaClient } from '../prisma/generated/client.ts';
import { createCountsLoader } from './dashboard-counts.ts';

interface DashboardLoaderOptions {
  /** false: every load its own statement (the N+1 baseline); see LoaderOptions in loaders.ts. */
  batch: boolean;
}

/** The longest window ticketsPerDay and firstResponse accept. */
export const MAX_DASHBOARD_DAYS = 90;

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

/**
 * The per-day series and first-response loaders: statements issue 20 left as they were, so the peers'
 * frozen dashboard layer (bench/peers/lib/prisma-dashboard.ts) uses them too.
 */
export function createWindowLoaders(prisma: PrismaClient, options: DashboardLoaderOptions) {
  // Keys never batch together (one organization per request), so each loader is a per-request memo.
  const perKey = <K, V>(fetch: (key: K) => Promise<V>, cacheKeyFn: (key: K) => string | number) =>
    new DataLoader<K, V, string | number>((keys) => Promise.all(keys.map(fetch)), { ...options, cacheKeyFn });
  const windowKey = (key: WindowKey) => `${key.organizationId}:${key.days}`;
  return {
    ticketsPerDay: perKey<WindowKey, DayCount[]>((key) => fetchPerDay(prisma, key.organizationId, key.days), windowKey),
    firstResponse: perKey<WindowKey, FirstResponse>((key) => fetchFirstResponse(prisma, key.organizationId, key.days), windowKey),
  };
}

export function createDashboardLoaders(prisma: PrismaClient, options: DashboardLoaderOptions) {
  return { dashboardCounts: createCountsLoader(prisma, options), ...createWindowLoaders(prisma, options) };
}

// What "TicketCount" (kept by triggers, migration 20261207021247_ticket_counts) gets wrong against a
// GROUP BY over "Ticket": the keys whose counts differ, with both counts. Empty when it is exact.
import type { PrismaClient } from '../prisma/generated/client.ts';

export interface CountDrift {
  organizationId: number;
  status: string;
  priority: string;
  assigneeId: number;
  kept: number;
  actual: number;
}

export function ticketCountDrift(prisma: PrismaClient): Promise<CountDrift[]> {
  return prisma.$queryRaw<CountDrift[]>`
    WITH actual AS (
      SELECT "organizationId", "status", "priority", COALESCE("assigneeId", 0) AS "assigneeId", count(*)::int AS "count"
      FROM "Ticket" GROUP BY 1, 2, 3, 4
    )
    SELECT "organizationId", "status"::text AS "status", "priority"::text AS "priority", "assigneeId",
      COALESCE(k."count", 0) AS "kept", COALESCE(a."count", 0) AS "actual"
    FROM "TicketCount" k FULL JOIN actual a USING ("organizationId", "status", "priority", "assigneeId")
    WHERE COALESCE(k."count", 0) <> COALESCE(a."count", 0)
    ORDER BY 1, 2, 3, 4`;
}

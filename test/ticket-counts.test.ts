// "TicketCount" is what dashboardStats counts from, so it must equal a GROUP BY over "Ticket" after any
// write: single and bulk inserts, updates that move tickets between statuses, priorities and assignees
// (or move none), deletes, a user's deletion (its tickets' assignee set to null), a TRUNCATE, and many of these at once on separate connections (on PostgreSQL). The seeded template is
// checked first: the seed bulk-inserts tickets through the same triggers. Runs on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PrismaClient, TicketPriority, TicketStatus } from '../prisma/generated/client.ts';
import { openDatabase, type Database } from '../server/platform/database.ts';
import { createDashboardLoaders as createPeerDashboardLoaders } from '../bench/peers/lib/prisma-dashboard.ts';
import { createCountsLoader, type Breakdown, type DashboardCounts } from '../schema/dashboard-counts.ts';
import { copyTemplate } from './template-db.ts';
import { ticketCountDrift } from './ticket-count-drift.ts';

const STATUSES: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED', 'CANCELLED'];
const PRIORITIES: TicketPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const ALL: Breakdown[] = ['status', 'priority', 'openPriority', 'openAssignee', 'openAge'];

describe('TicketCount', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let prisma: PrismaClient;
  let orgId: number;
  let agents: number[];
  let requesterId: number;
  let nextNumber: number;

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    database = await openDatabase(copy.config, copy.options);
    prisma = database.prisma;
    const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    orgId = acme.id;
    agents = (await prisma.user.findMany({ where: { organizationId: orgId, role: { not: 'CUSTOMER' } }, orderBy: { id: 'asc' } })).map(
      (u) => u.id,
    );
    requesterId = (await prisma.user.findFirstOrThrow({ where: { organizationId: orgId, role: 'CUSTOMER' } })).id;
    nextNumber = ((await prisma.ticket.aggregate({ where: { organizationId: orgId }, _max: { number: true } }))._max.number ?? 0) + 1;
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const newTicket = (i: number) => ({
    organizationId: orgId,
    number: nextNumber++,
    title: `count ${i}`,
    body: '',
    status: STATUSES[i % STATUSES.length]!,
    priority: PRIORITIES[i % PRIORITIES.length]!,
    requesterId,
    assigneeId: i % 3 === 0 ? null : agents[i % agents.length]!,
  });
  const acmeTicketIds = async () =>
    (await prisma.ticket.findMany({ where: { organizationId: orgId }, select: { id: true }, orderBy: { id: 'asc' } })).map((t) => t.id);

  it('is exact on the seeded template, every organization of it counted', async () => {
    expect(await ticketCountDrift(prisma)).toEqual([]);
    const [row] = await prisma.$queryRaw<{ kept: number; tickets: number; organizations: number }[]>`
      SELECT (SELECT sum("count")::int FROM "TicketCount") AS kept, (SELECT count(*)::int FROM "Ticket") AS tickets,
        (SELECT count(DISTINCT "organizationId")::int FROM "TicketCount" WHERE "count" > 0) AS organizations`;
    expect(row!.tickets).toBeGreaterThan(0);
    expect(row!.kept).toBe(row!.tickets);
    expect(row!.organizations).toBe(await prisma.organization.count());
  });

  it('stays exact through inserts, moves between keys, writes that move nothing, and deletes', async () => {
    await prisma.ticket.create({ data: newTicket(0) });
    await prisma.ticket.createMany({ data: Array.from({ length: 30 }, (_, i) => newTicket(i + 1)) });
    expect(await ticketCountDrift(prisma)).toEqual([]);

    const ids = await acmeTicketIds();
    await prisma.ticket.update({ where: { id: ids[0]! }, data: { status: 'RESOLVED' } });
    await prisma.ticket.update({ where: { id: ids[1]! }, data: { priority: 'URGENT', assigneeId: null } });
    await prisma.ticket.update({ where: { id: ids[2]! }, data: { assigneeId: agents[0]! } });
    await prisma.ticket.updateMany({ where: { id: { in: ids.slice(3, 20) } }, data: { status: 'IN_PROGRESS', priority: 'LOW' } });
    await prisma.ticket.updateMany({ where: { id: { in: ids.slice(10, 40) } }, data: { assigneeId: agents.at(-1)! } });
    // Swaps: rows of one statement that move between keys in opposite directions.
    await prisma.$executeRaw`
      UPDATE "Ticket" SET "status" = CASE WHEN "status" = 'OPEN' THEN 'CLOSED'::"TicketStatus" ELSE 'OPEN'::"TicketStatus" END
      WHERE "organizationId" = ${orgId} AND "status" IN ('OPEN', 'CLOSED')`;
    const before = await prisma.ticketCount.findMany({ orderBy: [{ organizationId: 'asc' }, { status: 'asc' }, { priority: 'asc' }] });
    await prisma.ticket.updateMany({ where: { id: { in: ids.slice(0, 50) } }, data: { title: 'renamed', updatedAt: new Date() } });
    expect(await prisma.ticketCount.findMany({ orderBy: [{ organizationId: 'asc' }, { status: 'asc' }, { priority: 'asc' }] })).toEqual(
      before,
    );
    expect(await ticketCountDrift(prisma)).toEqual([]);

    await prisma.ticket.delete({ where: { id: ids[5]! } });
    await prisma.ticket.deleteMany({ where: { id: { in: ids.slice(20, 35) } } });
    expect(await ticketCountDrift(prisma)).toEqual([]);
  });

  it("stays exact when a user's deletion unassigns their tickets, and when all of an organization's tickets go at once", async () => {
    const leaving = await prisma.user.create({
      data: { organizationId: orgId, email: 'leaving@acme.test', name: 'Leaving', role: 'AGENT' },
    });
    const ids = await acmeTicketIds();
    await prisma.ticket.updateMany({ where: { id: { in: ids.slice(0, 12) } }, data: { assigneeId: leaving.id } });
    await prisma.user.delete({ where: { id: leaving.id } });
    expect(await prisma.ticket.count({ where: { id: { in: ids.slice(0, 12) }, assigneeId: null } })).toBe(12);
    expect(await ticketCountDrift(prisma)).toEqual([]);

    const other = await prisma.organization.findFirstOrThrow({ where: { id: { not: orgId } }, orderBy: { id: 'desc' } });
    const { count } = await prisma.ticket.deleteMany({ where: { organizationId: other.id } });
    expect(count).toBeGreaterThan(0);
    expect(await ticketCountDrift(prisma)).toEqual([]);
    expect(await prisma.ticketCount.aggregate({ where: { organizationId: other.id }, _sum: { count: true } })).toEqual({
      _sum: { count: 0 },
    });
  });

  it('stays exact under concurrent writes to the same keys, without deadlocks', async () => {
    const ids = await acmeTicketIds();
    const writes = Array.from({ length: 24 }, (_, i) => {
      const slice = ids.slice((i * 7) % (ids.length - 30), ((i * 7) % (ids.length - 30)) + 30);
      if (i % 6 === 5) return prisma.ticket.createMany({ data: Array.from({ length: 5 }, (_, j) => newTicket(100 + i * 5 + j)) });
      // Overlapping sets moved towards every status and priority, in both directions.
      return prisma.ticket.updateMany({
        where: { id: { in: i % 2 ? slice : slice.reverse() } },
        data: {
          status: STATUSES[i % STATUSES.length]!,
          priority: PRIORITIES[(i * 3) % PRIORITIES.length]!,
          assigneeId: agents[i % agents.length]!,
        },
      });
    });
    await Promise.all(writes);
    expect(await ticketCountDrift(prisma)).toEqual([]);
  });

  it('counts only the breakdowns asked, and the peers’ frozen statement gives the same figures', async () => {
    const ours = createCountsLoader(prisma, { batch: true });
    const [status, assignee] = await Promise.all([
      ours.load({ organizationId: orgId, breakdown: 'status' }),
      ours.load({ organizationId: orgId, breakdown: 'openAssignee' }),
    ]);
    expect(status).toBe(assignee); // one batch, one statement
    expect(status.byStatus.size).toBeGreaterThan(0);
    expect(status.openByAssignee.length).toBeGreaterThan(0);
    expect([status.byPriority.size, status.openByPriority.size, status.openByAge.size]).toEqual([0, 0, 0]);

    // Every breakdown asked; compared as plain values (a Map's order is the statement's row order).
    const all = async (load: (key: { organizationId: number; breakdown: Breakdown }) => Promise<DashboardCounts>) => {
      const counts = (await Promise.all(ALL.map((breakdown) => load({ organizationId: orgId, breakdown }))))[0]!;
      return {
        ...Object.fromEntries(
          Object.entries(counts).map(([name, value]) => [name, value instanceof Map ? Object.fromEntries(value) : value]),
        ),
        assignees: counts.assignees.map((user) => user.id).sort((a, b) => a - b),
      };
    };
    const peers = createPeerDashboardLoaders(prisma, { batch: true }).dashboardCounts;
    const fresh = createCountsLoader(prisma, { batch: true });
    expect(await all((key) => fresh.load(key))).toEqual(await all((key) => peers.load(key)));
  });

  it('is emptied with "Ticket" by a TRUNCATE (the seed’s reset); the last test, it leaves no tickets', async () => {
    expect(await prisma.ticketCount.count()).toBeGreaterThan(0);
    await prisma.$executeRawUnsafe('TRUNCATE "Organization" CASCADE');
    expect(await prisma.ticketCount.count()).toBe(0);
  });
});

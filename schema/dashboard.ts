import type { User } from '../prisma/generated/client.ts';
import { TicketPriority, TicketStatus } from '../prisma/generated/enums.ts';
import { builder } from './builder.ts';
import { listTag } from './cache-tags.ts';
import { OPEN_STATUSES, TicketPriorityEnum, TicketStatusEnum, UserRef } from './refs.ts';
import { requireStaff } from './viewer.ts';

// Each list is one GROUP BY over the organization's tickets, run only when that list is asked for.
const DashboardStats = builder.objectRef<{ organizationId: number }>('DashboardStats');
const StatusCount = builder.objectRef<{ status: TicketStatus; count: number }>('StatusCount');
const PriorityCount = builder.objectRef<{ priority: TicketPriority; count: number }>('PriorityCount');
const AssigneeCount = builder.objectRef<{ assigneeId: number | null; count: number }>('AssigneeCount');

StatusCount.implement({
  description: 'How many tickets have one status.',
  fields: (t) => ({
    status: t.expose('status', { type: TicketStatusEnum, description: 'The status.' }),
    count: t.exposeInt('count', { description: 'Tickets with it.' }),
  }),
});

PriorityCount.implement({
  description: 'How many tickets have one priority.',
  fields: (t) => ({
    priority: t.expose('priority', { type: TicketPriorityEnum, description: 'The priority.' }),
    count: t.exposeInt('count', { description: 'Tickets with it.' }),
  }),
});

AssigneeCount.implement({
  description: 'How many open tickets one assignee has.',
  fields: (t) => ({
    assignee: t.field({
      type: UserRef,
      nullable: true,
      description: 'The assignee; null for the unassigned tickets.',
      resolve: (row, _args, ctx): Promise<User | null> | null => (row.assigneeId == null ? null : ctx.loaders.user.load(row.assigneeId)),
    }),
    count: t.exposeInt('count', { description: 'Open tickets (OPEN, IN_PROGRESS, PENDING).' }),
  }),
});

DashboardStats.implement({
  description: "Counts over your organization's tickets, for a dashboard.",
  // Invalidated by every ticket write that can move a count; the shorter TTL bounds what writes made
  // outside the API (imports, SQL by hand) can leave stale.
  extensions: { cacheMaxAge: 60 },
  fields: (t) => ({
    byStatus: t.field({
      type: [StatusCount],
      description: 'Tickets per status, every status listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const rows = await ctx.prisma.ticket.groupBy({ by: ['status'], where: { organizationId }, _count: { _all: true } });
        const counts = new Map(rows.map((row) => [row.status, row._count._all]));
        return (Object.values(TicketStatus) as TicketStatus[]).map((status) => ({ status, count: counts.get(status) ?? 0 }));
      },
    }),
    byPriority: t.field({
      type: [PriorityCount],
      description: 'Tickets per priority, every priority listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const rows = await ctx.prisma.ticket.groupBy({ by: ['priority'], where: { organizationId }, _count: { _all: true } });
        const counts = new Map(rows.map((row) => [row.priority, row._count._all]));
        return (Object.values(TicketPriority) as TicketPriority[]).map((priority) => ({ priority, count: counts.get(priority) ?? 0 }));
      },
    }),
    openByAssignee: t.field({
      type: [AssigneeCount],
      description: 'Open tickets per assignee, most loaded first; unassigned ones under a null assignee.',
      resolve: async ({ organizationId }, _args, ctx) => {
        const rows = await ctx.prisma.ticket.groupBy({
          by: ['assigneeId'],
          where: { organizationId, status: { in: OPEN_STATUSES } },
          _count: { _all: true },
        });
        return rows
          .map((row) => ({ assigneeId: row.assigneeId, count: row._count._all }))
          .sort((a, b) => b.count - a.count || (a.assigneeId ?? 0) - (b.assigneeId ?? 0));
      },
    }),
  }),
});

builder.queryField('dashboardStats', (t) =>
  t.field({
    type: DashboardStats,
    description: "Ticket counts for your organization's dashboard. Agents and admins only.",
    resolve: (_root, _args, ctx) => {
      const { organizationId } = requireStaff(ctx.viewer, 'see the dashboard');
      ctx.cache.tag(listTag.dashboard(organizationId));
      return { organizationId };
    },
  }),
);

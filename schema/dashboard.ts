import type { User } from '../prisma/generated/client.ts';
import { TicketPriority, TicketStatus } from '../prisma/generated/enums.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { AGE_BUCKETS, type AgeBucket, type Breakdown } from './dashboard-counts.ts';
import { MAX_DASHBOARD_DAYS, type DayCount, type FirstResponse } from './dashboard-queries.ts';
import { tagFigure, type DashboardFigure } from './dashboard-tags.ts';
import { BadUserInputError } from './errors.ts';
import { TicketPriorityEnum, TicketStatusEnum, UserRef } from './refs.ts';
import { requireStaff } from './viewer.ts';

// The whole dashboard is three statements (dashboard-queries.ts): the counts asked for, the daily series,
// the first-response median; each is read only when one of its fields is asked for.
const DashboardStats = builder.objectRef<{ organizationId: number }>('DashboardStats');
const StatusCount = builder.objectRef<{ status: TicketStatus; count: number }>('StatusCount');
const PriorityCount = builder.objectRef<{ priority: TicketPriority; count: number }>('PriorityCount');
const AssigneeCount = builder.objectRef<{ assigneeId: number | null; count: number }>('AssigneeCount');
const AgeCount = builder.objectRef<{ age: AgeBucket; count: number }>('TicketAgeCount');
const DayCountRef = builder.objectRef<DayCount>('TicketDayCount');
const FirstResponseRef = builder.objectRef<FirstResponse>('FirstResponseStats');

const AgeBucketEnum = builder.enumType('TicketAgeBucket', {
  description: 'How long ago an open ticket was created.',
  values: {
    UNDER_1_DAY: { description: 'Less than 24 hours.' },
    FROM_1_TO_3_DAYS: { description: '1 to 3 days.' },
    FROM_3_TO_7_DAYS: { description: '3 to 7 days.' },
    FROM_7_TO_30_DAYS: { description: '7 to 30 days.' },
    OVER_30_DAYS: { description: '30 days or more.' },
  } satisfies Record<AgeBucket, unknown>,
});

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

AgeCount.implement({
  description: 'How many open tickets were created in one age range.',
  fields: (t) => ({
    age: t.expose('age', { type: AgeBucketEnum, description: 'The age range.' }),
    count: t.exposeInt('count', { description: 'Open tickets (OPEN, IN_PROGRESS, PENDING) of that age.' }),
  }),
});

DayCountRef.implement({
  description: 'Tickets created and resolved on one day (UTC).',
  fields: (t) => ({
    date: t.exposeString('date', { description: 'The day, YYYY-MM-DD, in UTC.' }),
    created: t.exposeInt('created', { description: 'Tickets created that day.' }),
    resolved: t.exposeInt('resolved', { description: 'Tickets that became RESOLVED or CLOSED that day (and are still).' }),
  }),
});

FirstResponseRef.implement({
  description:
    'How long requesters wait for a first answer: the time from a ticket being created to the first public ' +
    'comment on it by an agent or admin (internal notes do not count), over the tickets created in the last days.',
  fields: (t) => ({
    days: t.exposeInt('days', { description: 'The window: tickets created on this many UTC days, today included.' }),
    medianSeconds: t.exposeInt('medianSeconds', {
      nullable: true,
      description: 'The median wait in seconds over the tickets answered; null when none has been.',
    }),
    responded: t.exposeInt('responded', { description: 'Tickets of the window that have had a first response.' }),
    awaiting: t.exposeInt('awaiting', { description: 'Tickets of the window still waiting for one.' }),
  }),
});

/**
 * The counts with `breakdown` filled in, for the field `figure`: the fields of one request share one
 * statement (dashboard-counts.ts).
 */
async function countsOf(ctx: Context, organizationId: number, breakdown: Breakdown, figure: DashboardFigure) {
  tagFigure(ctx, organizationId, figure);
  const counts = await ctx.loaders.dashboardCounts.load({ organizationId, breakdown });
  // The assignees came with the counts: AssigneeCount.assignee then costs no statement.
  for (const user of counts.assignees) ctx.loaders.user.prime(user.id, user);
  return counts;
}

function windowDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DASHBOARD_DAYS) {
    throw new BadUserInputError(`days must be from 1 to ${MAX_DASHBOARD_DAYS}, got ${days}.`, { argumentName: 'days' });
  }
  return days;
}

const PRIORITIES = Object.values(TicketPriority) as TicketPriority[];

DashboardStats.implement({
  description: "Counts over your organization's tickets, for a dashboard.",
  // Each figure is invalidated by the writes that can move it; the shorter TTL bounds what writes made outside
  // the API (imports, SQL by hand) and the passing of time (days, ages) can leave stale.
  extensions: { cacheMaxAge: 60 },
  fields: (t) => ({
    byStatus: t.field({
      type: [StatusCount],
      description: 'Tickets per status, every status listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const { byStatus } = await countsOf(ctx, organizationId, 'status', 'byStatus');
        return (Object.values(TicketStatus) as TicketStatus[]).map((status) => ({ status, count: byStatus.get(status) ?? 0 }));
      },
    }),
    byPriority: t.field({
      type: [PriorityCount],
      description: 'Tickets per priority, whatever their status, every priority listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const { byPriority } = await countsOf(ctx, organizationId, 'priority', 'byPriority');
        return PRIORITIES.map((priority) => ({ priority, count: byPriority.get(priority) ?? 0 }));
      },
    }),
    openByPriority: t.field({
      type: [PriorityCount],
      description: 'Open tickets (OPEN, IN_PROGRESS, PENDING) per priority, every priority listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const { openByPriority } = await countsOf(ctx, organizationId, 'openPriority', 'openByPriority');
        return PRIORITIES.map((priority) => ({ priority, count: openByPriority.get(priority) ?? 0 }));
      },
    }),
    openByAge: t.field({
      type: [AgeCount],
      description: 'Open tickets per age range, youngest first, every range listed (zero included).',
      resolve: async ({ organizationId }, _args, ctx) => {
        const { openByAge } = await countsOf(ctx, organizationId, 'openAge', 'openByAge');
        return AGE_BUCKETS.map((age) => ({ age, count: openByAge.get(age) ?? 0 }));
      },
    }),
    openByAssignee: t.field({
      type: [AssigneeCount],
      description: 'Open tickets per assignee, most loaded first; unassigned ones under a null assignee.',
      resolve: async ({ organizationId }, _args, ctx) =>
        (await countsOf(ctx, organizationId, 'openAssignee', 'openByAssignee')).openByAssignee,
    }),
    ticketsPerDay: t.field({
      type: [DayCountRef],
      description: 'Tickets created and resolved per UTC day over the last days, oldest first, today last, every day listed.',
      args: {
        days: t.arg.int({ defaultValue: 30, required: true, description: `How many days, today included: 1 to ${MAX_DASHBOARD_DAYS}.` }),
      },
      resolve: ({ organizationId }, { days }, ctx) => {
        tagFigure(ctx, organizationId, 'ticketsPerDay');
        return ctx.loaders.ticketsPerDay.load({ organizationId, days: windowDays(days) });
      },
    }),
    firstResponse: t.field({
      type: FirstResponseRef,
      description: 'The median time to a first answer, over the tickets created in the last days.',
      args: {
        days: t.arg.int({ defaultValue: 30, required: true, description: `How many days, today included: 1 to ${MAX_DASHBOARD_DAYS}.` }),
      },
      resolve: ({ organizationId }, { days }, ctx) => {
        tagFigure(ctx, organizationId, 'firstResponse');
        return ctx.loaders.firstResponse.load({ organizationId, days: windowDays(days) });
      },
    }),
  }),
});

builder.queryField('dashboardStats', (t) =>
  t.field({
    type: DashboardStats,
    description: "Ticket counts for your organization's dashboard. Agents and admins only.",
    resolve: (_root, _args, ctx) => {
      // Each figure tags the response itself (dashboard-tags.ts): a write evicts only the figures it moves.
      const { organizationId } = requireStaff(ctx.viewer, 'see the dashboard');
      return { organizationId };
    },
  }),
);

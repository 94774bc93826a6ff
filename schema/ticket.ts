import type { Prisma, PrismaClient, Ticket, TicketPriority } from '../prisma/generated/client.ts';
import { TicketPriority as Priorities } from '../prisma/generated/enums.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { BadUserInputError, ForbiddenError, NotFoundError } from './errors.ts';
import { parseId } from './global-id.ts';
import { byCreatedAt, childConnection, type Cursor, pageWindow, toConnection } from './pagination.ts';
import {
  CommentRef,
  OrganizationRef,
  SortDirectionEnum,
  TagRef,
  TicketPriorityEnum,
  TicketRef,
  TicketStatusEnum,
  UserRef,
} from './refs.ts';
import { tagLookups, ticketWriteTags, visibleTicketsTag } from './cache-tags.ts';
import { requiredText } from './validate.ts';
import { canSeeTicket, isStaff, requireStaff, requireViewer, visibleTicketsWhere, type Viewer } from './viewer.ts';

builder.node(TicketRef, {
  description: 'A request for help, filed by a requester and worked by an assignee.',
  id: { resolve: (ticket) => ticket.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'Ticket', ids);
    return Promise.all(ids.map((id) => loadVisibleTicket(ctx, Number(id))));
  },
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Human-friendly number, unique within the organization (#1, #2, ...).' }),
    title: t.exposeString('title', { description: 'One-line summary.' }),
    body: t.exposeString('body', { description: 'The full description, as the requester wrote it.' }),
    status: t.expose('status', { type: TicketStatusEnum, description: 'Where the ticket is in its life.' }),
    priority: t.expose('priority', { type: TicketPriorityEnum, description: 'How urgent it is.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was filed.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it or its comments last changed.' }),
    organization: t.field({
      type: OrganizationRef,
      description: 'The organization the ticket belongs to.',
      resolve: async (ticket, _args, ctx) => (await ctx.loaders.organization.load(ticket.organizationId))!,
    }),
    requester: t.field({
      type: UserRef,
      description: 'Who filed the ticket.',
      resolve: async (ticket, _args, ctx) => (await ctx.loaders.user.load(ticket.requesterId))!,
    }),
    assignee: t.field({
      type: UserRef,
      nullable: true,
      description: 'The agent working the ticket; null while unassigned.',
      resolve: (ticket, _args, ctx) => (ticket.assigneeId ? ctx.loaders.user.load(ticket.assigneeId) : null),
    }),
    tags: t.field({
      type: [TagRef],
      description: 'Tags on the ticket, by name.',
      resolve: (ticket, _args, ctx) => ctx.loaders.tagsByTicket.load(ticket.id),
    }),
    commentCount: t.int({
      description: 'How many comments you can read on this ticket.',
      resolve: (ticket, _args, ctx) => ctx.loaders.commentCount.load(ticket.id),
    }),
    comments: t.connection({
      type: CommentRef,
      description: 'Comments, oldest first. Internal notes appear only for agents and admins.',
      resolve: (ticket, args, ctx) =>
        childConnection(ctx.loaders.commentsByTicket, ticket.id, args, ctx.settings.maxPageSize, byCreatedAt),
    }),
  }),
});

export async function loadVisibleTicket(ctx: Context, id: number): Promise<Ticket | null> {
  const ticket = await ctx.loaders.ticket.load(id);
  return ticket && ctx.viewer && canSeeTicket(ctx.viewer, ticket) ? ticket : null;
}

/** Marks a ticket as changed when its comments or tags change. Returns Prisma's own promise, so it can
 *  join a batch transaction. */
export function touchTicket(db: Pick<PrismaClient, 'ticket'>, id: number) {
  return db.ticket.update({ where: { id }, data: { updatedAt: new Date() } });
}

/**
 * After a committed write: later resolvers in this request read the changed rows (not those loaded
 * before), and the response cache drops what the change made stale before the mutation returns.
 */
export async function ticketsChanged(
  ctx: Context,
  tickets: Ticket[],
  options: { counts: boolean; alsoInvalidate?: string[] },
): Promise<void> {
  for (const ticket of tickets) ctx.loaders.ticket.clear(ticket.id).prime(ticket.id, ticket);
  await ctx.cache.invalidate([...ticketWriteTags(tickets, options), ...(options.alsoInvalidate ?? [])]);
}

/** A ticket the viewer can see, by global ID, or NOT_FOUND (invisible tickets are not admitted to exist). */
export async function requireTicket(ctx: Context, globalId: string): Promise<Ticket> {
  requireViewer(ctx.viewer);
  const ticket = await loadVisibleTicket(ctx, parseId(globalId, 'Ticket'));
  if (!ticket) throw new NotFoundError('Ticket', globalId);
  return ticket;
}

// ---- the ticket list ------------------------------------------------------------------------------

const TicketFilter = builder.inputType('TicketFilter', {
  description: 'Narrows the ticket list. All given conditions must hold.',
  fields: (t) => ({
    status: t.field({ type: [TicketStatusEnum], description: 'Any of these statuses.' }),
    priority: t.field({ type: [TicketPriorityEnum], description: 'Any of these priorities.' }),
    assigneeId: t.id({ description: 'Assigned to this user.' }),
    unassigned: t.boolean({ description: 'true: only tickets with no assignee.' }),
    requesterId: t.id({ description: 'Filed by this user.' }),
    tag: t.string({ description: 'Carrying the tag with this name.' }),
    search: t.string({ description: 'Title contains this text (case-insensitive), at most 200 characters.' }),
  }),
});

const TicketOrderField = builder.enumType('TicketOrderField', {
  description: 'What the ticket list is sorted by. Ties are broken by ID.',
  values: {
    CREATED_AT: { description: 'When the ticket was filed.', value: 'createdAt' },
    UPDATED_AT: { description: 'When the ticket last changed.', value: 'updatedAt' },
    PRIORITY: { description: 'Priority, LOW to URGENT.', value: 'priority' },
  } as const,
});

const TicketOrder = builder.inputType('TicketOrder', {
  description: 'Sort order of the ticket list.',
  fields: (t) => ({
    field: t.field({ type: TicketOrderField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: SortDirectionEnum, required: true, defaultValue: 'DESC', description: 'Which way.' }),
  }),
});

type SortField = 'createdAt' | 'updatedAt' | 'priority';
type Direction = 'ASC' | 'DESC';

function filterWhere(viewer: Viewer, filter: typeof TicketFilter.$inferInput | null | undefined): Prisma.TicketWhereInput {
  const and: Prisma.TicketWhereInput[] = [visibleTicketsWhere(viewer)];
  if (!filter) return { AND: and };
  if (filter.status?.length) and.push({ status: { in: filter.status } });
  if (filter.priority?.length) and.push({ priority: { in: filter.priority } });
  if (filter.assigneeId) and.push({ assigneeId: parseId(filter.assigneeId, 'User') });
  if (filter.unassigned === true) and.push({ assigneeId: null });
  if (filter.unassigned === false) and.push({ assigneeId: { not: null } });
  if (filter.requesterId) and.push({ requesterId: parseId(filter.requesterId, 'User') });
  if (filter.tag != null) and.push({ tags: { some: { tag: { name: filter.tag, organizationId: viewer.organizationId } } } });
  if (filter.search != null) {
    if (filter.search.length > 200) throw new BadUserInputError('filter.search must be at most 200 characters.');
    if (filter.search.trim()) and.push({ title: { contains: filter.search.trim(), mode: 'insensitive' } });
  }
  return { AND: and };
}

const priorityOrder = Object.values(Priorities) as TicketPriority[];

/** The condition "sort key strictly beyond the cursor" in the given direction, as a Prisma filter. */
function beyond(field: SortField, cursor: Cursor, greater: boolean): Prisma.TicketWhereInput {
  const [raw, id] = cursor;
  const idBeyond = { id: greater ? { gt: id } : { lt: id } };
  if (field === 'priority') {
    const at = priorityOrder.indexOf(raw as TicketPriority);
    if (at < 0) throw new BadUserInputError('The cursor does not belong to a list sorted by priority.');
    const further = greater ? priorityOrder.slice(at + 1) : priorityOrder.slice(0, at);
    return { OR: [{ priority: { in: further } }, { priority: raw as TicketPriority, ...idBeyond }] };
  }
  const value = new Date(String(raw));
  if (typeof raw !== 'string' || Number.isNaN(value.getTime())) {
    throw new BadUserInputError('The cursor does not belong to a list sorted by date.');
  }
  return { OR: [{ [field]: greater ? { gt: value } : { lt: value } }, { [field]: value, ...idBeyond }] };
}

function cursorOf(field: SortField) {
  return (ticket: Ticket): Cursor =>
    field === 'priority' ? [ticket.priority, ticket.id] : [ticket[field].toISOString(), ticket.id];
}

builder.queryFields((t) => ({
  ticket: t.field({
    type: TicketRef,
    nullable: true,
    description: 'One ticket by ID. NOT_FOUND when it does not exist or is not yours to see.',
    args: { id: t.arg.id({ required: true, description: 'The ticket ID.' }) },
    resolve: (_root, { id }, ctx) => requireTicket(ctx, String(id)),
  }),
  tickets: t.connection(
    {
      type: TicketRef,
      description: 'Tickets you can see, filtered and sorted; newest first by default. Customers see their own.',
      args: {
        filter: t.arg({ type: TicketFilter, required: false, description: 'Conditions to narrow the list.' }),
        orderBy: t.arg({ type: TicketOrder, required: false, description: 'Sort order; default CREATED_AT DESC.' }),
      },
      resolve: async (_root, args, ctx) => {
        const viewer = requireViewer(ctx.viewer);
        ctx.cache.tag(visibleTicketsTag(viewer));
        const where = filterWhere(viewer, args.filter);
        const field = (args.orderBy?.field ?? 'createdAt') as SortField;
        const direction = (args.orderBy?.direction ?? 'DESC') as Direction;
        const window = pageWindow(args, ctx.settings.maxPageSize);
        const ascending = direction === 'ASC';
        const keyset: Prisma.TicketWhereInput[] = [];
        if (window.after) keyset.push(beyond(field, window.after, ascending));
        if (window.before) keyset.push(beyond(field, window.before, !ascending));
        const readAscending = ascending !== window.inverted;
        const order = readAscending ? 'asc' : 'desc';
        const rows = await ctx.prisma.ticket.findMany({
          where: { AND: [where, ...keyset] },
          orderBy: [{ [field]: order }, { id: order }],
          take: window.limit,
        });
        for (const row of rows) ctx.loaders.ticket.prime(row.id, row);
        return { ...toConnection(args, window, rows, cursorOf(field)), countWhere: where };
      },
    },
    {
      description: 'A page of tickets.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many tickets match the filter, across all pages.',
          resolve: (connection, _args, ctx) =>
            ctx.prisma.ticket.count({ where: (connection as unknown as { countWhere: Prisma.TicketWhereInput }).countWhere }),
        }),
      }),
    },
    { description: 'A ticket in a list, with its cursor.' },
  ),
}));

// ---- mutations ------------------------------------------------------------------------------------

/** An assignee must be an agent or admin of the viewer's organization. */
async function checkAssignee(ctx: Context, viewer: Viewer, globalId: string | null | undefined): Promise<number | null> {
  if (globalId == null) return null;
  const user = await ctx.loaders.user.load(parseId(globalId, 'User'));
  if (!user || user.organizationId !== viewer.organizationId || user.role === 'CUSTOMER') {
    throw new BadUserInputError('assigneeId must be an agent or admin of your organization.', { argumentName: 'assigneeId' });
  }
  return user.id;
}

const TicketPayload = builder.objectRef<{ ticket: Ticket }>('TicketPayload').implement({
  description: 'The ticket after the change.',
  fields: (t) => ({ ticket: t.expose('ticket', { type: TicketRef, description: 'The changed ticket.' }) }),
});

const CreateTicketInput = builder.inputType('CreateTicketInput', {
  description: 'A new ticket.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'One-line summary, 1–200 characters.' }),
    body: t.string({ required: true, description: 'The description, up to 50,000 characters.' }),
    priority: t.field({ type: TicketPriorityEnum, description: 'Default MEDIUM. Customers cannot set it.' }),
    assigneeId: t.id({ description: 'An agent or admin to assign. Agents and admins only.' }),
    requesterId: t.id({ description: 'File on behalf of this user (agents and admins); default: you.' }),
  }),
});

const UpdateTicketInput = builder.inputType('UpdateTicketInput', {
  description: 'Changes to a ticket; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The ticket to change.' }),
    title: t.string({ description: 'New summary, 1–200 characters.' }),
    body: t.string({ description: 'New description.' }),
    status: t.field({ type: TicketStatusEnum, description: 'New status (agents and admins).' }),
    priority: t.field({ type: TicketPriorityEnum, description: 'New priority (agents and admins).' }),
    assigneeId: t.id({ description: 'New assignee; null to unassign (agents and admins).' }),
  }),
});

const BulkUpdateTicketsInput = builder.inputType('BulkUpdateTicketsInput', {
  description: 'One change applied to many tickets at once, all or nothing.',
  fields: (t) => ({
    ids: t.idList({ required: true, description: 'The tickets to change, 1 to 500.' }),
    status: t.field({ type: TicketStatusEnum, description: 'New status.' }),
    priority: t.field({ type: TicketPriorityEnum, description: 'New priority.' }),
    assigneeId: t.id({ description: 'New assignee; null to unassign.' }),
  }),
});

const BulkUpdateTicketsPayload = builder.objectRef<{ tickets: Ticket[] }>('BulkUpdateTicketsPayload').implement({
  description: 'The tickets after the change, in the order asked.',
  fields: (t) => ({ tickets: t.expose('tickets', { type: [TicketRef], description: 'The changed tickets.' }) }),
});

export const MAX_BULK_TICKETS = 500;

builder.mutationFields((t) => ({
  createTicket: t.field({
    type: TicketPayload,
    description: 'Files a new ticket in your organization; it gets the next ticket number.',
    args: { input: t.arg({ type: CreateTicketInput, required: true, description: 'The new ticket.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const staffOnly = input.priority != null || input.assigneeId != null || input.requesterId != null;
      if (staffOnly && !isStaff(viewer)) {
        throw new ForbiddenError('Customers cannot set priority, assignee or requester; leave them out.');
      }
      const title = requiredText('title', input.title, 200);
      const body = requiredText('body', input.body, 50_000, { allowEmpty: true });
      const assigneeId = await checkAssignee(ctx, viewer, input.assigneeId);
      let requesterId = viewer.userId;
      if (input.requesterId != null) {
        const requester = await ctx.loaders.user.load(parseId(input.requesterId, 'User'));
        if (!requester || requester.organizationId !== viewer.organizationId) {
          throw new BadUserInputError('requesterId must be a user of your organization.', { argumentName: 'requesterId' });
        }
        requesterId = requester.id;
      }
      const ticket = await ctx.prisma.$transaction(async (tx) => {
        // Lock the organization row so concurrent creates take numbers one after another.
        await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE "id" = ${viewer.organizationId} FOR UPDATE`;
        const { _max } = await tx.ticket.aggregate({
          where: { organizationId: viewer.organizationId },
          _max: { number: true },
        });
        return tx.ticket.create({
          data: {
            organizationId: viewer.organizationId,
            number: (_max.number ?? 0) + 1,
            title,
            body,
            priority: input.priority ?? undefined,
            requesterId,
            assigneeId,
          },
        });
      });
      await ticketsChanged(ctx, [ticket], { counts: true });
      return { ticket };
    },
  }),

  updateTicket: t.field({
    type: TicketPayload,
    description: 'Changes a ticket. Customers may edit the title and body of their own tickets only.',
    args: { input: t.arg({ type: UpdateTicketInput, required: true, description: 'What to change.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const ticket = await requireTicket(ctx, String(input.id));
      const staffFields = input.status != null || input.priority != null || input.assigneeId !== undefined;
      if (staffFields && !isStaff(viewer)) {
        throw new ForbiddenError('Only agents and admins can change status, priority or assignee.');
      }
      const data: Prisma.TicketUncheckedUpdateInput = {};
      if (input.title != null) data.title = requiredText('title', input.title, 200);
      if (input.body != null) data.body = requiredText('body', input.body, 50_000, { allowEmpty: true });
      if (input.status != null) data.status = input.status;
      if (input.priority != null) data.priority = input.priority;
      if (input.assigneeId !== undefined) data.assigneeId = await checkAssignee(ctx, viewer, input.assigneeId);
      if (Object.keys(data).length === 0) {
        throw new BadUserInputError('Nothing to change: give at least one of title, body, status, priority, assigneeId.');
      }
      const updated = await ctx.prisma.ticket.update({ where: { id: ticket.id }, data });
      await ticketsChanged(ctx, [updated], { counts: staffFields });
      return { ticket: updated };
    },
  }),

  bulkUpdateTickets: t.field({
    type: BulkUpdateTicketsPayload,
    description: 'Applies one change to many tickets in one statement and one transaction: all change, or none.',
    args: { input: t.arg({ type: BulkUpdateTicketsInput, required: true, description: 'The tickets and the change.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireStaff(ctx.viewer, 'bulk-update tickets');
      const ids = [...new Set(input.ids.map((id) => parseId(String(id), 'Ticket')))];
      if (ids.length === 0 || ids.length > MAX_BULK_TICKETS) {
        throw new BadUserInputError(`ids must name 1 to ${MAX_BULK_TICKETS} tickets, got ${ids.length}.`);
      }
      const data: Prisma.TicketUncheckedUpdateManyInput = {};
      if (input.status != null) data.status = input.status;
      if (input.priority != null) data.priority = input.priority;
      if (input.assigneeId !== undefined) data.assigneeId = await checkAssignee(ctx, viewer, input.assigneeId);
      if (Object.keys(data).length === 0) {
        throw new BadUserInputError('Nothing to change: give at least one of status, priority, assigneeId.');
      }
      const rows = await ctx.prisma.$transaction(async (tx) => {
        const changed = await tx.ticket.updateManyAndReturn({
          where: { id: { in: ids }, organizationId: viewer.organizationId },
          data,
        });
        if (changed.length !== ids.length) {
          const found = new Set(changed.map((row) => row.id));
          const missing = ids.filter((id) => !found.has(id));
          // Throwing rolls the whole update back: a bulk change is all or nothing.
          throw new NotFoundError('Ticket', missing.map((id) => `#${id}`).join(', '));
        }
        return changed;
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      await ticketsChanged(ctx, rows, { counts: true });
      return { tickets: ids.map((id) => byId.get(id)!) };
    },
  }),
}));


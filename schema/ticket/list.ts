// The ticket list: filters, sort orders and keyset pagination over them.
import type { GraphQLResolveInfo } from 'graphql';
import type { Prisma, Ticket, TicketPriority } from '../../prisma/generated/client.ts';
import { TicketPriority as Priorities } from '../../prisma/generated/enums.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { TicketConnection, withTotalCount } from '../connections.ts';
import { BadUserInputError } from '../errors.ts';
import { parseId } from '../global-id.ts';
import { type Cursor, type PageArgs, pageWindow, toConnection } from '../pagination.ts';
import { SortDirectionEnum, TicketPriorityEnum, TicketRef, TicketStatusEnum } from '../refs.ts';
import { askedRelations } from './list-lookahead.ts';
import { ticketListTags, type TicketListShape, type TicketSortField } from './list-tags.ts';
import { requireTicket } from './access.ts';
import { isStaff, requireViewer, visibleTicketsWhere, type Viewer } from '../viewer.ts';

export const TicketFilter = builder.inputType('TicketFilter', {
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

export const TicketOrder = builder.inputType('TicketOrder', {
  description: 'Sort order of the ticket list.',
  fields: (t) => ({
    field: t.field({ type: TicketOrderField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: SortDirectionEnum, required: true, defaultValue: 'DESC', description: 'Which way.' }),
  }),
});

type SortField = TicketSortField;
type Direction = 'ASC' | 'DESC';

type Filter = typeof TicketFilter.$inferInput;

/** The list's conditions as the cache sees them (list-tags.ts): what a write must name to evict it. */
function listShape(viewer: Viewer, filter: Filter | null | undefined, sort: SortField): TicketListShape {
  const requesterIds = isStaff(viewer) ? [] : [viewer.userId];
  if (filter?.requesterId) requesterIds.push(parseId(filter.requesterId, 'User'));
  return {
    organizationId: viewer.organizationId,
    status: filter?.status,
    priority: filter?.priority,
    assigneeId: filter?.assigneeId ? parseId(filter.assigneeId, 'User') : null,
    unassigned: filter?.unassigned,
    requesterIds,
    tag: filter?.tag,
    search: Boolean(filter?.search?.trim()),
    sort,
  };
}

function filterWhere(viewer: Viewer, filter: Filter | null | undefined): Prisma.TicketWhereInput {
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
  return (ticket: Ticket): Cursor => (field === 'priority' ? [ticket.priority, ticket.id] : [ticket[field].toISOString(), ticket.id]);
}

export interface TicketListArgs extends PageArgs {
  filter?: typeof TicketFilter.$inferInput | null;
  orderBy?: typeof TicketOrder.$inferInput | null;
}

/**
 * The tickets the viewer can see, filtered, sorted and paged: Query.tickets, and Subscription.ticketsChanged
 * (schema/live.ts). With `info`, the relations the query asks of the tickets are read with the page.
 */
export async function resolveTicketList(args: TicketListArgs, ctx: Context, info?: GraphQLResolveInfo) {
  const viewer = requireViewer(ctx.viewer);
  const where = filterWhere(viewer, args.filter);
  const field = (args.orderBy?.field ?? 'createdAt') as SortField;
  ctx.cache.tag(...ticketListTags(listShape(viewer, args.filter, field)));
  const direction = (args.orderBy?.direction ?? 'DESC') as Direction;
  const window = pageWindow(args, ctx.settings.maxPageSize);
  const ascending = direction === 'ASC';
  const keyset: Prisma.TicketWhereInput[] = [];
  if (window.after) keyset.push(beyond(field, window.after, ascending));
  if (window.before) keyset.push(beyond(field, window.before, !ascending));
  const readAscending = ascending !== window.inverted;
  const order = readAscending ? 'asc' : 'desc';
  const filter = args.filter;
  const direct =
    field !== 'priority' &&
    !window.after &&
    !window.before &&
    (!filter ||
      (filter.assigneeId == null &&
        filter.unassigned == null &&
        filter.requesterId == null &&
        filter.tag == null &&
        filter.search == null));
  const rows = await ctx.loaders.ticketPage({
    direct: direct
      ? {
          viewer,
          status: filter?.status,
          priority: filter?.priority,
          field,
          ascending: readAscending,
          limit: window.limit,
          relations: info && askedRelations(info, ctx.settings.maxPageSize),
        }
      : null,
    prisma: { where: { AND: [where, ...keyset] }, orderBy: [{ [field]: order }, { id: order }], take: window.limit },
  });
  for (const row of rows) ctx.loaders.ticket.prime(row.id, row);
  return withTotalCount(toConnection(args, window, rows, cursorOf(field)), () => ctx.prisma.ticket.count({ where }));
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
      resolve: (_root, args, ctx, info) => resolveTicketList(args, ctx, info),
    },
    TicketConnection,
  ),
}));

// ---- mutations ------------------------------------------------------------------------------------

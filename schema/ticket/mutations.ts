// Creating and changing tickets, one at a time or in bulk.
import type { Prisma, Ticket } from '../../prisma/generated/client.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../errors.ts';
import { parseId } from '../global-id.ts';
import { TicketPriorityEnum, TicketRef, TicketStatusEnum } from '../refs.ts';
import { requiredText } from '../validate.ts';
import { changesNothing, lockTickets, requireTicket, ticketsChanged } from './access.ts';
import { isStaff, requireStaff, requireViewer, type Viewer } from '../viewer.ts';

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

const MAX_BULK_TICKETS = 500;

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
      await ticketsChanged(ctx, [{ before: null, after: ticket }]);
      return { ticket };
    },
  }),

  updateTicket: t.field({
    type: TicketPayload,
    description:
      'Changes a ticket. Customers may edit the title and body of their own tickets only. Giving only values the ticket already has changes nothing: updatedAt stays.',
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
      // The row as this write changes it (locked), not as loaded above: the cache evicts by old and new values.
      const [before, updated] = await ctx.prisma.$transaction(async (tx) => {
        const [row] = await lockTickets(tx, ticket.organizationId, [ticket.id]);
        // Setting what is already set changes nothing: no write, updatedAt stays, nothing cached is evicted.
        if (changesNothing(row!, data)) return [null, await tx.ticket.findUniqueOrThrow({ where: { id: ticket.id } })] as const;
        return [row!, await tx.ticket.update({ where: { id: ticket.id }, data })] as const;
      });
      if (before) await ticketsChanged(ctx, [{ before, after: updated, bodyGiven: data.body !== undefined }]);
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
      const [before, rows] = await ctx.prisma.$transaction(async (tx) => {
        // What the rows are changed from, locked: the cache evicts by old and new values.
        const locked = await lockTickets(tx, viewer.organizationId, ids);
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
        return [new Map(locked.map((row) => [row.id, row])), changed] as const;
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      await ticketsChanged(
        ctx,
        rows.map((row) => ({ before: before.get(row.id)!, after: row })),
      );
      return { tickets: ids.map((id) => byId.get(id)!) };
    },
  }),
}));

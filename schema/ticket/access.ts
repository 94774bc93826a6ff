// Reading and changing tickets for other modules (comments, tags): visibility, and what a write must do after it commits.
import type { Prisma, PrismaClient, Ticket } from '../../prisma/generated/client.ts';
import type { Context } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { parseId } from '../global-id.ts';
import { entityTag, groupTag } from '../cache-tags.ts';
import { dashboardChangeTags } from '../dashboard-tags.ts';
import { ticketChangeTags, type TicketChange, type TicketState } from './list-tags.ts';
import { canSeeTicket, requireViewer } from '../viewer.ts';

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
 * The tickets as they are now, locked until the transaction ends: the state a write changes them from,
 * exact even when another write to them commits while this one runs (it waits for the lock).
 */
export function lockTickets(tx: Prisma.TransactionClient, organizationId: number, ids: readonly number[]): Promise<TicketState[]> {
  return tx.$queryRaw<TicketState[]>`
    SELECT "id", "organizationId", "requesterId", "assigneeId", "status"::text AS "status", "priority"::text AS "priority", "title",
      "resolvedAt"
    FROM "Ticket" WHERE "id" = ANY(${ids}::int[]) AND "organizationId" = ${organizationId}
    ORDER BY "id" FOR UPDATE`;
}

/**
 * Whether an update would leave the locked row as it is. The body is not among the locked columns, so an
 * update that gives one always writes.
 */
export function changesNothing(row: TicketState, data: Prisma.TicketUncheckedUpdateInput): boolean {
  if (data.body !== undefined) return false;
  const fields = ['title', 'status', 'priority', 'assigneeId'] as const;
  return fields.every((field) => data[field] === undefined || data[field] === row[field]);
}

/**
 * A committed write to a ticket: the changed row, and its state before (null when created). `touch`: it
 * changed only the ticket's comments or tags, and its updatedAt. `bodyGiven`: the update set the body
 * (which the locked state does not hold: it may have changed).
 */
export type TicketWrite = TicketChange & { after: Ticket; touch?: true; bodyGiven?: boolean };

/** A write that changed none of the attributes lists filter or sort on, besides updatedAt (comments, tags). */
export function touchWrite(ticket: Ticket, tagNames?: readonly string[]): TicketWrite {
  return { before: ticket, after: ticket, tagNames, touch: true };
}

/**
 * The field groups of Ticket (TICKET_FIELD_GROUPS in ticket.ts) a write changed; null when it created
 * the ticket or changed who may see it, which invalidates the entity tag itself. Every update moves
 * updatedAt: 'updated'.
 */
export function changedGroups(write: TicketWrite): string[] | null {
  const { before, after } = write;
  if (before == null || before.organizationId !== after.organizationId || before.requesterId !== after.requesterId) return null;
  if (write.touch) return ['updated', 'touch'];
  const groups = ['updated'];
  if (before.title !== after.title || write.bodyGiven) groups.push('text');
  if (before.status !== after.status) groups.push('status');
  if (before.priority !== after.priority) groups.push('priority');
  if (before.assigneeId !== after.assigneeId) groups.push('assignee');
  return groups;
}

/**
 * After a committed write: later resolvers in this request read the changed rows (not those loaded
 * before), and the response cache drops what the change made stale before the mutation returns: the
 * tickets' own entries, the lists the change can move them into, out of or within (list-tags.ts), and
 * the dashboard's figures it can move (dashboard-tags.ts).
 */
export async function ticketsChanged(ctx: Context, writes: readonly TicketWrite[], alsoInvalidate: readonly string[] = []): Promise<void> {
  const tags = new Set(alsoInvalidate);
  for (const write of writes) {
    const { after } = write;
    ctx.loaders.ticket.clear(after.id).prime(after.id, after);
    // An update evicts only the responses that read a field it changed (TICKET_FIELD_GROUPS).
    const entity = entityTag('Ticket', after.id);
    const groups = changedGroups(write);
    if (groups) for (const group of groups) tags.add(groupTag(entity, group));
    else tags.add(entity);
    for (const tag of ticketChangeTags(write)) tags.add(tag);
    for (const tag of dashboardChangeTags(write)) tags.add(tag);
  }
  await ctx.cache.invalidate(tags);
}

/** A ticket the viewer can see, by global ID, or NOT_FOUND (invisible tickets are not admitted to exist). */
export async function requireTicket(ctx: Context, globalId: string): Promise<Ticket> {
  requireViewer(ctx.viewer);
  const ticket = await loadVisibleTicket(ctx, parseId(globalId, 'Ticket'));
  if (!ticket) throw new NotFoundError('Ticket', globalId);
  return ticket;
}

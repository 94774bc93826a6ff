// Reading and changing tickets for other modules (comments, tags): visibility, and what a write must do after it commits.
import type { PrismaClient, Ticket } from '../../prisma/generated/client.ts';
import type { Context } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import { parseId } from '../global-id.ts';
import { ticketWriteTags } from '../cache-tags.ts';
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

// The response cache's tag vocabulary (server/CACHE.md explains it). A cached response carries the
// entity tags of every object in it (added by @envelop/response-cache) plus the list tags its
// resolvers add here; a mutation invalidates, after commit, the tags of what it changed.
import type { Ticket } from '../prisma/generated/client.ts';
import type { Context } from './context.ts';
import { encodeGlobalId, type NodeTypeName } from './global-id.ts';
import { isStaff, type Viewer } from './viewer.ts';

/** The tag the response cache derives from an object in a result: typename and global ID. */
export function entityTag(type: NodeTypeName, id: number): string {
  return `${type}:${encodeGlobalId(type, id)}`;
}

/** A list whose members can change without any member changing: new rows must evict it. */
export const listTag = {
  ticketsOfOrganization: (organizationId: number) => `tickets@org:${organizationId}`,
  ticketsOfRequester: (userId: number) => `tickets@requester:${userId}`,
  ticketsOfAssignee: (userId: number) => `tickets@assignee:${userId}`,
  dashboard: (organizationId: number) => `dashboard@org:${organizationId}`,
  tagsOfOrganization: (organizationId: number) => `tags@org:${organizationId}`,
  usersOfOrganization: (organizationId: number) => `users@org:${organizationId}`,
};

/** Revoking a token drops it from every instance's token → viewer cache. */
export function tokenTag(tokenHash: string): string {
  return `token:${tokenHash}`;
}

/** The list Query.tickets reads for this viewer: the organization's for staff, their own for customers. */
export function visibleTicketsTag(viewer: Viewer): string {
  return isStaff(viewer) ? listTag.ticketsOfOrganization(viewer.organizationId) : listTag.ticketsOfRequester(viewer.userId);
}

/**
 * Marks by-ID lookups with the IDs asked for, found or not: a cached null for a ticket that did not
 * exist (or was not visible) must go when that ticket is created or changed.
 */
export function tagLookups(ctx: Context, type: NodeTypeName, ids: readonly (string | number)[]): void {
  ctx.cache.tag(...ids.map((id) => entityTag(type, Number(id))));
}

type ChangedTicket = Pick<Ticket, 'id' | 'organizationId' | 'requesterId' | 'assigneeId'>;

/**
 * What a write to these tickets makes stale, given their state after the write. The tickets' own tags
 * cover every cached result that shows them (including the lists they leave); the list tags cover
 * the lists they may join or move in: any write changes updatedAt, a sort key, so the organization's
 * lists and the requester's and assignee's lists go. Counts (the dashboard) only when they can change:
 * creation, status, priority or assignee, and public comments (a first response).
 */
export function ticketWriteTags(tickets: readonly ChangedTicket[], options: { counts: boolean }): string[] {
  const tags = new Set<string>();
  for (const ticket of tickets) {
    tags.add(entityTag('Ticket', ticket.id));
    tags.add(listTag.ticketsOfOrganization(ticket.organizationId));
    tags.add(listTag.ticketsOfRequester(ticket.requesterId));
    if (ticket.assigneeId != null) tags.add(listTag.ticketsOfAssignee(ticket.assigneeId));
    if (options.counts) tags.add(listTag.dashboard(ticket.organizationId));
  }
  return [...tags];
}

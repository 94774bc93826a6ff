// The response cache's tag vocabulary (server/CACHE.md explains it). A cached response carries the
// entity tags of every object in it (added by @envelop/response-cache) plus the list tags its
// resolvers add here; a mutation invalidates, after commit, the tags of what it changed.
import type { Context } from './context.ts';
import { encodeGlobalId, type NodeTypeName } from './global-id.ts';

/** The tag the response cache derives from an object in a result: typename and global ID. */
export function entityTag(type: NodeTypeName, id: number): string {
  return `${type}:${encodeGlobalId(type, id)}`;
}

/**
 * A list whose members can change without any member changing: new rows must evict it. Ticket lists
 * are tagged by their arguments (ticket/list-tags.ts).
 */
export const listTag = {
  dashboard: (organizationId: number) => `dashboard@org:${organizationId}`,
  tagsOfOrganization: (organizationId: number) => `tags@org:${organizationId}`,
  usersOfOrganization: (organizationId: number) => `users@org:${organizationId}`,
};

/** Revoking a token drops it from every instance's token → viewer cache. */
export function tokenTag(tokenHash: string): string {
  return `token:${tokenHash}`;
}

/**
 * Marks by-ID lookups with the IDs asked for, found or not: a cached null for a ticket that did not
 * exist (or was not visible) must go when that ticket is created or changed.
 */
export function tagLookups(ctx: Context, type: NodeTypeName, ids: readonly (string | number)[]): void {
  ctx.cache.tag(...ids.map((id) => entityTag(type, Number(id))));
}

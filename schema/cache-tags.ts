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
 * What a write that only touches an object invalidates instead of its entity tag: its comments or tags
 * changed and updatedAt moved, nothing else. Only responses that read one of the fields such a write
 * changes carry it: those of a document that selects a field outside the type's `cacheTouchStable`
 * list (server/cache/document-facts.ts), for every entity of that type they hold (withTouchTags).
 */
export function touchTag(entityTagOfObject: string): string {
  return `${entityTagOfObject}${TOUCH_SUFFIX}`;
}

const TOUCH_SUFFIX = '~touch';

/** Adds the touch tag of every entity tag in `tags` whose type is one of `touchTypes`. */
export function withTouchTags(tags: Set<string>, touchTypes: readonly string[]): Set<string> {
  if (touchTypes.length === 0) return tags;
  for (const tag of [...tags]) {
    const colon = tag.indexOf(':');
    if (colon > 0 && !tag.endsWith(TOUCH_SUFFIX) && touchTypes.includes(tag.slice(0, colon))) tags.add(touchTag(tag));
  }
  return tags;
}

/**
 * A list whose members can change without any member changing: new rows must evict it. Ticket lists
 * are tagged by their arguments (ticket/list-tags.ts), the dashboard by its figures (dashboard-tags.ts).
 */
export const listTag = {
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

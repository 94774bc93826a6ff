// The response cache's tag vocabulary (server/CACHE.md explains it). A cached response carries the
// entity tags of every object in it (added by @envelop/response-cache) plus the list tags its
// resolvers add here; a mutation invalidates, after commit, the tags of what it changed.
import type { Context } from './context.ts';
import { encodeGlobalId, type NodeTypeName } from './global-id.ts';

/**
 * The version of this vocabulary, part of every response key (server/cache/cache-key.ts). Raise it with
 * any change to the tags a response carries or a write invalidates: an instance must not serve an entry
 * that an older version stored in a shared Redis, whose tags its own writes no longer invalidate.
 * 2: the dashboard tagged by figure; 3: Ticket's field groups.
 */
export const CACHE_TAG_VOCABULARY = 3;

/** The tag the response cache derives from an object in a result: typename and global ID. */
export function entityTag(type: NodeTypeName, id: number): string {
  return `${type}:${encodeGlobalId(type, id)}`;
}

/**
 * How a type's updates are told apart (its `extensions.cacheFieldGroups`; server/CACHE.md, "Field
 * groups"): an update invalidates, instead of the object's entity tag, one group tag per group of fields
 * it changed, and a response carries the group tags of the fields its document selects, for every
 * object of the type it holds (withGroupTags). A field left out of `fields` is in every group, so
 * forgetting one costs evictions, never a stale entry; a field in no group ([]) is one no update changes.
 */
export interface FieldGroups {
  /** Every group an update of the type can name. */
  all: readonly string[];
  fields: Readonly<Record<string, readonly string[]>>;
}

/** The groups a field of a type with these groups is in. */
export function groupsOfField(groups: FieldGroups, field: string): readonly string[] {
  return groups.fields[field] ?? groups.all;
}

/** What an update that changed `group` of an object invalidates, for the object's entity tag. */
export function groupTag(entityTagOfObject: string, group: string): string {
  return `${entityTagOfObject}~${group}`;
}

/** Adds, for every entity tag in `tags` of a type in `groupsByType`, the tags of the groups selected of it. */
export function withGroupTags(tags: Set<string>, groupsByType: Readonly<Record<string, readonly string[]>>): Set<string> {
  for (const tag of [...tags]) {
    const colon = tag.indexOf(':');
    const groups = colon > 0 && !tag.includes('~') ? groupsByType[tag.slice(0, colon)] : undefined;
    if (groups) for (const group of groups) tags.add(groupTag(tag, group));
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

// The entity tags of a result, as the response cache derives them (`Type:<globalId>` for every object
// shown): a live result must wake when anything it shows changes, not only what its resolvers tagged.
// The cache adds __typename and id to the selection to find them; here the global ID says its type.
import { decodeGlobalId } from '../../schema/global-id.ts';

function entityTagOf(id: string): string | null {
  try {
    return `${decodeGlobalId(id).typename}:${id}`;
  } catch {
    return null; // an id field that is not a global ID (none today): nothing to tag
  }
}

/** Every `Type:<globalId>` tag for the `id` fields in a result's data. */
export function resultTags(data: unknown): Set<string> {
  const tags = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [field, child] of Object.entries(value)) {
      if (field === 'id' && typeof child === 'string') {
        const tag = entityTagOf(child);
        if (tag) tags.add(tag);
      } else visit(child);
    }
  };
  visit(data);
  return tags;
}

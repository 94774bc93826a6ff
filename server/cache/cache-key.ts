// How a response is named in the cache. The fast path (before GraphQL) and the envelop plugin (inside
// it) must compute the same key from the same request, so both use these functions and nothing else.
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { Viewer } from '../../identity/viewer.ts';
import { CACHE_TAG_VOCABULARY } from '../../schema/cache-tags.ts';

const documentHashes = new Map<string, string>();
const MAX_REMEMBERED_DOCUMENTS = 2000;

/** SHA-256 of the document text; remembered for recent documents, since clients repeat a few. */
export function documentHash(text: string): string {
  let hash = documentHashes.get(text);
  if (hash === undefined) {
    hash = createHash('sha256').update(text).digest('base64url');
    if (documentHashes.size >= MAX_REMEMBERED_DOCUMENTS) documentHashes.clear();
    documentHashes.set(text, hash);
  }
  return hash;
}

/** Whether a result may be shared by every staff member of an organization or belongs to one user. */
export type Visibility = 'shared' | 'user';

/**
 * The set of viewers who would all get byte-identical results. Agents and admins of one organization
 * see the same data, so they share; a customer sees only their own tickets and never internal notes,
 * so each customer is a scope of their own; a document that reads who is asking (viewer) is per user.
 */
export function visibilityScope(viewer: Viewer | null, visibility: Visibility): string {
  if (!viewer) return 'public';
  if (viewer.role === 'CUSTOMER' || visibility === 'user') return `user:${viewer.userId}`;
  return `staff:${viewer.organizationId}`;
}

export function responseKey(docHash: string, operationName: string | null | undefined, variables: unknown, scope: string): string {
  // The tag vocabulary's version: entries an instance with other tags stored are not ours to serve.
  const input = `${docHash}|${operationName ?? ''}|${stableStringify(variables ?? {})}|${scope}|t${CACHE_TAG_VOCABULARY}`;
  return createHash('sha256').update(input).digest('base64url');
}

/**
 * Where in Redis a viewer's entries and invalidations live (server/CACHE.md, "Redis Cluster"): one shard
 * per organization, since every read sees only its viewer's organization and every write changes only
 * the writer's, and `public` for requests without a viewer, which see nothing of any organization.
 */
export function cacheShard(viewer: Viewer | null): string {
  return viewer ? `o:${viewer.organizationId}` : 'public';
}

// Who a bearer token belongs to, remembered in process so a cache hit needs no SQL at all. An entry
// lives at most a minute and never past the token's expiry; logout anywhere removes it everywhere
// (the `token:<hash>` tag travels on the cache's invalidation bus).
import { LRUCache } from 'lru-cache';
import type { Viewer } from '../../identity/viewer.ts';

import { tokenTag } from '../../schema/cache-tags.ts';
import { hashToken, parseBearer } from '../../identity/bearer-token.ts';

const TOKEN_TAG_PREFIX = tokenTag('');
const MAX_REMEMBERED_HEADERS = 20_000;

export class ViewerCache {
  /** Moves on every revocation; a lookup that began before one is not remembered (it may be the revoked token). */
  private generation = 0;
  private readonly entries = new LRUCache<string, { viewer: Viewer; expiresAt: number | null }>({ max: 20_000, ttl: 60_000 });

  /** @param trusted false while invalidations may be missed (Redis down): then nothing is answered. */
  constructor(private readonly trusted: () => boolean) {}

  // Authorization header → SHA-256 of its token, so a cache hit hashes nothing. Holds only what clients
  // send on every request anyway; revocation is decided by the hash → viewer entries below. A hash-map
  // lookup finds a header by its hash before comparing it whole, so it is no byte-by-byte timing oracle,
  // and a header it knows is one its sender already had. A plain map, emptied when full: this runs on
  // every request, and forgetting only costs a hash each.
  private readonly hashes = new Map<string, string>();

  /** The token hash for an Authorization header; null when it is not "Bearer <token>". */
  hashOf(authorization: string): string | null {
    let hash = this.hashes.get(authorization);
    if (hash === undefined) {
      const token = parseBearer(authorization);
      if (!token) return null;
      hash = hashToken(token);
      if (this.hashes.size >= MAX_REMEMBERED_HEADERS) this.hashes.clear();
      this.hashes.set(authorization, hash);
    }
    return hash;
  }

  /** Who a remembered token belongs to, and when it expires (ms since the epoch; null: never). */
  peek(tokenHash: string): { viewer: Viewer; expiresAt: number | null } | undefined {
    if (!this.trusted()) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry;
  }

  snapshot(): number {
    return this.generation;
  }

  remember(tokenHash: string, viewer: Viewer, expiresAt: Date | null, snapshot: number): void {
    if (this.trusted() && snapshot === this.generation)
      this.entries.set(tokenHash, { viewer, expiresAt: expiresAt ? expiresAt.getTime() : null });
  }

  /** Applies an invalidation: drops revoked tokens, or everything. */
  apply(tags: readonly string[] | 'all'): void {
    if (tags === 'all') {
      this.generation += 1;
      return this.entries.clear();
    }
    if (tags.some((tag) => tag.startsWith(TOKEN_TAG_PREFIX))) this.generation += 1;
    for (const tag of tags) if (tag.startsWith(TOKEN_TAG_PREFIX)) this.entries.delete(tag.slice(TOKEN_TAG_PREFIX.length));
  }
}

/** The SHA-256 of a "Bearer <token>" header's token; null when the header is malformed. */
export function bearerTokenHash(header: string, viewers: ViewerCache | null): string | null {
  // The token cache remembers header → hash, so a request the fast path already looked at hashes nothing.
  if (viewers) return viewers.hashOf(header);
  const token = parseBearer(header);
  return token ? hashToken(token) : null;
}

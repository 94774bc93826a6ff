// The per-token request limit, checked in server/app.ts before the cache's fast path, so a cache hit
// spends the same budget as an executed query. Keyed by the token's SHA-256 (what the database holds
// too), so no store ever sees a usable token.
import { bearerTokenHash, type ViewerCache } from '../auth/viewer-cache.ts';
import type { Limit } from './limit.ts';

/** null when the request may go on; else the seconds to wait. A malformed header is left to yoga (401). */
export function tokenLimitWait(limit: Limit, authorization: string, viewers: ViewerCache | null): Promise<number | null> | null {
  const tokenHash = bearerTokenHash(authorization, viewers);
  return tokenHash ? limit.take(tokenHash) : null;
}

// The per-token request limit, checked in server/http/graphql-route.ts before the cache's hit stage, so a
// cache hit spends the same budget as an executed query. Keyed by the token's SHA-256 (what the database
// holds too), so no store ever sees a usable token.
import type { Limit } from './limit.ts';

/**
 * null when the request may go on; else the seconds to wait. Synchronous when the limit can tell in
 * process (a leased point), so a cache hit needs no promise. A malformed header (no tokenHash) is left
 * to yoga (401).
 */
export function tokenLimitWait(limit: Limit, tokenHash: string | null): Promise<number | null> | null {
  if (!tokenHash) return null;
  return limit.takeNow?.(tokenHash) === null ? null : limit.take(tokenHash);
}

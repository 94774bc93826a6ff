// The normalized cache for one user, the chunk client.ts loads after the shell (lazy-exchange.ts):
// graphcache with its configuration, and for a signed-in user the offline copy in IndexedDB.
import { composeExchanges, mapExchange, type Exchange } from '@urql/core';
import { cacheExchange, offlineExchange } from '@urql/exchange-graphcache';
import type { Session } from '../session.ts';
import { cacheConfig } from './cache-config.ts';
import { makeOfflineStorage, type OfflineStorage } from './storage.ts';

export interface UserCache {
  exchange: Exchange;
  /** The user's offline copy; cleared on sign-out. */
  storage: OfflineStorage | null;
}

export function makeUserCache(session: Session | null): UserCache {
  // Each user's data lives in a database of its own, so one user never hydrates another's cache.
  const storage = session ? makeOfflineStorage({ idbName: `deskgraph-${session.user.id}`, maxAge: 7 }) : null;
  const exchange = storage
    ? composeExchanges([untilHydrated(storage), offlineExchange({ ...cacheConfig, storage })])
    : cacheExchange(cacheConfig);
  return { exchange, storage };
}

/**
 * Holds operations until the offline copy is loaded. Graphcache marks an entry for storage only when
 * its value changes, and only once it has its storage (after loading it): a result written before
 * that, say the viewer and the first list right after sign-in while IndexedDB creates the database,
 * was never stored, since later answers wrote the same values. Offline, the signed-in user was then
 * missing: their tickets showed as unassigned and their comments could not be made.
 */
function untilHydrated(storage: OfflineStorage): Exchange {
  return mapExchange({ onOperation: (operation) => (storage.isHydrated() ? operation : storage.hydrated.then(() => operation)) });
}

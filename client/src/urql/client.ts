// One urql client per signed-in user. Exchanges, in order: errors that end the session → the
// normalized cache (with IndexedDB storage and a queue of mutations made offline) → retries with
// backoff for queries that hit a network error → persisted operations (hashes only, GET for queries)
// → fetch. urql deduplicates identical operations in flight before any of them.
import { Client, fetchExchange, mapExchange, type Exchange } from '@urql/core';
import { cacheExchange, offlineExchange } from '@urql/exchange-graphcache';
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import type { Session } from '../session.ts';
import { cacheConfig } from './cache-config.ts';
import { makeOfflineStorage, type OfflineStorage } from './storage.ts';

export interface UrqlSetup {
  client: Client;
  /** The user's offline copy; cleared on sign-out. */
  storage: OfflineStorage | null;
}

export function createUrqlClient(session: Session | null, onUnauthenticated: () => void): UrqlSetup {
  // Each user's data lives in a database of its own, so one user never hydrates another's cache.
  const storage = session ? makeOfflineStorage({ idbName: `deskgraph-${session.user.id}`, maxAge: 7 }) : null;
  const cache: Exchange = storage ? offlineExchange({ ...cacheConfig, storage }) : cacheExchange(cacheConfig);
  const client = new Client({
    url: '/graphql',
    exchanges: apiExchanges(cache, onUnauthenticated),
    fetchOptions: () => (session ? { headers: { authorization: `Bearer ${session.token}` } } : {}),
  });
  return { client, storage };
}

/** The exchanges around a given cache exchange (the integration tests build a client from them too). */
export function apiExchanges(cache: Exchange, onUnauthenticated: () => void): Exchange[] {
  return [
    mapExchange({
      onError(error) {
        if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error.response?.status === 401) onUnauthenticated();
      },
    }),
    cache,
    retryExchange({
      initialDelayMs: 300,
      maxDelayMs: 5_000,
      randomDelay: true,
      maxNumberAttempts: 4,
      // Mutations are never retried blindly (they may have committed); offline ones wait in the queue.
      retryIf: (error, operation) => Boolean(error.networkError) && operation.kind !== 'mutation' && (typeof navigator === 'undefined' || navigator.onLine),
    }),
    persistedExchange({
      enforcePersistedQueries: true,
      enableForMutation: true,
      preferGetForPersistedQueries: 'within-url-limit',
      generateHash: async (_query, document) => (document as { __meta__?: { hash?: string } }).__meta__!.hash!,
    }),
    fetchExchange,
  ];
}

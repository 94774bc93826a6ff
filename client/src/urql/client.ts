// One urql client per signed-in user. Exchanges, in order: errors that end the session → the
// normalized cache (with IndexedDB storage and a queue of mutations made offline) → retries with
// backoff for queries that hit a network error → persisted operations (hashes only, GET for queries)
// → fetch. urql deduplicates identical operations in flight before any of them.
import { Client, composeExchanges, fetchExchange, makeOperation, mapExchange, type Exchange } from '@urql/core';
import { cacheExchange, offlineExchange } from '@urql/exchange-graphcache';
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import type { DocumentNode } from 'graphql';
import * as generated from '../gql/graphql.ts';
import type { Session } from '../session.ts';
import { cacheConfig } from './cache-config.ts';
import { makeOfflineStorage, type OfflineStorage } from './storage.ts';

/**
 * Sent with every request. The server refuses GETs (our persisted queries) without it, because a page on
 * another site could make a browser send a plain GET, but not one with a custom header (server/protocol/csrf.ts).
 */
export const CSRF_HEADERS: Readonly<Record<string, string>> = { 'x-graphql-csrf': '1' };

export interface UrqlSetup {
  client: Client;
  /** The user's offline copy; cleared on sign-out. */
  storage: OfflineStorage | null;
}

export function createUrqlClient(session: Session | null, onUnauthenticated: () => void): UrqlSetup {
  // Each user's data lives in a database of its own, so one user never hydrates another's cache.
  const storage = session ? makeOfflineStorage({ idbName: `deskgraph-${session.user.id}`, maxAge: 7 }) : null;
  const cache: Exchange = storage
    ? composeExchanges([untilHydrated(storage), offlineExchange({ ...cacheConfig, storage })])
    : cacheExchange(cacheConfig);
  const client = new Client({
    url: '/graphql',
    exchanges: apiExchanges(cache, onUnauthenticated),
    fetchOptions: () => ({ headers: { ...CSRF_HEADERS, ...(session ? { authorization: `Bearer ${session.token}` } : {}) } }),
  });
  return { client, storage };
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

type Shipped = DocumentNode & { __meta__?: { hash?: string } };

const operationName = (document: DocumentNode) =>
  document.definitions.find((definition) => definition.kind === 'OperationDefinition')?.name?.value;

/**
 * The manifest hash of every shipped operation, by name. Codegen puts it on each document (__meta__),
 * but a mutation the offline queue kept through a reload comes back as text parsed again, without it.
 */
const hashByName = new Map(
  Object.values(generated as Record<string, unknown>)
    .filter((value): value is Shipped => typeof value === 'object' && value !== null && 'definitions' in value)
    .flatMap((document) => {
      const name = operationName(document);
      return name && document.__meta__?.hash ? [[name, document.__meta__.hash] as const] : [];
    }),
);

/** The hash the server's manifest knows the document by. */
function persistedHash(document: DocumentNode): string {
  const hash = (document as Shipped).__meta__?.hash ?? hashByName.get(operationName(document) ?? '');
  if (!hash) throw new Error(`${operationName(document) ?? 'An anonymous operation'} is not in the shipped documents: run npm run codegen`);
  return hash;
}

/** The exchanges around a given cache exchange (the integration tests build a client from them too). */
export function apiExchanges(cache: Exchange, onUnauthenticated: () => void): Exchange[] {
  return [
    mapExchange({
      onError(error) {
        if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') || error.response?.status === 401)
          onUnauthenticated();
      },
    }),
    cache,
    retryExchange({
      initialDelayMs: 300,
      maxDelayMs: 5_000,
      randomDelay: true,
      maxNumberAttempts: 4,
      // Mutations are never retried blindly (they may have committed); offline ones wait in the queue.
      retryIf: (error, operation) =>
        Boolean(error.networkError) && operation.kind !== 'mutation' && (typeof navigator === 'undefined' || navigator.onLine),
    }),
    // An operation that comes round again (the offline queue replays the operation its failure carried)
    // keeps persistedExchange's "hashed already" mark but has lost the hash on the way (graphcache
    // forwards a rebuilt operation without extensions): it would go out as text, which a server running
    // only persisted operations refuses. Without its hash, it is hashed again.
    mapExchange({
      onOperation(operation) {
        if (operation.context.persistAttempt && !operation.extensions?.persistedQuery) {
          return makeOperation(operation.kind, operation, { ...operation.context, persistAttempt: false });
        }
      },
    }),
    persistedExchange({
      enforcePersistedQueries: true,
      enableForMutation: true,
      preferGetForPersistedQueries: 'within-url-limit',
      generateHash: async (_query, document) => persistedHash(document),
    }),
    fetchExchange,
  ];
}

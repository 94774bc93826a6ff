// One urql client per signed-in user. Exchanges, in order: errors that end the session → the
// normalized cache (with IndexedDB storage and a queue of mutations made offline) → retries with
// backoff for queries that hit a network error → persisted operations (hashes only, GET for queries)
// → subscriptions over SSE (live-exchange.ts) → fetch. urql deduplicates identical operations in flight before any of them.
import { Client, fetchExchange, makeOperation, mapExchange, type Exchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { retryExchange } from '@urql/exchange-retry';
import type { DocumentNode } from 'graphql';
import type { Session } from '../session.ts';
import { lazyExchange } from './lazy-exchange.ts';
import { liveExchange } from './live-exchange.ts';

/**
 * Sent with every request. The server refuses GETs (our persisted queries) without it, because a page on
 * another site could make a browser send a plain GET, but not one with a custom header (server/protocol/csrf.ts).
 */
export const CSRF_HEADERS: Readonly<Record<string, string>> = { 'x-graphql-csrf': '1' };

export interface UrqlSetup {
  client: Client;
  /** Deletes the user's offline copy (on sign-out). */
  clearOfflineCopy(): Promise<void>;
}

export function createUrqlClient(session: Session | null, onUnauthenticated: () => void): UrqlSetup {
  // The cache is a chunk of its own (lazy-exchange.ts), fetched now, while the first view's is.
  const cache = import('./cache.ts').then((module) => module.makeUserCache(session));
  const headers = () => ({ ...CSRF_HEADERS, ...(session ? { authorization: `Bearer ${session.token}` } : {}) });
  const client = new Client({
    url: '/graphql',
    exchanges: apiExchanges(lazyExchange(cache.then((loaded) => loaded.exchange)), onUnauthenticated, liveExchange(headers)),
    fetchOptions: () => ({ headers: headers() }),
  });
  return { client, clearOfflineCopy: () => cache.then((loaded) => loaded.storage?.clear()) };
}

type Shipped = DocumentNode & { __meta__?: { hash?: string } };

/**
 * The hash the server's manifest knows the document by. Codegen puts it on each document (__meta__);
 * a mutation the offline queue kept through a reload comes back as text parsed again, without it, and
 * is looked up by name (operation-hashes.ts, loaded then: it holds every document).
 */
async function persistedHash(document: DocumentNode): Promise<string> {
  const shipped = (document as Shipped).__meta__?.hash;
  if (shipped) return shipped;
  const { hashByName, operationName } = await import('./operation-hashes.ts');
  const hash = hashByName.get(operationName(document) ?? '');
  if (!hash) throw new Error(`${operationName(document) ?? 'An anonymous operation'} is not in the shipped documents: run npm run codegen`);
  return hash;
}

/**
 * The exchanges around a given cache exchange (the integration tests build a client from them too);
 * `live` carries subscriptions (live-exchange.ts), without it they are not sent.
 */
export function apiExchanges(cache: Exchange, onUnauthenticated: () => void, live?: Exchange): Exchange[] {
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
      // Subscriptions reconnect on their own (live-transport.ts).
      retryIf: (error, operation) =>
        Boolean(error.networkError) && operation.kind === 'query' && (typeof navigator === 'undefined' || navigator.onLine),
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
      enableForSubscriptions: true,
      preferGetForPersistedQueries: 'within-url-limit',
      generateHash: (_query, document) => persistedHash(document),
    }),
    ...(live ? [live] : []),
    fetchExchange,
  ];
}

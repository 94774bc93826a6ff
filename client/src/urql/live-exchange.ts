// Subscriptions for urql, placed after the cache (so graphcache writes every result into the normalized
// cache) and after persistedExchange (so they go by hash, as queries do). The SSE client is a chunk of its
// own (live-transport.ts), fetched when the first view subscribes: the entry only holds this adapter.
import { subscriptionExchange, type Exchange } from '@urql/core';
import type { LiveRequest } from './live-transport.ts';

type Transport = Awaited<ReturnType<typeof import('./live-transport.ts').createLiveTransport>>;
type PersistedExtensions = { persistedQuery?: { sha256Hash?: string } } | undefined;

/**
 * `headers` are asked for at each (re)connection: the session's token and the CSRF header. `origin` is
 * the page's (empty) in the browser; another one for a client outside a page (the tests).
 */
export function liveExchange(headers: () => Record<string, string>, origin = ''): Exchange {
  let transport: Promise<Transport> | null = null;
  const load = () => (transport ??= import('./live-transport.ts').then((module) => module.createLiveTransport(headers, origin)));
  return subscriptionExchange({
    forwardSubscription(request) {
      // persistedExchange has put the document's hash in the APQ extension and makeFetchBody has left the
      // text out: the server's trusted documents are named by documentId (README, "Trusted documents").
      const hash = (request.extensions as PersistedExtensions)?.persistedQuery?.sha256Hash;
      const params: LiveRequest = hash
        ? { documentId: hash, operationName: request.operationName, variables: request.variables }
        : { query: request.query, operationName: request.operationName, variables: request.variables };
      return {
        subscribe(sink) {
          let stop: (() => void) | null = null;
          let closed = false;
          load().then(
            (loaded) => {
              if (!closed) stop = loaded.subscribe(params, sink);
            },
            (error: unknown) => sink.error(error),
          );
          return {
            unsubscribe() {
              closed = true;
              stop?.();
            },
          };
        },
      };
    },
  });
}

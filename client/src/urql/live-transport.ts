// The SSE side of live-exchange.ts, loaded when the first view subscribes: graphql-sse's client, and
// around each subscription the reconnection the server's protocol asks for (README, "Live updates"):
// a stream that ends with SERVICE_UNAVAILABLE (the instance is shutting down) or breaks (network, a
// restart, a 5xx) is opened again with backoff, and since the first event of every stream is the
// current result, the cache catches up with whatever changed meanwhile. UNAUTHENTICATED (signed out,
// on any instance) is passed on, so the client's error exchange ends the session, and nothing reopens.
import { createClient, NetworkError, type Client } from 'graphql-sse';
import { liveStatus } from './live-status.ts';

/**
 * The transport's one switch: graphql-sse's single connection mode (one stream for every subscription)
 * once the server serves it (@graphql-yoga/plugin-graphql-sse, at /graphql/stream); distinct
 * connections (one response per subscription, on /graphql) until then.
 */
const SINGLE_CONNECTION = false;

export interface LiveRequest {
  documentId?: string;
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** What a stream sends: an execution result ({ data, errors }); the sink is urql's. */
interface Result {
  errors?: readonly { message?: string; extensions?: Record<string, unknown> }[];
}

interface Sink {
  next(result: Result): void;
  error(error: unknown): void;
  complete(): void;
}

const MAX_DELAY_MS = 15_000;
/** 0.5 s, 1 s, 2 s … up to 15 s, each between half and all of it, so clients dropped together do not come back together. */
const backoff = (attempt: number) => Math.min(MAX_DELAY_MS, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);

const codesOf = (result: Result): unknown[] => result.errors?.map((error) => error.extensions?.code) ?? [];

/** Refusals a new attempt would get again: the request, not the connection, is wrong (401 is the session's end). */
const refused = (error: unknown): number | null => {
  const status = error instanceof NetworkError ? (error.response as Response | undefined)?.status : undefined;
  return status && status >= 400 && status < 500 && status !== 408 && status !== 429 ? status : null;
};

export function createLiveTransport(headers: () => Record<string, string>, origin: string) {
  const client = createClient({
    url: `${origin}${SINGLE_CONNECTION ? '/graphql/stream' : '/graphql'}`,
    singleConnection: SINGLE_CONNECTION,
    headers,
    // Reconnection is ours (below), for every mode and for SERVICE_UNAVAILABLE too.
    retryAttempts: 0,
  });
  return { subscribe: (request: LiveRequest, sink: Sink) => resilient(client, request, sink) };
}

function resilient(client: Client, request: LiveRequest, sink: Sink): () => void {
  const status = liveStatus.open();
  let attempt = 0;
  let over = false;
  let cancel = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;

  const finish = (outcome: 'ended' | 'stopped') => {
    over = true;
    if (outcome === 'ended') status.end();
    else status.report('stopped');
    sink.complete();
  };
  const reconnect = () => {
    if (over) return;
    status.report('waiting');
    const go = () => {
      if (typeof window !== 'undefined') window.removeEventListener('online', go);
      if (!over) connect();
    };
    // Offline, waiting is pointless: come back when the browser says the network is back.
    if (typeof navigator !== 'undefined' && navigator.onLine === false) window.addEventListener('online', go);
    else timer = setTimeout(go, backoff(attempt++));
  };
  const connect = () => {
    status.report('connecting');
    let unavailable = false;
    let stopCode: unknown = null;
    // graphql-sse's RequestParams wants query; a persisted request has documentId instead, sent as is.
    cancel = client.subscribe(request as Parameters<Client['subscribe']>[0], {
      next(result) {
        const codes = codesOf(result);
        if (codes.includes('SERVICE_UNAVAILABLE')) {
          unavailable = true; // the instance is going away: subscribe again (the balancer picks another)
          return;
        }
        stopCode = codes[0] ?? null;
        if (!stopCode) {
          attempt = 0;
          status.report('live');
        }
        sink.next(result);
      },
      error(error) {
        if (over) return;
        const refusal = refused(error);
        if (refusal === null) return reconnect();
        if (refusal === 401) sink.next({ errors: [{ message: 'Signed out', extensions: { code: 'UNAUTHENTICATED' } }] });
        else sink.error(error);
        finish('stopped');
      },
      complete() {
        if (over) return;
        if (unavailable) return reconnect();
        // Past a limit, or with live updates off, this view stays as it is: the indicator says so.
        finish(stopCode === 'TOO_MANY_SUBSCRIPTIONS' || stopCode === 'LIVE_UPDATES_OFF' ? 'stopped' : 'ended');
      },
    });
  };
  connect();
  return () => {
    over = true;
    clearTimeout(timer);
    cancel();
    status.end();
  };
}

// The graphql-sse protocol's single-connection mode at /graphql/stream, through yoga's own plugin
// (@graphql-yoga/plugin-graphql-sse): `PUT` reserves a stream and answers its token; `GET` with
// `Accept: text/event-stream` and the token (header `x-graphql-event-stream-token`) opens it; each `POST`
// with the token and `extensions.operationId` adds an operation whose events arrive on that stream,
// tagged with its id; `DELETE ?operationId=` stops one. Operations run through yoga's parse, validate,
// context and subscribe, so a subscription opens in the live hub exactly as one over its own
// connection does: the same viewer, document limits, per-token and per-instance limits, visibility.
// What the request path does before yoga (body limit, token rate limit, CSRF, persisted operations) is
// server/http/stream-route.ts.
//
// Two things the plugin leaves open are closed here. A reservation belongs to the Authorization it was
// made with: a request naming its token with another credential is told the stream does not exist
// (the plugin's default tokens are unbound, and made with Math.random). And a reservation that is not
// opened within LiveConfig.reservationTtlMs (15 s) is closed as if its client had connected and left, so a client that
// reserves and adds operations but never reads holds no subscriptions. Streams live in this
// instance's memory: a client's PUT, GET and POSTs must reach the same instance (sticky balancing).
import { randomUUID } from 'node:crypto';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { sha256Hex } from '../persisted/persisted-documents.ts';
import type { Logger } from '../platform/logger.ts';

export const STREAM_ENDPOINT = '/graphql/stream';
/** The protocol's header naming a reserved stream (graphql-sse's TOKEN_HEADER_KEY). */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

/** What the stream route tells server/live/use-live-subscriptions.ts: results go to an event stream the protocol set up. */
export interface StreamServerContext {
  eventStream?: boolean;
}

type Refusal = [string, { status: number; statusText: string; headers: Record<string, string> }];

const streamNotFound: Refusal = [
  JSON.stringify({ errors: [{ message: 'Stream not found', extensions: { code: 'NOT_FOUND' } }] }),
  { status: 404, statusText: 'Not Found', headers: { 'content-type': 'application/json; charset=utf-8' } },
];

interface Reservation {
  owner: string;
  /** Until the stream is opened: closes it when it never is. */
  timer: NodeJS.Timeout | null;
}

interface HeaderReader {
  get(name: string): string | null | undefined;
}

function ownerOf(headers: HeaderReader): string {
  return sha256Hex(headers.get('authorization') ?? '');
}

function streamToken(request: { url: string; headers: HeaderReader }): string | null {
  return request.headers.get(STREAM_TOKEN_HEADER) ?? new URL(request.url, 'http://localhost/').searchParams.get('token');
}

/** A document that does not validate: thrown so that the request is answered 400 with the errors (see onValidate below). */
class InvalidDocument extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super('invalid document');
  }
}

// What a failed operation request is answered with: the error's own status (401 for a bad token, from
// the viewer's lookup) and code, in the shape of every other error; anything unexpected is a 500 that
// says nothing more (and is logged).
function failure(error: unknown, logger: Logger): Response {
  const errors = error instanceof InvalidDocument ? error.errors : error instanceof GraphQLError ? [error] : null;
  if (!errors) {
    logger.error({ err: error }, 'a single-connection stream request failed');
    return Response.json({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, { status: 500 });
  }
  const http = errors[0]!.extensions.http as { status?: number; headers?: Record<string, string> } | undefined;
  const shown = errors.map(({ message, extensions: { http: _http, ...extensions } }) => ({
    message,
    extensions: {
      ...extensions,
      code: extensions.code ?? (error instanceof InvalidDocument ? 'GRAPHQL_VALIDATION_FAILED' : 'BAD_REQUEST'),
    },
  }));
  return Response.json({ errors: shown }, { status: http?.status ?? 400, headers: http?.headers });
}

export interface SingleConnection {
  plugin: Plugin;
  /** How expiry reaches the plugin: yoga's fetch, with its request hooks (given once yoga exists). */
  connect(fetchYoga: (url: string, init: RequestInit) => Promise<Response>): void;
  /** The event stream of this token ended (its client left, or the server ended it): the token is void. */
  closed(token: string): void;
  /** Reserved streams not yet closed, opened or not (tests watch this return to zero). */
  readonly reservations: number;
}

export function createSingleConnection(reservationTtlMs: number, logger: Logger): SingleConnection {
  const reservations = new Map<string, Reservation>();
  /** Tokens being closed by expiry: the one request that may name them without their owner's credential. */
  const expiring = new Set<string>();
  let fetchYoga: ((url: string, init: RequestInit) => Promise<Response>) | null = null;

  // Opens the stream and drops it at once: the plugin then ends its operations and forgets the token.
  async function expire(token: string): Promise<void> {
    expiring.add(token);
    try {
      const response = await fetchYoga!(`http://expiry${STREAM_ENDPOINT}`, {
        headers: { accept: 'text/event-stream', [STREAM_TOKEN_HEADER]: token },
      });
      await response.body?.cancel();
    } finally {
      expiring.delete(token);
      reservations.delete(token);
    }
  }

  const sse = useGraphQLSSE({
    endpoint: STREAM_ENDPOINT,
    authenticate(req) {
      // A PUT always reserves a new stream, whatever token it names: graphql-sse's client keeps the last
      // token in its headers object and sends it again with the PUT of a reconnection.
      if (req.method === 'PUT') {
        const token = randomUUID();
        const timer = setTimeout(() => void expire(token), reservationTtlMs);
        timer.unref();
        reservations.set(token, { owner: ownerOf(req.headers), timer });
        return token;
      }
      const named = streamToken(req);
      // Without a token: a distinct connection (the plugin wants a token, which nothing else will name).
      if (named === null) return randomUUID();
      if (expiring.has(named)) return named;
      const reservation = reservations.get(named);
      if (!reservation || reservation.owner !== ownerOf(req.headers)) return streamNotFound;
      if (req.headers.get('accept') === 'text/event-stream' && reservation.timer) {
        clearTimeout(reservation.timer);
        reservation.timer = null;
      }
      return named;
    },
  });
  const plugin: Plugin = {
    ...sse,
    // The plugin lets an operation's failure (an unknown token, a document that does not parse) reject
    // the request, which yoga answers 500 with the error's stack: answered here as /graphql would.
    onRequest(payload) {
      const handled = sse.onRequest?.(payload);
      if (handled instanceof Promise) return handled.catch((error: unknown) => payload.endResponse(failure(error, logger)));
      return handled;
    },
    // The plugin hands validation errors to graphql-sse as a result without `data`, which graphql-sse takes
    // for execution arguments (400 "Unable to detect operation AST"): thrown instead, and answered above.
    onValidate({ context }) {
      if (!(context as StreamServerContext).eventStream) return;
      return ({ result }) => {
        if (result.length > 0) throw new InvalidDocument(result.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(e.message))));
      };
    },
  };
  return {
    plugin,
    connect(fetch) {
      fetchYoga = fetch;
    },
    closed(token) {
      const reservation = reservations.get(token);
      if (!reservation || reservation.timer) return; // not this stream's end: it was never opened
      reservations.delete(token);
    },
    get reservations() {
      return reservations.size;
    },
  };
}

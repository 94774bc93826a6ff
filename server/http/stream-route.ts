// /graphql/stream: the graphql-sse protocol's single-connection mode (server/live/use-single-connection.ts)
// and its distinct connections, on the same request path as /graphql up to yoga: the body is read within
// its limit, the token's rate limit is spent, CSRF is checked, and the parameters of an operation go
// through the persisted-operations gate. yoga's plugin reads the protocol's requests itself and never
// runs yoga's parameter hooks, so the gate runs here and hands the plugin the document it may run.
// Open event streams are ended when the server closes, after the hub has told each operation why.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import type { GraphQLError } from 'graphql';
import type { GraphQLServer, ServerContext } from '../graphql/yoga.ts';
import type { PersistedDocuments } from '../persisted/persisted-documents.ts';
import { persistedDocument, type PersistedMode } from '../persisted/use-persisted-operations.ts';
import { corsHeadersFor } from '../protocol/cors.ts';
import type { CsrfPrevention } from '../protocol/csrf.ts';
import { isJsonBody, paramsFromJson, paramsFromSearch } from '../protocol/graphql-params.ts';
import { sendError, sendJson } from '../protocol/send-json.ts';
import { STREAM_TOKEN_HEADER, type SingleConnection, type StreamServerContext } from '../live/use-single-connection.ts';
import { readBody } from './request-body.ts';
import type { TokenGate } from './token-gate.ts';

export interface StreamRouteOptions {
  yoga: GraphQLServer;
  maxRequestBytes: number;
  cors: CORSOptions;
  csrf: CsrfPrevention | null;
  spendTokenLimit: TokenGate;
  persisted: { mode: PersistedMode; documents: PersistedDocuments };
  singleConnection: SingleConnection;
}

/** Queued events (the hub's SERVICE_UNAVAILABLE, each operation's `complete`) get this long to be written at shutdown. */
const CLOSE_GRACE_MS = 100;

type Gate = { ok: true; rewritten?: string } | { ok: false; error: GraphQLError };

function gate(run: () => string | undefined): Gate {
  try {
    return { ok: true, rewritten: run() };
  } catch (error) {
    return { ok: false, error: error as GraphQLError };
  }
}

export function createStreamRoute({ yoga, maxRequestBytes, cors, csrf, spendTokenLimit, persisted, singleConnection }: StreamRouteOptions) {
  const open = new Set<ServerResponse>();
  const header = (req: IncomingMessage) => (name: string) => req.headers[name];

  function refuse(req: IncomingMessage, res: ServerResponse, error: GraphQLError): void {
    const { http, ...extensions } = error.extensions as { http?: { status?: number } };
    sendJson(res, http?.status ?? 400, { errors: [{ message: error.message, extensions }] }, corsHeadersFor(req, cors) ?? {});
  }

  // The parameters of an operation (a POST's JSON body, or a GET's query string) with the document the
  // gate allows in `query`: the only field of a document the plugin reads.
  function persistedGate(req: IncomingMessage & { body?: unknown }, query: string | undefined): Gate {
    if (req.method === 'POST' && Buffer.isBuffer(req.body) && isJsonBody(req.headers['content-type'])) {
      const text = req.body.toString('utf8');
      return gate(() => {
        // Malformed JSON is answered in our words (400 BAD_REQUEST), not the JSON parser's.
        const params = paramsFromJson(text) as Record<string, unknown>;
        params.query = persistedDocument(persisted.mode, persisted.documents, params, header(req));
        return JSON.stringify(params);
      });
    }
    if (req.method === 'GET' && query && /(^|&)(query|documentId|extensions)=/.test(query)) {
      const params = paramsFromSearch(query);
      return gate(() => {
        const search = new URLSearchParams(query);
        search.set('query', persistedDocument(persisted.mode, persisted.documents, params, header(req)) ?? '');
        return search.toString();
      });
    }
    return { ok: true };
  }

  // An opened single-connection stream: its token is void once it ends; the server ends it on close.
  function watchStream(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' || req.headers.accept !== 'text/event-stream') return;
    const token = header(req)(STREAM_TOKEN_HEADER);
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (typeof token === 'string' && res.statusCode === 200) singleConnection.closed(token);
    });
  }

  async function handleStream(req: IncomingMessage & { body?: unknown }, res: ServerResponse, query: string | undefined): Promise<void> {
    const body = await readBody(req, maxRequestBytes);
    if (body.kind === 'too-large') {
      return sendError(res, 413, `The request body is larger than ${maxRequestBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    }
    if (!(await spendTokenLimit(req, res))) return;
    if (req.method !== 'OPTIONS' && csrf?.refuses(req)) return refuse(req, res, csrf.error());
    const checked = persistedGate(req, query);
    if (!checked.ok) return refuse(req, res, checked.error);
    if (checked.rewritten !== undefined) {
      if (req.method === 'POST') req.body = Buffer.from(checked.rewritten);
      else req.url = `${req.url!.slice(0, req.url!.indexOf('?'))}?${checked.rewritten}`;
    }
    watchStream(req, res);
    const context: ServerContext & StreamServerContext = { statementTally: { count: 0 }, eventStream: true };
    await yoga.handle(req, res, context);
  }

  return {
    handle: handleStream,
    /** Ends every open event stream (after the hub's close() queued each operation's last events). */
    async close(): Promise<void> {
      if (open.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS));
      for (const res of open) res.destroy();
    },
  };
}

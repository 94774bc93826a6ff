// POST and GET /graphql, the one request path: the body is read within its limit, the token's rate
// limit is spent, the cache-hit stage answers what it can from the stored bytes, and everything else
// goes through yoga (server/graphql/yoga.ts). Both stages read parameters, negotiate, and set headers
// with the same modules, so a hit and a miss of one request get the same answer.
//
// A GET has no body to wait for: when its token's lease has a point left and L1 holds the answer, it is
// answered synchronously, in the parser's own callback — no promise, no microtask. With the statement
// tally's AsyncLocalStorage on, every promise pays a hook, and a small hit is otherwise a few of them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import { bearerTokenHash, type ViewerCache } from '../auth/viewer-cache.ts';
import { serveFromCache, type FastPathOptions, type FastPathOutcome, type RawGraphQLRequest } from '../cache/fast-path.ts';
import type { CacheProbe, RequestInfo } from '../cache/use-response-cache.ts';
import type { GraphQLServer } from '../graphql/yoga.ts';
import type { Metrics } from '../platform/metrics.ts';
import { withStatementTally, type StatementTally } from '../platform/sql-statements.ts';
import type { Limit } from '../rate-limits/limit.ts';
import { compressNodeResponse } from '../protocol/compression.ts';
import { isJsonBody } from '../protocol/graphql-params.ts';
import { readBodyThen, type BodyRead } from './request-body.ts';
import { sendError } from '../protocol/send-json.ts';
import { createTokenGate } from './token-gate.ts';

export interface GraphQLRouteOptions {
  yoga: GraphQLServer;
  metrics: Metrics;
  maxRequestBytes: number;
  cors: CORSOptions;
  /** The per-token request limit; null when off. */
  tokenLimit: Limit | null;
  viewers: ViewerCache | null;
  /** null when the cache or its hit stage is off. */
  fastPath: FastPathOptions | null;
}

/** Bodies above this are not looked at by the cache-hit stage (they go to yoga as read). */
const HIT_STAGE_MAX_BODY_BYTES = 64 * 1024;

// What the hit stage may look at: the query string of a GET, or a small JSON body.
function rawPost(req: IncomingMessage, body: BodyRead): RawGraphQLRequest | null {
  if (body.kind !== 'read' || body.raw.length === 0 || body.raw.length > HIT_STAGE_MAX_BODY_BYTES) return null;
  return isJsonBody(req.headers['content-type']) ? { kind: 'post', text: body.raw.toString('utf8') } : null;
}

/** The methods whose body readBody reads (the others have none to wait for). */
function carriesBody(method: string | undefined): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

export function createGraphQLRoute(options: GraphQLRouteOptions) {
  const { yoga, metrics, maxRequestBytes, cors, tokenLimit, viewers, fastPath } = options;

  const spendTokenLimit = createTokenGate({ tokenLimit, viewers, metrics, cors });

  async function execute(req: IncomingMessage, res: ServerResponse, cacheProbe: CacheProbe | undefined, started: number): Promise<void> {
    const requestInfo: RequestInfo = { executed: false, operation: null, cache: 'none' };
    compressNodeResponse(req, res);
    const statementTally: StatementTally = { count: 0 };
    // Open until the response is written out too: yoga pipes a streamed body without waiting for it.
    const responseClosed = res.closed ? undefined : new Promise<void>((resolve) => res.once('close', resolve));
    await withStatementTally(statementTally, () => yoga.handle(req, res, { statementTally, cacheProbe, requestInfo }), responseClosed);
    if (!requestInfo.executed) return;
    const operation = metrics.operationLabel(requestInfo.operation);
    metrics.requestDuration.observe({ operation, cache: requestInfo.cache }, (performance.now() - started) / 1000);
    metrics.sqlStatements.observe({ operation }, statementTally.count);
  }

  // Hits are counted (deskgraph_cache_hits_total) but not timed: the histogram would cost a noticeable
  // share of what a hit costs.
  function afterHitStage(req: IncomingMessage, res: ServerResponse, outcome: FastPathOutcome, started: number): Promise<void> | undefined {
    return outcome.served ? undefined : execute(req, res, outcome.probe, started);
  }

  /** The token limit, then the hit stage, then yoga: synchronous for as long as each step is. */
  function serve(req: IncomingMessage, res: ServerResponse, raw: RawGraphQLRequest | null, started: number): Promise<void> | undefined {
    const authorization = req.headers.authorization;
    // Hashed once for both the limit and the hit stage (the viewer cache remembers header → hash).
    const tokenHash = authorization && (tokenLimit || fastPath) ? bearerTokenHash(authorization, viewers) : null;
    const allowed = spendTokenLimit(req, res, tokenHash);
    if (allowed === false) return undefined;
    if (allowed !== true) return allowed.then((ok) => (ok ? serveAllowed(req, res, raw, tokenHash, started) : undefined));
    return serveAllowed(req, res, raw, tokenHash, started);
  }

  function serveAllowed(
    req: IncomingMessage,
    res: ServerResponse,
    raw: RawGraphQLRequest | null,
    tokenHash: string | null,
    started: number,
  ): Promise<void> | undefined {
    if (!fastPath || !raw) return execute(req, res, undefined, started);
    const outcome = serveFromCache(req, res, raw, fastPath, tokenHash);
    if (outcome instanceof Promise) return outcome.then((settled) => afterHitStage(req, res, settled, started));
    return afterHitStage(req, res, outcome, started);
  }

  function serveBody(req: IncomingMessage, res: ServerResponse, body: BodyRead, started: number): Promise<void> | undefined {
    if (body.kind === 'read' && body.raw.length === 0) {
      // yoga (whatwg-node) reads an empty body from the stream itself, which it can do only once the
      // 'end' event this runs in has been emitted.
      return Promise.resolve().then(() => serve(req, res, null, started));
    }
    if (body.kind !== 'too-large') return serve(req, res, rawPost(req, body), started);
    sendError(res, 413, `The request body is larger than ${maxRequestBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    return undefined;
  }

  // The body's 'end' callback goes straight on to the hit stage, which answers an L1 hit there: no
  // promise or microtask between the last byte and the answer.
  function readThenServe(req: IncomingMessage, res: ServerResponse, started: number): Promise<void> {
    return new Promise((resolve, reject) => {
      readBodyThen(
        req,
        maxRequestBytes,
        (body) => {
          try {
            resolve(serveBody(req, res, body, started));
          } catch (error) {
            reject(error);
          }
        },
        reject,
      );
    });
  }

  return function handleGraphQL(req: IncomingMessage, res: ServerResponse, query: string | undefined): Promise<void> | undefined {
    const started = performance.now();
    if (carriesBody(req.method)) return readThenServe(req, res, started);
    return serve(req, res, req.method === 'GET' && query ? { kind: 'get', text: query } : null, started);
  };
}

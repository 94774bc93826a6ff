// POST and GET /graphql, the one request path: the body is read within its limit, the token's rate
// limit is spent, the cache-hit stage answers what it can from the stored bytes, and everything else
// goes through yoga (server/graphql/yoga.ts). Both stages read parameters, negotiate, and set headers
// with the same modules, so a hit and a miss of one request get the same answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import type { ViewerCache } from '../auth/viewer-cache.ts';
import { serveFromCache, type FastPathOptions, type RawGraphQLRequest } from '../cache/fast-path.ts';
import type { CacheProbe, RequestInfo } from '../cache/use-response-cache.ts';
import type { GraphQLServer } from '../graphql/yoga.ts';
import type { Metrics } from '../platform/metrics.ts';
import { withStatementTally, type StatementTally } from '../platform/sql-statements.ts';
import type { Limit } from '../rate-limits/limit.ts';
import { compressNodeResponse } from '../protocol/compression.ts';
import { isJsonBody } from '../protocol/graphql-params.ts';
import { readBody, type BodyRead } from './request-body.ts';
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
function rawRequest(req: IncomingMessage, query: string | undefined, body: BodyRead): RawGraphQLRequest | null {
  if (req.method === 'GET') return query ? { kind: 'get', text: query } : null;
  if (body.kind !== 'read' || body.raw.length === 0 || body.raw.length > HIT_STAGE_MAX_BODY_BYTES) return null;
  return isJsonBody(req.headers['content-type']) ? { kind: 'post', text: body.raw.toString('utf8') } : null;
}

export function createGraphQLRoute(options: GraphQLRouteOptions) {
  const { yoga, metrics, maxRequestBytes, cors, tokenLimit, viewers, fastPath } = options;

  const spendTokenLimit = createTokenGate({ tokenLimit, viewers, metrics, cors });

  async function hitStage(
    req: IncomingMessage,
    res: ServerResponse,
    raw: RawGraphQLRequest | null,
  ): Promise<{ served: boolean; probe?: CacheProbe }> {
    if (!fastPath || !raw) return { served: false };
    const outcome = serveFromCache(req, res, raw, fastPath);
    // Hits are counted (deskgraph_cache_hits_total) but not timed: the histogram would cost a
    // noticeable share of what a hit costs.
    return outcome instanceof Promise ? await outcome : outcome;
  }

  async function execute(req: IncomingMessage, res: ServerResponse, cacheProbe: CacheProbe | undefined, started: number): Promise<void> {
    const requestInfo: RequestInfo = { executed: false, operation: null, cache: 'none' };
    compressNodeResponse(req, res);
    const statementTally: StatementTally = { count: 0 };
    await withStatementTally(statementTally, () => yoga.handle(req, res, { statementTally, cacheProbe, requestInfo }));
    if (!requestInfo.executed) return;
    const operation = metrics.operationLabel(requestInfo.operation);
    metrics.requestDuration.observe({ operation, cache: requestInfo.cache }, (performance.now() - started) / 1000);
    metrics.sqlStatements.observe({ operation }, statementTally.count);
  }

  return async function handleGraphQL(req: IncomingMessage, res: ServerResponse, query: string | undefined): Promise<void> {
    const started = performance.now();
    const body = await readBody(req, maxRequestBytes);
    if (body.kind === 'too-large') {
      return sendError(res, 413, `The request body is larger than ${maxRequestBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    }
    if (!(await spendTokenLimit(req, res))) return;
    const hit = await hitStage(req, res, rawRequest(req, query, body));
    if (hit.served) return;
    await execute(req, res, hit.probe, started);
  };
}

// Answers cache hits before GraphQL: from the request's document hash, variables and the viewer's
// visibility scope (token → viewer from the in-process cache) to the stored bytes, with no parsing,
// validation or execution. It only reads; anything it is unsure of goes on to yoga unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.ts';
import { hashToken } from '../../schema/session.ts';
import type { ViewerCache } from '../viewer-cache.ts';
import { documentHash, responseKey, visibilityScope } from './cache-key.ts';
import type { DocumentFactsRegistry } from './document-facts.ts';
import type { ResponseStore } from './response-store.ts';
import type { CacheProbe } from './use-response-cache.ts';
import type { CacheWarmer } from './warmer.ts';

export interface FastPathOptions {
  store: ResponseStore;
  facts: DocumentFactsRegistry;
  viewers: ViewerCache;
  metrics: Metrics;
  /** Add extensions.responseCache / extensions.sqlStatements as the GraphQL path would. */
  metadata: boolean;
  statementCount: boolean;
  warmer: CacheWarmer | null;
}

export interface GraphQLParams {
  query: string;
  operationName: string | null;
  variables: unknown;
}

export type FastPathOutcome = { served: true; operation: string | null } | { served: false; probe?: CacheProbe };

const BEARER = /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i;
const NOT_SERVED: FastPathOutcome = { served: false };

/** GraphQL parameters from a GET query string or a parsed JSON body; null when unusual (batches, extensions). */
export function graphqlParams(source: URLSearchParams | unknown): GraphQLParams | null {
  if (source instanceof URLSearchParams) {
    const query = source.get('query');
    if (!query || source.has('extensions')) return null;
    const variablesText = source.get('variables');
    let variables: unknown = null;
    if (variablesText) {
      try {
        variables = JSON.parse(variablesText);
      } catch {
        return null;
      }
    }
    return { query, operationName: source.get('operationName') || null, variables };
  }
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return null;
  const body = source as Record<string, unknown>;
  if (typeof body.query !== 'string' || body.extensions != null) return null;
  const operationName = body.operationName;
  if (operationName != null && typeof operationName !== 'string') return null;
  return { query: body.query, operationName: operationName || null, variables: body.variables ?? null };
}

// The media type yoga would answer with, for the Accept headers clients actually send; anything
// else (multipart, SSE, q-values) is left to yoga.
function mediaType(accept: string | undefined): string | null {
  if (!accept || accept === '*/*' || accept === 'application/json') return 'application/json';
  if (accept.startsWith('application/graphql-response+json')) return 'application/graphql-response+json';
  if (accept.startsWith('application/json')) return 'application/json';
  return null;
}

export async function serveFromCache(
  req: IncomingMessage,
  res: ServerResponse,
  params: GraphQLParams,
  options: FastPathOptions,
): Promise<FastPathOutcome> {
  const { store, metrics } = options;
  const type = mediaType(req.headers.accept);
  if (!type || req.headers.origin) return NOT_SERVED; // CORS answers stay with yoga
  const docHash = documentHash(params.query);
  const facts = options.facts.get(docHash, params.operationName);
  if (!facts || facts.operation !== 'query') return NOT_SERVED;
  let viewer = null;
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = BEARER.exec(authorization);
    if (!match) return NOT_SERVED;
    viewer = options.viewers.peek(hashToken(match[1]!));
    if (!viewer) return NOT_SERVED;
  }
  const key = responseKey(docHash, params.operationName, params.variables, visibilityScope(viewer, facts.visibility));
  options.warmer?.record(key, { ...params, viewer });
  const lookup = await store.lookup(key);
  if (!lookup.entry) return lookup.usable ? { served: false, probe: { key, lookup } } : NOT_SERVED;

  const operation = params.operationName ?? facts.name;
  metrics.cacheHits.inc({ operation: metrics.operationLabel(operation), layer: lookup.layer ?? 'l1', path: 'fast' });
  let body = lookup.entry.bytes;
  if (options.metadata || options.statementCount) body = withExtensions(body, options);
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': body.length });
  res.end(body);
  return { served: true, operation };
}

// Stored bytes are {"data":...} without extensions; a hit adds what the GraphQL path would add.
function withExtensions(bytes: Buffer, options: FastPathOptions): Buffer {
  const parts: string[] = [];
  if (options.metadata) parts.push('"responseCache":{"hit":true}');
  if (options.statementCount) parts.push('"sqlStatements":0');
  return Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from(`,"extensions":{${parts.join(',')}}}`)]);
}

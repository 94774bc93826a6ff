// The cache-hit stage of the request path: from the request's document hash, variables and the
// viewer's visibility scope (token → viewer from the in-process cache) to the stored bytes, with no
// parsing, validation or execution. It decides nothing of its own: parameters are read by
// server/protocol/graphql-params.ts (yoga reads them with the same functions), the media type and coding
// come from server/protocol/negotiation.ts, CSRF, CORS and caching headers from their one module each.
// It only reads; anything it is unsure of goes on to yoga unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import type { Viewer } from '../../identity/viewer.ts';
import type { ViewerCache } from '../auth/viewer-cache.ts';
import { ifNoneMatchHits } from '../protocol/caching-headers.ts';
import { corsHeadersFor } from '../protocol/cors.ts';
import type { CsrfPrevention } from '../protocol/csrf.ts';
import { paramsFromJson, paramsFromSearch, type RequestParams } from '../protocol/graphql-params.ts';
import { contentCoding, responseMediaType, type GraphQLResponseType } from '../protocol/negotiation.ts';
import type { CountCell, Metrics } from '../platform/metrics.ts';
import { requestClient } from '../persisted/client-name.ts';
import { requestedHash, type PersistedDocuments } from '../persisted/persisted-documents.ts';
import type { PersistedMode } from '../persisted/use-persisted-operations.ts';
import { cacheShard, documentHash, responseKey, visibilityScope } from './cache-key.ts';
import type { DocumentFactsRegistry } from './document-facts.ts';
import type { CachedResponse } from './l1-cache.ts';
import { RequestMemo } from './request-memo.ts';
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
  persisted: { mode: PersistedMode; documents: PersistedDocuments };
  memo: RequestMemo<KnownRequest>;
  /** The app's CORS policy, as yoga applies it. */
  cors: CORSOptions;
  /** null when CSRF_PREVENTION is off. */
  csrf: CsrfPrevention | null;
}

interface GraphQLParams {
  query: string;
  operationName: string | null;
  variables: unknown;
}

export type FastPathOutcome = { served: true } | { served: false; probe?: CacheProbe };

const NOT_SERVED: FastPathOutcome = { served: false };

/**
 * The document a request runs, with a persisted document's hash resolved to its text among the
 * documents of the client the request names; null when the hit stage should not try (APQ
 * registrations, unknown hashes, documents in `require` mode): yoga answers those, errors included.
 */
function cacheableParams(params: RequestParams, persisted: FastPathOptions['persisted'], client: string): CacheableParams | null {
  const operationName: unknown = params.operationName;
  if (operationName != null && typeof operationName !== 'string') return null;
  let query: string | undefined;
  let hash: string | null = null;
  if (typeof params.query === 'string') {
    if (!ignorableExtensions(params.extensions) || persisted.mode === 'require') return null;
    query = params.query;
  } else if (persisted.mode !== 'off') {
    hash = requestedHash(params);
    query = hash ? persisted.documents.get(hash, client) : undefined;
  }
  if (!query) return null;
  return { query, operationName: operationName || null, variables: params.variables ?? null, hash };
}

interface CacheableParams extends GraphQLParams {
  /** The persisted document's hash when the request sent one. */
  hash: string | null;
}

// Extensions may ask yoga for something (persistedQuery: an APQ registration and its hash check) or be
// malformed (not an object: yoga answers 400); those stay with yoga. Anything else in them changes nothing
// yoga does (Apollo Client 4 sends {"clientLibrary":{…}} with every operation), so the hit stage may answer.
function ignorableExtensions(extensions: unknown): boolean {
  if (extensions == null) return true;
  return typeof extensions === 'object' && !Array.isArray(extensions) && !('persistedQuery' in extensions);
}

/** The raw request as the hit stage sees it: a POST body's text, or a GET query string. */
export interface RawGraphQLRequest {
  kind: 'post' | 'get';
  text: string;
}

// The same parsers yoga uses; whatever they refuse, yoga refuses in its own answer.
function readParams(raw: RawGraphQLRequest): RequestParams | null {
  try {
    const params = raw.kind === 'get' ? paramsFromSearch(raw.text) : paramsFromJson(raw.text);
    return Array.isArray(params) ? null : params;
  } catch {
    return null;
  }
}

interface KnownRequest {
  key: string;
  operation: string | null;
  params: GraphQLParams;
  /** A persisted document's hash and the client it was found for: checked again on every hit, as the registry may drop it. */
  persisted: { hash: string; client: string } | null;
  /** Where this operation's hits are counted, per layer (Metrics.hitCount), asked for once. */
  hits?: Partial<Record<'l1' | 'l2', CountCell>>;
}

/** One per app: entries hold that app's metric cells. */
export function createRequestMemo(): RequestMemo<KnownRequest> {
  return new RequestMemo<KnownRequest>(20_000, 16 * 1024 * 1024);
}

function describe(raw: RawGraphQLRequest, viewer: Viewer | null, client: string, options: FastPathOptions): KnownRequest | null {
  // The client is part of the key: the same hash may be trusted for one client and not for another.
  const known = options.memo.get(client, raw.text, viewer);
  if (known) return !known.persisted || options.persisted.documents.get(known.persisted.hash, known.persisted.client) ? known : null;
  const read = readParams(raw);
  const cacheable = read && cacheableParams(read, options.persisted, client);
  if (!cacheable) return null;
  const { hash, ...params } = cacheable;
  const docHash = documentHash(params.query);
  const facts = options.facts.get(docHash, params.operationName);
  if (!facts || facts.operation !== 'query') return null;
  const described = {
    key: responseKey(docHash, params.operationName, params.variables, visibilityScope(viewer, facts.visibility)),
    operation: params.operationName ?? facts.name,
    params,
    persisted: hash ? { hash, client } : null,
  };
  options.memo.set(client, raw.text, viewer, described);
  return described;
}

/**
 * The viewer a hit may be served to: null for no token, undefined when only yoga can tell.
 * `tokenHash` is bearerTokenHash of the Authorization header (null when it is malformed).
 */
function knownViewer(req: IncomingMessage, viewers: ViewerCache, tokenHash: string | null): Viewer | null | undefined {
  if (!req.headers.authorization) return null;
  return tokenHash ? viewers.peek(tokenHash)?.viewer : undefined;
}

/**
 * Serves a hit and returns synchronously when L1 has it; goes to Redis (async) otherwise. `tokenHash` is
 * bearerTokenHash of the request's Authorization header, which the caller has already computed for the
 * token limit.
 */
export function serveFromCache(
  req: IncomingMessage,
  res: ServerResponse,
  raw: RawGraphQLRequest,
  options: FastPathOptions,
  tokenHash: string | null,
): FastPathOutcome | Promise<FastPathOutcome> {
  const type = responseMediaType(req.headers.accept);
  if (!type) return NOT_SERVED;
  // Yoga refuses it (403 CSRF_HEADER_MISSING); a warm entry must not answer it first.
  if (options.csrf?.refuses(req)) return NOT_SERVED;
  const viewer = knownViewer(req, options.viewers, tokenHash);
  if (viewer === undefined) return NOT_SERVED;
  // A malformed client name is refused by yoga (400).
  const client = requestClient((name) => req.headers[name]);
  if (client === 'invalid') return NOT_SERVED;
  const request = describe(raw, viewer, client.name, options);
  if (!request) return NOT_SERVED;
  options.warmer?.record(request.key, request.params, viewer);
  const local = options.store.peek(request.key);
  if (local) return send(req, res, type, local, request, 'l1', options);
  return options.store.lookup(request.key, cacheShard(viewer)).then((lookup): FastPathOutcome => {
    if (lookup.entry) return send(req, res, type, lookup.entry, request, lookup.layer ?? 'l2', options);
    return lookup.usable ? { served: false, probe: { key: request.key, lookup } } : NOT_SERVED;
  });
}

const SERVED: FastPathOutcome = { served: true };

function send(
  req: IncomingMessage,
  res: ServerResponse,
  type: GraphQLResponseType,
  entry: CachedResponse,
  request: KnownRequest,
  layer: 'l1' | 'l2',
  options: FastPathOptions,
): FastPathOutcome {
  const hits = (request.hits ??= {});
  (hits[layer] ??= options.metrics.hitCount({ operation: options.metrics.operationLabel(request.operation), layer, path: 'fast' })).count +=
    1;
  // What is sent is fixed for the life of the process (the extension switches are configuration), so
  // the body, its ETag, compressed forms and headers are worked out once per entry and kind of request.
  const get = req.method === 'GET';
  const head = options.store.hitHead(
    request.key,
    entry,
    {
      type,
      encoding: contentCoding(req.headers['accept-encoding']),
      get,
      hasToken: req.headers.authorization !== undefined,
      cors: corsHeadersFor(req, options.cors),
    },
    options.metadata || options.statementCount ? (bytes) => withExtensions(bytes, options) : undefined,
  );
  if (get && head.notModified && ifNoneMatchHits(req.headers['if-none-match'], head.etag)) res.writeHead(304, head.notModified).end();
  else res.writeHead(200, head.ok).end(head.body);
  return SERVED;
}

// Stored bytes are {"data":...} without extensions; a hit adds what the GraphQL path would add.
function withExtensions(bytes: Buffer, options: FastPathOptions): Buffer {
  const parts: string[] = [];
  if (options.metadata) parts.push('"responseCache":{"hit":true}');
  if (options.statementCount) parts.push('"sqlStatements":0');
  return Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from(`,"extensions":{${parts.join(',')}}}`)]);
}

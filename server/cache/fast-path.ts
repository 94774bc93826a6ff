// Answers cache hits before GraphQL: from the request's document hash, variables and the viewer's
// visibility scope (token → viewer from the in-process cache) to the stored bytes, with no parsing,
// validation or execution. It only reads; anything it is unsure of goes on to yoga unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Viewer } from '../../identity/viewer.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { ViewerCache } from '../auth/viewer-cache.ts';
import type { CachedResponse } from './l1-cache.ts';
import { cacheControlFor, etagOf, ifNoneMatchHits, requestHasToken } from '../http/conditional-get.ts';
import { encodedVariant, negotiateEncoding, varyAcceptEncoding } from '../http/compression.ts';
import type { CORSOptions } from '@whatwg-node/server';
import type { CsrfPrevention } from '../http/csrf.ts';
import { corsHeadersFor } from '../http/cors.ts';
import { documentHash, responseKey, visibilityScope } from './cache-key.ts';
import type { DocumentFactsRegistry } from './document-facts.ts';
import type { ResponseStore } from './response-store.ts';
import type { CacheProbe } from './use-response-cache.ts';
import type { CacheWarmer } from './warmer.ts';
import { requestedHash, type PersistedDocuments } from '../persisted/persisted-documents.ts';
import type { PersistedMode } from '../persisted/use-persisted-operations.ts';

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
  memo: RequestMemo;
  /** The app's CORS policy, as yoga applies it. */
  cors: CORSOptions;
  /** null when CSRF_PREVENTION is off. */
  csrf: CsrfPrevention | null;
}

export interface GraphQLParams {
  query: string;
  operationName: string | null;
  variables: unknown;
}

export type FastPathOutcome = { served: true; operation: string | null } | { served: false; probe?: CacheProbe };

const NOT_SERVED: FastPathOutcome = { served: false };

/**
 * GraphQL parameters from a GET query string or a parsed JSON body, with a persisted document's hash
 * resolved to its text; null when the fast path should not try (batches, APQ registrations, unknown
 * hashes, documents in `require` mode): yoga answers those, errors included.
 */
export function graphqlParams(source: URLSearchParams | unknown, persisted: FastPathOptions['persisted']): GraphQLParams | null {
  let fields: { query?: unknown; documentId?: unknown; extensions?: unknown; operationName?: unknown; variables?: unknown };
  if (source instanceof URLSearchParams) {
    let extensions: unknown;
    let variables: unknown = null;
    try {
      extensions = source.has('extensions') ? JSON.parse(source.get('extensions')!) : undefined;
      variables = source.has('variables') ? JSON.parse(source.get('variables')!) : null;
    } catch {
      return null;
    }
    fields = {
      query: source.get('query') ?? undefined,
      documentId: source.get('documentId') ?? undefined,
      extensions,
      operationName: source.get('operationName') || null,
      variables,
    };
  } else {
    if (source === null || typeof source !== 'object' || Array.isArray(source)) return null;
    fields = source as typeof fields;
  }
  const operationName = fields.operationName;
  if (operationName != null && typeof operationName !== 'string') return null;
  let query: string | undefined;
  if (typeof fields.query === 'string') {
    if (fields.extensions != null || persisted.mode === 'require') return null;
    query = fields.query;
  } else if (persisted.mode !== 'off') {
    const hash = requestedHash(fields);
    query = hash ? persisted.documents.get(hash) : undefined;
  }
  if (!query) return null;
  return { query, operationName: operationName || null, variables: fields.variables ?? null };
}

// The media type yoga would answer with, for the Accept headers clients actually send; anything
// else (multipart, SSE, q-values) is left to yoga.
function mediaType(accept: string | undefined): string | null {
  if (!accept || accept === '*/*' || accept === 'application/json') return 'application/json';
  if (accept.startsWith('application/graphql-response+json')) return 'application/graphql-response+json';
  if (accept.startsWith('application/json')) return 'application/json';
  return null;
}

/** The raw request as the fast path sees it: a POST body's text, or a GET query string. */
export interface RawGraphQLRequest {
  kind: 'post' | 'get';
  text: string;
}

interface KnownRequest {
  key: string;
  operation: string | null;
  params: GraphQLParams;
  /** The hit counter's child for this operation and layer, bound once: label lookups cost per hit. */
  hits?: Partial<Record<'l1' | 'l2', { inc(): void }>>;
}

// Per (user, raw request text): the response key. Most hits repeat a few bodies, so this skips parsing
// the JSON, canonicalizing variables and hashing on the hot path. The memo holds no data, only keys,
// and a key embeds the scope, so a stale memo entry can only ever point at a miss.
export type RequestMemo = LRUCache<string, KnownRequest>;

/** One per app: entries hold that app's metric children. */
export function createRequestMemo(): RequestMemo {
  return new LRUCache<string, KnownRequest>({ max: 20_000 });
}

function describe(raw: RawGraphQLRequest, viewer: Viewer | null, options: FastPathOptions): KnownRequest | null {
  const memoKey = `${viewer ? viewer.userId : 0}\n${raw.text}`;
  const known = options.memo.get(memoKey);
  if (known) return known;
  let params: GraphQLParams | null;
  if (raw.kind === 'get') params = graphqlParams(new URLSearchParams(raw.text), options.persisted);
  else {
    try {
      params = graphqlParams(JSON.parse(raw.text), options.persisted);
    } catch {
      return null;
    }
  }
  if (!params) return null;
  const docHash = documentHash(params.query);
  const facts = options.facts.get(docHash, params.operationName);
  if (!facts || facts.operation !== 'query') return null;
  const described = {
    key: responseKey(docHash, params.operationName, params.variables, visibilityScope(viewer, facts.visibility)),
    operation: params.operationName ?? facts.name,
    params,
  };
  options.memo.set(memoKey, described);
  return described;
}

/** Serves a hit and returns synchronously when L1 has it; goes to Redis (async) otherwise. */
export function serveFromCache(
  req: IncomingMessage,
  res: ServerResponse,
  raw: RawGraphQLRequest,
  options: FastPathOptions,
): FastPathOutcome | Promise<FastPathOutcome> {
  const type = mediaType(req.headers.accept);
  if (!type) return NOT_SERVED;
  // Yoga refuses it (403 CSRF_HEADER_MISSING); a warm entry must not answer it first.
  if (options.csrf?.refuses(req)) return NOT_SERVED;
  let viewer: Viewer | null = null;
  const authorization = req.headers.authorization;
  if (authorization) {
    const tokenHash = options.viewers.hashOf(authorization);
    if (!tokenHash) return NOT_SERVED;
    viewer = options.viewers.peek(tokenHash) ?? null;
    if (!viewer) return NOT_SERVED;
  }
  const request = describe(raw, viewer, options);
  if (!request) return NOT_SERVED;
  options.warmer?.record(request.key, { ...request.params, viewer });
  const local = options.store.peek(request.key);
  if (local) return send(req, res, type, local, request, 'l1', options);
  return options.store.lookup(request.key).then((lookup): FastPathOutcome => {
    if (lookup.entry) return send(req, res, type, lookup.entry, request, lookup.layer ?? 'l2', options);
    return lookup.usable ? { served: false, probe: { key: request.key, lookup } } : NOT_SERVED;
  });
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  type: string,
  entry: CachedResponse,
  request: KnownRequest,
  layer: 'l1' | 'l2',
  options: FastPathOptions,
): FastPathOutcome {
  const hits = (request.hits ??= {});
  (hits[layer] ??= options.metrics.cacheHits.labels({ operation: options.metrics.operationLabel(request.operation), layer, path: 'fast' })).inc();
  // What is sent is fixed for the life of the process (the extension switches are configuration), so
  // its ETag and compressed forms are worked out once per entry.
  const body = (entry.sent ??= options.metadata || options.statementCount ? withExtensions(entry.bytes, options) : entry.bytes);
  const etag = (entry.etag ??= etagOf(body));
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  const encoded = encoding ? encodedVariant(entry, encoding, body) : null;
  // The same headers yoga's path sends: its CORS policy, Vary whenever the answer could have been
  // encoded, and a weak ETag on an encoded body (RFC 9110: a strong one must differ between codings).
  const headers: string[] = [];
  let vary: string | undefined;
  const cors = corsHeadersFor(req, options.cors);
  if (cors) {
    for (const [name, value] of Object.entries(cors)) {
      if (name === 'Vary') vary = value;
      else headers.push(name, value);
    }
  }
  if (encoding) vary = varyAcceptEncoding(vary);
  if (vary) headers.push('vary', vary);
  if (req.method === 'GET') {
    headers.push('etag', encoded ? `W/${etag}` : etag, 'cache-control', cacheControlFor(requestHasToken(req)));
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers).end();
      return { served: true, operation: request.operation };
    }
  }
  headers.push(CONTENT_TYPE, type === 'application/json' ? JSON_TYPE : GRAPHQL_RESPONSE_TYPE);
  if (encoded && encoding) {
    headers.push('content-encoding', encoding, 'content-length', String(encoded.body.length));
    res.writeHead(200, headers).end(encoded.body);
  } else {
    headers.push('content-length', String(body.length));
    res.writeHead(200, headers).end(body);
  }
  return { served: true, operation: request.operation };
}

const CONTENT_TYPE = 'content-type';
const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

// Stored bytes are {"data":...} without extensions; a hit adds what the GraphQL path would add.
function withExtensions(bytes: Buffer, options: FastPathOptions): Buffer {
  const parts: string[] = [];
  if (options.metadata) parts.push('"responseCache":{"hit":true}');
  if (options.statementCount) parts.push('"sqlStatements":0');
  return Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from(`,"extensions":{${parts.join(',')}}}`)]);
}

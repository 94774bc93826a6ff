// Puts @envelop/response-cache in front of the graph with our store. The library decides what is
// cached (queries without errors; __typename/id added to collect entity tags; TTLs from schema hints)
// and this module adds what it lacks: list tags from resolvers, visibility scopes, single-flight, and
// the race rule. Mutations invalidate explicitly, through ctx.cache.invalidate, after they commit.
import { useResponseCache, type Cache } from '@envelop/response-cache';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withGroupTags } from '../../schema/cache-tags.ts';
import type { CacheHooks, Context } from '../../schema/context.ts';
import type { CacheConfig } from './cache-config.ts';
import type { Metrics } from '../platform/metrics.ts';
import { requestWriteLsn, requireLsn } from '../platform/replicas/read-floor.ts';
import { cacheShard, documentHash, responseKey, visibilityScope } from './cache-key.ts';
import { analyzeDocument, type DocumentFacts, type DocumentFactsRegistry } from './document-facts.ts';
import type { CachedResponse } from './l1-cache.ts';
import type { CacheWarmer } from './warmer.ts';
import type { Lookup, ResponseStore } from './response-store.ts';

/** What the fast path learned about a request it could not answer, so the plugin need not ask Redis again. */
export interface CacheProbe {
  key: string;
  lookup: Lookup;
}

/** Per-request facts the HTTP layer reads after the response (metrics), shared through the server context. */
export interface RequestInfo {
  /** Set once an operation reached execution. */
  executed: boolean;
  operation: string | null;
  cache: 'hit' | 'miss' | 'bypass' | 'none';
}

export interface CacheServerContext {
  cacheProbe?: CacheProbe;
  requestInfo?: RequestInfo;
  /** The warmer's own run (warmer.ts): not a client read, so it moves no hit, miss or bypass counter. */
  warming?: boolean;
}

/** The ctx.cache of one request: the tags its resolvers add, and how the store sees it. */
class RequestCache implements CacheHooks {
  readonly extraTags = new Set<string>();
  facts: DocumentFacts | null = null;
  docHash = '';
  lookup: Lookup | null = null;
  startedAt = Date.now();
  release: ((value: CachedResponse | null, storing?: Promise<unknown>) => void) | null = null;

  constructor(
    private readonly store: ResponseStore | null,
    /** The request's context: its viewer (set by the auth plugin after this is made) names the shard a write invalidates. */
    private readonly context: Pick<Context, 'viewer'>,
    private readonly requestInfo: RequestInfo | undefined,
    private readonly metrics: Metrics,
    private readonly announceUncached: (tags: readonly string[]) => void,
  ) {}

  tag(...tags: string[]): void {
    for (const tag of tags) this.extraTags.add(tag);
  }

  async invalidate(tags: Iterable<string>): Promise<void> {
    if (this.store) {
      const operation = this.metrics.operationLabel(this.requestInfo?.operation);
      // The write's WAL position travels with it, so every instance's replica reads wait for it.
      await this.store.invalidate(tags, cacheShard(this.context.viewer), { operation, lsn: requestWriteLsn() ?? undefined });
    } else this.announceUncached([...new Set(tags)]);
  }
}

/**
 * The bytes a fill stores, which are also the response yoga is about to send: its serializer calls
 * `result.stringify` when there is one (graphql-jit puts JSON.stringify there), so the text is made
 * once. Only for this very object: a plugin that changes the result after the cache (extensions)
 * replaces it with a copy, which is serialized afresh.
 */
function serializeOnce(result: ExecutionResult): Buffer {
  const text = JSON.stringify(result);
  (result as ExecutionResult & { stringify?: (value: unknown) => string }).stringify = (value) =>
    value === result ? text : JSON.stringify(value);
  return Buffer.from(text);
}

/** TTLs from the schema: `extensions: { cacheMaxAge: seconds }` on object types and fields. */
function ttlHints(schema: GraphQLSchema): Record<string, number> {
  const hints: Record<string, number> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeAge = type.extensions?.cacheMaxAge;
    if (typeof typeAge === 'number') hints[type.name] = typeAge * 1000;
    for (const field of Object.values(type.getFields())) {
      const age = field.extensions?.cacheMaxAge;
      if (typeof age === 'number') hints[`${type.name}.${field.name}`] = age * 1000;
    }
  }
  return hints;
}

export interface ResponseCacheOptions {
  schema: GraphQLSchema;
  store: ResponseStore | null;
  facts: DocumentFactsRegistry;
  config: CacheConfig;
  metrics: Metrics;
  warmer: CacheWarmer | null;
  /** Without a store: tells the invalidation listeners (live updates) what a write changed. */
  announceUncached: (tags: readonly string[]) => void;
}

export function useDeskgraphResponseCache({
  schema,
  store,
  facts,
  config,
  metrics,
  warmer,
  announceUncached,
}: ResponseCacheOptions): Plugin<Context & CacheServerContext>[] {
  const contextCache = (ctx: unknown) => (ctx as Context).cache as RequestCache;

  const prepare: Plugin<Context & CacheServerContext> = {
    onContextBuilding({ context, extendContext }) {
      const ctx = context as Context & CacheServerContext;
      extendContext({ cache: new RequestCache(store, ctx, ctx.requestInfo, metrics, announceUncached) });
    },
    onExecute({ args }) {
      const ctx = args.contextValue as Context & CacheServerContext & { params?: { query?: string } };
      const cache = contextCache(ctx);
      if (ctx.requestInfo) {
        ctx.requestInfo.executed = true;
        ctx.requestInfo.operation = args.operationName ?? null;
      }
      const text = ctx.params?.query;
      if (!store || typeof text !== 'string') return;
      cache.docHash = documentHash(text);
      let known = facts.get(cache.docHash, args.operationName);
      if (!known) {
        known = analyzeDocument(args.schema, args.document, args.operationName) ?? undefined;
        if (known) facts.remember(cache.docHash, args.operationName, known);
      }
      cache.facts = known ?? null;
      if (ctx.requestInfo && known?.name) ctx.requestInfo.operation = known.name;
    },
  };

  if (!store) return [prepare];

  const cacheFor = (ctx: unknown): Cache => {
    const request = contextCache(ctx);
    const serverCtx = ctx as Context & CacheServerContext;
    const operation = metrics.operationLabel(serverCtx.requestInfo?.operation);
    const warming = serverCtx.warming === true;
    const outcome = (value: RequestInfo['cache']) => {
      if (serverCtx.requestInfo) serverCtx.requestInfo.cache = value;
    };
    // The hit rate is the share of client reads answered from the cache: the warmer's runs stay out of it.
    const count = (value: 'hit' | 'miss' | 'bypass', layer?: string) => {
      outcome(value);
      if (warming) return;
      if (value === 'hit') metrics.cacheHits.inc({ operation, layer: layer ?? 'l1', path: 'graphql' });
      else if (value === 'miss') metrics.cacheMisses.inc({ operation });
      else metrics.cacheBypass.inc({ reason: 'redis_unavailable' });
    };
    return {
      async get(key: string): Promise<ExecutionResult | undefined> {
        request.startedAt = Date.now();
        if (warmer && !warming) {
          const params = (ctx as { params?: { query?: string; variables?: unknown; operationName?: string } }).params;
          if (params?.query) warmer.record(key, params as { query: string }, serverCtx.viewer);
        }
        const probe = serverCtx.cacheProbe;
        let lookup = probe && probe.key === key ? probe.lookup : await store.lookup(key, cacheShard(serverCtx.viewer));
        if (lookup.entry) {
          count('hit', lookup.layer ?? 'l1');
          return store.parsedResult(key, lookup.entry);
        }
        if (!lookup.usable) {
          count('bypass');
          return undefined;
        }
        // The probe (or the L2 read) may be older than a flight that just finished: look in L1 once
        // more, in the same tick as joining, so a result stored meanwhile is not executed again.
        const landed = lookup.layer === null ? store.l1.get(key) : undefined;
        if (landed) {
          count('hit', 'l1');
          return store.parsedResult(key, landed);
        }
        const flight = await store.joinFlight(key, lookup.shard, warming);
        if (!flight.leader && flight.entry) {
          // Waited for another execution of the same key: a client's (coalesced) or the warmer's (warming).
          count('hit', flight.warmed ? 'warming' : 'coalesced');
          return store.parsedResult(key, flight.entry);
        }
        if (flight.leader && flight.refused) {
          // It followed a flight whose result a write made unusable, and leads the retry: its first read
          // predates that write, so a fill judged by it would be refused. Read again.
          const again = await store.lookup(key, lookup.shard);
          if (again.entry || !again.usable) {
            flight.release(again.entry);
            count(again.entry ? 'hit' : 'bypass', again.layer ?? 'l1');
            return again.entry ? store.parsedResult(key, again.entry) : undefined;
          }
          lookup = again;
        }
        if (flight.leader) request.release = flight.release;
        request.lookup = lookup;
        // The organization's last write position, read with the entry: a replica that has not replayed
        // it must not serve this execution, whose result may be stored (CACHE.md, "Read replicas").
        if (lookup.redisLsn) requireLsn(lookup.redisLsn);
        count('miss');
        return undefined;
      },
      set(key, result, entities, ttl) {
        const tags = new Set(request.extraTags);
        for (const entity of entities) if (entity.id != null) tags.add(`${entity.typename}:${entity.id}`);
        if (request.facts) withGroupTags(tags, request.facts.fieldGroups);
        const entry = { bytes: serializeOnce(result), tags: [...tags], ttlMs: ttl };
        const storing = request.lookup ? store.fill(key, entry, request.lookup, request.startedAt) : undefined;
        request.release?.(entry, storing);
        request.release = null;
      },
      // Mutations never reach here (the plugin is enabled for queries only); resolvers invalidate.
      invalidate() {},
    };
  };

  const responseCache = useResponseCache<Context>({
    session: (ctx) => visibilityScope(ctx.viewer, contextCache(ctx).facts?.visibility ?? 'user'),
    enabled: (ctx) => {
      const request = contextCache(ctx);
      if (request.facts?.operation !== 'query' || request.facts.live) return false;
      if (!store.usable) {
        if (!(ctx as CacheServerContext).warming) metrics.cacheBypass.inc({ reason: 'redis_unavailable' });
        const info = (ctx as CacheServerContext).requestInfo;
        if (info) info.cache = 'bypass';
        return false;
      }
      return true;
    },
    cache: cacheFor,
    getDocumentString: () => '', // the key uses the document hash computed once in `prepare`
    buildResponseCacheKey: ({ operationName, variableValues, sessionId, context }) =>
      responseKey(contextCache(context).docHash, operationName, variableValues, sessionId ?? 'public'),
    ttl: config.defaultTtlSeconds * 1000,
    ttlPerSchemaCoordinate: ttlHints(schema),
    invalidateViaMutation: false,
    shouldCacheResult: ({ result }) => !result.errors?.length,
    includeExtensionMetadata: config.metadata,
  });

  // After the response cache's own onExecuteDone: a leader whose result was not stored (errors, TTL 0)
  // lets its followers go and execute for themselves.
  const release: Plugin<Context> = {
    onExecute({ args }) {
      const request = contextCache(args.contextValue);
      return {
        onExecuteDone() {
          request.release?.(null);
          request.release = null;
        },
      };
    },
  };

  return [prepare, responseCache as Plugin<Context & CacheServerContext>, release];
}

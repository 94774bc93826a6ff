// Mercurius (Fastify 5) on deskgraph's schema object and per-request context: the mercurius,
// mercurius-jit and mercurius-cache peers.
//
// Mercurius defaults otherwise: its own parse/validation LRU (`cache: true`), no GraphiQL, no batching.
// `jit: 1` compiles a document with graphql-jit the first time it is seen again (the setting
// mercurius documents for hot queries).
//
// mercurius-cache (the `cache` option), its recommended setup: `ttl` plus a `policy` entry per Query
// field, in-memory storage (async-cache-dedupe), each entry's key extended with the viewer (`extendKey`,
// as in mercurius-cache's examples/cache-per-user.js). TTLs: CACHE_TTL_SECONDS (deskgraph's default,
// 300 s), shorter where deskgraph's schema says so (`extensions.cacheMaxAge` on the field or its type:
// dashboardStats and viewer, 60 s). Invalidation: the storage's references, fed by deskgraph's own
// tag vocabulary (server/CACHE.md) — each cached Query field references the tags its resolver added
// with ctx.cache.tag (tickets@org:…, dashboard@org:…|figure, the IDs of a node lookup) and the entity tags of
// the rows it returned (Ticket:<global id>, …, with every field group's tag: Ticket:<global id>~status, …), and ctx.cache.invalidate(tags), which the mutations
// call after commit, becomes cache.invalidate(tags). (mercurius-cache's documented way is a
// `references` function per Query field and an `invalidate` function per Mutation field; routing both
// through the hooks deskgraph already has gives the same thing without restating the tag rules.)
//
// What mercurius-cache caches is a resolver's return value, not a response: a hit on Query.tickets
// skips the tickets statement, but every nested field (requester, assignee, tags, comments, authors)
// still resolves, through the request's DataLoaders, against the database.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyRequest } from 'fastify';
import mercurius from 'mercurius';
import mercuriusCacheModule from 'mercurius-cache';
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLOutputType } from 'graphql';
import { entityTag, withGroupTags, type FieldGroups } from '../../../schema/cache-tags.ts';
import type { NodeTypeName } from '../../../schema/global-id.ts';
import { schema } from '../../../schema/index.ts';
import type { CacheHooks, Context } from '../../../schema/context.ts';
import { buildContext, contextFailure } from './context.ts';
import { type PeerRuntime, type RunningPeer } from './runtime.ts';

// A CommonJS module whose types declare `export default`; fastify-plugin sets `.default` on it at runtime too.
const mercuriusCache = mercuriusCacheModule.default;

export interface MercuriusPeerOptions {
  jit: boolean;
  cache: boolean;
}

/** ctx.cache for mercurius-cache: remembers the request's tags, invalidates through the cache's references. */
class ReferenceHooks implements CacheHooks {
  readonly tags = new Set<string>();
  constructor(private readonly invalidateReferences: (tags: string[]) => unknown) {}
  tag(...tags: string[]): void {
    for (const tag of tags) this.tags.add(tag);
  }
  async invalidate(tags: Iterable<string>): Promise<void> {
    const list = [...tags];
    if (list.length) await this.invalidateReferences(list);
  }
}

const NODE_TYPES = new Set<string>(['Organization', 'User', 'Ticket', 'Comment', 'Tag']);

/**
 * The entity tags (Type:<global id>) of the rows a resolver returned, through lists and connection
 * edges: deskgraph's response cache takes these from the response (@envelop/response-cache collects
 * typename and id), so resolvers such as Query.ticket add no tag of their own.
 */
function entityTags(type: GraphQLOutputType, value: unknown, tags: Set<string>): void {
  if (value == null) return;
  const named = getNamedType(type);
  if (Array.isArray(value)) {
    for (const item of value) entityTags(named, item, tags);
    return;
  }
  if (!isObjectType(named) || typeof value !== 'object') return;
  const id = (value as { id?: unknown }).id;
  if (NODE_TYPES.has(named.name) && typeof id === 'number') tags.add(entityTag(named.name as NodeTypeName, id));
  const edges = named.getFields().edges;
  const edgeType = edges && getNamedType(edges.type);
  const list = (value as { edges?: unknown }).edges;
  if (edgeType && isObjectType(edgeType) && edgeType.getFields().node && Array.isArray(list)) {
    const nodeType = edgeType.getFields().node!.type;
    for (const edge of list) entityTags(nodeType, (edge as { node?: unknown } | null)?.node, tags);
  }
}

/**
 * Every field group of each type that has them (Ticket's: server/CACHE.md, "Field groups"): deskgraph's
 * updates invalidate a row's group tags, not its entity tag, and a cached resolver value holds whole rows.
 */
const EVERY_GROUP: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(schema.getTypeMap()).flatMap((type) => {
    const groups = type.extensions?.cacheFieldGroups as FieldGroups | undefined;
    return groups ? [[type.name, groups.all]] : [];
  }),
);

/** One policy entry per Query field: TTL from deskgraph's hints, key per viewer, references from the resolver's tags. */
function queryPolicy(defaultTtl: number): Record<string, object> {
  const query = schema.getQueryType() as GraphQLObjectType;
  const policy: Record<string, object> = {};
  for (const field of Object.values(query.getFields())) {
    const ages = [field.extensions?.cacheMaxAge, getNamedType(field.type).extensions?.cacheMaxAge].filter(
      (age): age is number => typeof age === 'number',
    );
    policy[field.name] = {
      ttl: Math.min(defaultTtl, ...ages),
      extendKey: (_source: unknown, _args: unknown, ctx: Context) => (ctx.viewer ? `user:${ctx.viewer.userId}` : 'anonymous'),
      // The tags the request's resolvers added so far (a superset of this field's) and the rows' entity tags.
      references: ({ ctx }: { ctx: Context }, _key: string, result: unknown) => {
        const tags = new Set((ctx.cache as ReferenceHooks).tags);
        entityTags(field.type, result, tags);
        return [...withGroupTags(tags, EVERY_GROUP)];
      },
    };
  }
  return policy;
}

declare module 'fastify' {
  interface FastifyRequest {
    deskgraphContext: Context | null;
  }
}

export async function serveMercurius(runtime: PeerRuntime, options: MercuriusPeerOptions): Promise<RunningPeer> {
  const app = Fastify({
    logger: false,
    bodyLimit: runtime.config.maxRequestBytes,
    // Every request runs with the process tally as its statement tally (see runtime.ts).
    serverFactory: (handler) => createServer((req: IncomingMessage, res: ServerResponse) => handler(req, res)),
  });

  app.get('/ready', async (_request, reply) => {
    const ok = await runtime.ready();
    return reply
      .code(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(ok ? { status: 'ready', peer: runtime.name } : { status: 'unavailable', database: 'unreachable' });
  });
  app.get('/bench-stats', async (_request, reply) => reply.header('cache-control', 'no-store').send(runtime.stats()));

  const invalidate = (tags: string[]) => app.graphql.cache?.invalidate(tags);
  // Before mercurius's handler: who is asking. A bad token is answered here, 401 as deskgraph does; in
  // mercurius's `context` function a throw would become a 500.
  app.decorateRequest('deskgraphContext', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    if (request.routeOptions.url !== '/graphql') return;
    try {
      request.deskgraphContext = await buildContext(
        runtime,
        request.headers.authorization,
        options.cache ? new ReferenceHooks(invalidate) : undefined,
      );
    } catch (error) {
      const failure = contextFailure(error);
      if (!failure) throw error;
      return reply.code(failure.status).headers(failure.headers).send(failure.body);
    }
  });

  await app.register(mercurius, {
    schema,
    jit: options.jit ? 1 : 0,
    graphiql: false,
    context: (request: FastifyRequest) => request.deskgraphContext as unknown as Record<string, unknown>,
  });
  if (options.cache) {
    await app.register(mercuriusCache, {
      ttl: runtime.config.cache.defaultTtlSeconds,
      storage: { type: 'memory', options: { size: 1024, invalidation: true } },
      policy: { Query: queryPolicy(runtime.config.cache.defaultTtlSeconds) },
    });
  }

  await app.listen({ port: runtime.config.port, host: runtime.config.host });
  return { close: () => app.close() };
}

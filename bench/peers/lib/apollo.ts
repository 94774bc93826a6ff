// Apollo Server 4 on deskgraph's schema object and per-request context.
//
// HTTP: Apollo's integration API (`executeHTTPGraphQLRequest`) on a plain node:http server — what
// `startStandaloneServer` does, without its express app, cors and body-parser layers (standalone
// cannot serve the extra /ready and /bench-stats routes). So these figures are, if anything, a little
// better than standalone's. Apollo's defaults otherwise: the CacheControl plugin computes hints on every
// request (it is always installed), CSRF prevention on, landing page off (not part of a benchmark).
//
// With `cache: true` (apollo-cache), Apollo's recommended setup: `@apollo/server-plugin-response-cache`
// over Apollo's default in-memory cache (InMemoryLRUCache, bounded, ~30 MiB). That plugin stores only
// responses whose overall cache policy has a maxAge > 0, and shares PUBLIC ones between all users, so:
//   - CacheControl's `defaultMaxAge` is CACHE_TTL_SECONDS (deskgraph's default TTL, 300 s);
//   - deskgraph's own hints (`extensions: { cacheMaxAge }` on types and fields, read by
//     server/cache/use-response-cache.ts ttlHints) are mapped onto Apollo's hints by `deskgraphHints`;
//   - every root field is PRIVATE (every deskgraph answer depends on who asks), and `sessionId` is the
//     token's hash, as Apollo recommends for private data: one cache entry per token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { getNamedType, GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { schema } from '../../../schema/index.ts';
import type { Context } from '../../../schema/context.ts';
import { buildContext, contextFailure } from './context.ts';
import { sendJson, serveSideRoutes, type PeerRuntime, type RunningPeer } from './runtime.ts';

interface CachePolicyLike {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
}

/** deskgraph's cacheMaxAge extensions as Apollo cache hints, and PRIVATE on every root field. */
function deskgraphHints(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            // Runs after CacheControl's willResolveField (Apollo calls willResolveField in reverse plugin
            // order, so this plugin is listed before it), which puts the field's policy on
            // info.cacheControl and folds it into the response's policy when the field ends.
            willResolveField({ info }) {
              const hint = (info as GraphQLResolveInfo & { cacheControl?: { cacheHint: CachePolicyLike } }).cacheControl?.cacheHint;
              if (!hint) return;
              const fieldAge = info.parentType.getFields()[info.fieldName]?.extensions?.cacheMaxAge;
              const typeAge = getNamedType(info.returnType).extensions?.cacheMaxAge;
              const ages = [fieldAge, typeAge].filter((age): age is number => typeof age === 'number');
              const maxAge = ages.length ? Math.min(...ages) : undefined;
              if (!info.path.prev) hint.restrict({ scope: 'PRIVATE', maxAge });
              else if (maxAge !== undefined) hint.restrict({ maxAge });
            },
          };
        },
      };
    },
  };
}

/** Apollo takes a status from extensions.http only when its headers are a HeaderMap (deskgraph's are a plain object). */
function rethrowForApollo(error: unknown): never {
  const failure = contextFailure(error);
  if (!failure) throw error;
  const { errors } = failure.body as { errors: { message: string; extensions: Record<string, unknown> }[] };
  const http = { status: failure.status, headers: new HeaderMap(Object.entries(failure.headers)) };
  throw new GraphQLError(errors[0]!.message, { extensions: { ...errors[0]!.extensions, http } as Record<string, unknown> });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function serveApollo(runtime: PeerRuntime, options: { cache: boolean }): Promise<RunningPeer> {
  const plugins: ApolloServerPlugin<Context>[] = [ApolloServerPluginLandingPageDisabled()];
  if (options.cache) {
    plugins.push(
      deskgraphHints(),
      ApolloServerPluginCacheControl({ defaultMaxAge: runtime.config.cache.defaultTtlSeconds }),
      responseCachePlugin<Context>({ sessionId: async ({ contextValue }) => contextValue.tokenHash }),
    );
  }
  const apollo = new ApolloServer<Context>({
    schema,
    plugins,
    includeStacktraceInErrorResponses: false,
    logger: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => runtime.logger.warn(args.map(String).join(' ')),
      error: (...args: unknown[]) => runtime.logger.error(args.map(String).join(' ')),
    },
  });
  await apollo.start();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const side = serveSideRoutes(runtime, req, res);
    if (side === true || (side !== false && (await side))) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== '/graphql') return sendJson(res, 404, { errors: [{ message: `Nothing at ${path}`, extensions: { code: 'NOT_FOUND' } }] });
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // As express.json() in front of expressMiddleware/standalone: JSON bodies parsed, anything else left empty.
    let body: unknown = {};
    if (req.method === 'POST') {
      const raw = await readBody(req, runtime.config.maxRequestBytes);
      if (!raw) return sendJson(res, 413, { errors: [{ message: 'Request body too large.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      if (/json/i.test(req.headers['content-type'] ?? '') && raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendJson(res, 400, { errors: [{ message: 'The body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
        }
      }
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: q < 0 ? '' : url.slice(q),
      body,
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => buildContext(runtime, req.headers.authorization).catch(rethrowForApollo),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const server = createServer((req, res) =>
    handle(req, res).catch((error: unknown) => {
      runtime.logger.error({ err: error }, 'request failed outside GraphQL');
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(runtime.config.port, runtime.config.host, () => resolve());
  });
  return {
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}

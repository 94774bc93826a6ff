// The GraphQL half of the request path: yoga with its plugins in order, then the schema. Each plugin
// is one concern in a file of its own; the order is the one thing this file decides.
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type Plugin } from 'graphql-yoga';
import { schema } from '../../schema/index.ts';
import type { Context } from '../../schema/context.ts';
import { createLoaders, type LoaderOptions } from '../../schema/loaders.ts';
import type { Viewer } from '../../identity/viewer.ts';
import type { ViewerCache } from '../auth/viewer-cache.ts';
import { useViewer } from '../auth/use-viewer.ts';
import type { DocumentFactsRegistry } from '../cache/document-facts.ts';
import type { ResponseStore } from '../cache/response-store.ts';
import { useDeskgraphResponseCache, type CacheServerContext } from '../cache/use-response-cache.ts';
import type { CacheWarmer, HotQuery } from '../cache/warmer.ts';
import { useQueryLimits } from '../document-limits/use-query-limits.ts';
import type { CsrfPrevention } from '../protocol/csrf.ts';
import type { CORSOptions } from '@whatwg-node/server';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/database.ts';
import type { LiveHub } from '../live/live-hub.ts';
import { useLiveSubscriptions } from '../live/use-live-subscriptions.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { PersistedDocuments } from '../persisted/persisted-documents.ts';
import { usePersisted } from '../persisted/use-persisted-operations.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import { useLoginLimits } from '../rate-limits/use-login-limits.ts';
import { maskedErrors } from './masked-errors.ts';
import { useBatchLimit } from './use-batch-limit.ts';
import { useConditionalGet } from './use-conditional-get.ts';
import { useErrorCodes } from './use-error-codes.ts';
import { useWriteGuard } from '../cache/use-write-guard.ts';
import { useKnownOperationTypes } from './use-known-operation-types.ts';
import { usePrimaryForMutations } from './use-primary-for-mutations.ts';
import { useRequestParams } from './use-request-params.ts';
import { useResponseMediaType } from './use-response-media-type.ts';
import { useStatementCount, type StatementServerContext } from './use-statement-count.ts';
import { useVariableErrors } from './use-variable-errors.ts';

export type ServerContext = StatementServerContext & CacheServerContext;

export interface GraphQLOptions {
  config: Config;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  loaderOptions: LoaderOptions | undefined;
  persistedDocuments: PersistedDocuments;
  cors: CORSOptions;
  csrf: CsrfPrevention | null;
  rateLimits: RateLimits;
  cache: {
    store: ResponseStore | null;
    facts: DocumentFactsRegistry;
    viewers: ViewerCache | null;
    warmer: CacheWarmer | null;
    announceUncached(tags: readonly string[]): void;
  };
  /** Subscriptions' hub (server/live/); null when LIVE_UPDATES=false. */
  live: LiveHub | null;
  /** The graphql-sse single-connection mode's plugin (server/live/use-single-connection.ts). */
  singleConnection: Plugin;
}

export function createGraphQL({
  config,
  database,
  logger,
  metrics,
  loaderOptions,
  persistedDocuments,
  cors,
  csrf,
  rateLimits,
  cache,
  live,
  singleConnection,
}: GraphQLOptions) {
  return createYoga<ServerContext, Context>({
    schema,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors,
    // Browsers opening /graphql never reach yoga: server/graphiql/ serves GraphiQL (or says it is off).
    graphiql: false,
    landingPage: false,
    cors,
    batching: config.batchLimit > 0 ? { limit: config.batchLimit } : false,
    // No file uploads in this schema: a multipart body is a media type we do not speak (415). yoga's
    // multipart parser would answer a malformed one with the form parser's own message, or with a 200
    // that carries no code when the "operations" field is missing or not JSON.
    multipart: false,
    // handle() has read the body within MAX_REQUEST_KB (413 beyond) before yoga sees it; yoga's own
    // limit would pipe those bytes through a second stream on every POST (~2 % of an uncached request's CPU).
    maxRequestBodySize: false,
    plugins: [
      useRequestParams(),
      // /graphql/stream only: answers the protocol's requests itself, running operations through the
      // enveloped parse, validate, context and subscribe of the plugins below.
      singleConnection,
      ...(csrf ? [csrf.plugin] : []),
      ...usePersisted(config.persisted.mode, persistedDocuments),
      // Before useViewer: a document over a limit is refused before the token lookup.
      useQueryLimits({ limits: config.limits, maxPageSize: config.maxPageSize }),
      useBatchLimit(config.batchLimit),
      useErrorCodes(),
      useKnownOperationTypes(),
      useViewer({
        prisma: database.prisma,
        settings: { maxPageSize: config.maxPageSize, tokenTtlHours: config.tokenTtlHours },
        loaderOptions,
        viewers: cache.viewers,
      }),
      useLoginLimits(rateLimits, config.auth.trustProxyHops, metrics),
      useVariableErrors(),
      useWriteGuard(cache.store, metrics),
      // Compiled once per document (yoga's parse cache hands the same document object to every request
      // of the same text). Documents are validated first, so a compile failure is a graphql-jit bug: its
      // errors are the answer, and the log says which (GRAPHQL_JIT=false is the way out). Before the
      // response cache: its execute wrapper must wrap this one, or it would never see a result to store.
      ...(config.jit
        ? [
            useGraphQlJit(
              {},
              {
                onError: (result) =>
                  logger.error({ errors: result.errors?.map((e) => e.message) }, 'graphql-jit could not compile a document'),
              },
            ),
          ]
        : []),
      // After graphql-jit, which also replaces subscribe: the last plugin to set it wins.
      useLiveSubscriptions({ hub: live, loaders: (viewer) => createLoaders(database.prisma, viewer, loaderOptions) }),
      ...useDeskgraphResponseCache({
        schema,
        store: cache.store,
        facts: cache.facts,
        config: config.cache,
        metrics,
        warmer: cache.warmer,
        announceUncached: (tags) => cache.announceUncached(tags),
      }),
      ...(config.exposeStatementCount ? [useStatementCount()] : []),
      // After every plugin that replaces execute (graphql-jit, live queries, the response cache): it wraps theirs.
      ...(database.replicas ? [usePrimaryForMutations()] : []),
      useResponseMediaType(),
      useConditionalGet(),
    ],
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQL>;

/** Runs a hot query through yoga as the recorded viewer, so the response cache stores its result (warming). */
export async function runInProcess(yoga: GraphQLServer, query: HotQuery): Promise<void> {
  const response = await yoga.fetch(
    'http://in-process/graphql',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: query.query, variables: query.variables, operationName: query.operationName }),
    },
    { statementTally: { count: 0 }, warmViewer: query.viewer, warming: true } as ServerContext & { warmViewer: Viewer | null },
  );
  await response.arrayBuffer();
}

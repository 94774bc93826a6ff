// Composes the request path: HTTP routes, then yoga with its plugins in order, then the schema.
// Reads like a table of contents; each concern lives in its own module.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { schema } from '../schema/index.ts';
import type { Context } from '../schema/context.ts';
import type { LoaderOptions } from '../schema/loaders.ts';
import type { Config } from './platform/config.ts';
import type { Database } from './platform/database.ts';
import { maskedErrors } from './graphql/masked-errors.ts';
import type { Logger } from './platform/logger.ts';
import { withStatementTally, type StatementTally } from './platform/sql-statements.ts';
import { useErrorCodes } from './graphql/use-error-codes.ts';
import { useStatementCount, type StatementServerContext } from './graphql/use-statement-count.ts';
import { useViewer } from './auth/use-viewer.ts';
import { useVariableErrors } from './graphql/use-variable-errors.ts';
import { useQueryLimits } from './document-limits/use-query-limits.ts';
import { useBatchLimit } from './graphql/use-batch-limit.ts';
import { useMalformedParams } from './graphql/use-malformed-params.ts';
import { loadManifest, PersistedDocuments } from './persisted/persisted-documents.ts';
import { usePersisted } from './persisted/use-persisted-operations.ts';
import { ViewerCache } from './auth/viewer-cache.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { fastPathText, readBody } from './http/request-body.ts';
import { compressNodeResponse } from './http/compression.ts';
import { useConditionalGet } from './http/conditional-get.ts';
import { corsHeadersFor, corsOptionsFor } from './http/cors.ts';
import { createCsrfPrevention } from './http/csrf.ts';
import { sendRateLimited } from './rate-limits/rate-limited.ts';
import { createRateLimits } from './rate-limits/rate-limits.ts';
import { tokenLimitWait } from './rate-limits/token-rate-limit.ts';
import { useLoginLimits } from './rate-limits/use-login-limits.ts';
import { serveMetrics } from './http/metrics-endpoint.ts';
import { sendError, sendJson } from './http/send-json.ts';
import { assertClientBuilt } from './web/static-client.ts';
import { createWebClient } from './web/web-client.ts';
import { handleVitals } from './web/vitals.ts';
import { DocumentFactsRegistry } from './cache/document-facts.ts';
import { createRequestMemo, serveFromCache } from './cache/fast-path.ts';
import { ResponseStore } from './cache/response-store.ts';
import { CacheWarmer, type HotQuery } from './cache/warmer.ts';
import { useDeskgraphResponseCache, type CacheProbe, type CacheServerContext, type RequestInfo } from './cache/use-response-cache.ts';

export interface AppOptions {
  config: Config;
  database: Database;
  logger: Logger;
  /** For tests and benchmarks: turn loader batching off to measure the N+1 baseline. */
  loaderOptions?: LoaderOptions;
  /** Defaults to a fresh registry with Node's default metrics. */
  metrics?: Metrics;
  /** Loaded and checked at start (loadPersistedDocuments); none when not given. */
  persistedDocuments?: PersistedDocuments;
}

/** Reads the trusted manifest (when configured) and checks it against the schema; throws naming what is wrong. */
export async function loadPersistedDocuments(config: Config): Promise<PersistedDocuments> {
  const trusted = config.persisted.manifest ? await loadManifest(config.persisted.manifest, schema) : new Map<string, string>();
  const apq = config.persisted.apq && config.persisted.mode === 'allow'
    ? { maxDocuments: config.persisted.apqMaxDocuments, maxDocumentBytes: config.persisted.apqMaxDocumentBytes }
    : null;
  return new PersistedDocuments(trusted, apq);
}

const exampleQuery = `# Sign in first (mutation below), then add the header
#   { "Authorization": "Bearer <token>" }
# and run MyOpenTickets.

mutation SignIn {
  login(email: "agent@acme.test", password: "deskgraph") { token user { name role } }
}

query MyOpenTickets {
  tickets(first: 10, filter: { status: [OPEN, IN_PROGRESS] }) {
    totalCount
    edges { node { id number title priority requester { name } assignee { name } tags { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export function createApp({
  config,
  database,
  logger,
  loaderOptions,
  metrics = createMetrics({ defaultMetrics: true }),
  persistedDocuments = new PersistedDocuments(new Map(), null),
}: AppOptions) {
  // Before anything opens a connection: a missing build is a start-up error that names the fix.
  if (config.web.mode === 'dist') assertClientBuilt(config.web.dir);
  const cacheConfig = config.cache;
  // The cache and the rate limits share one Redis (each with its own connection).
  const redisTarget = cacheConfig.redisUrl
    ? { url: cacheConfig.redisUrl, keyPrefix: cacheConfig.keyPrefix, timeoutMs: cacheConfig.redisTimeoutMs }
    : null;
  const store = cacheConfig.enabled
    ? new ResponseStore({
        l1MaxEntries: cacheConfig.l1MaxEntries,
        l1MaxBytes: cacheConfig.l1MaxBytes,
        redis: redisTarget,
        logger: logger.child({ component: 'cache' }),
        metrics,
      })
    : null;
  const viewers = store ? new ViewerCache(() => store.usable) : null;
  if (store && viewers) store.onInvalidate((tags) => viewers.apply(tags));
  const facts = new DocumentFactsRegistry();
  const cors = corsOptionsFor(config.auth.corsOrigins);
  const csrf = createCsrfPrevention(config.auth.csrfPrevention);
  const rateLimits = createRateLimits(config.auth, redisTarget, logger);
  const warmer = store && cacheConfig.warm
    ? new CacheWarmer(store, (query) => runInProcess(query), { top: cacheConfig.warmTop, logger })
    : null;
  const fastPath = store && viewers && cacheConfig.fastPath
    ? {
        store,
        facts,
        viewers,
        metrics,
        metadata: cacheConfig.metadata,
        statementCount: config.exposeStatementCount,
        warmer,
        persisted: { mode: config.persisted.mode, documents: persistedDocuments },
        memo: createRequestMemo(),
        cors,
        csrf,
      }
    : null;

  const yoga = createYoga<StatementServerContext & CacheServerContext, Context>({
    schema,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors,
    graphiql: config.graphiql ? { title: 'deskgraph', defaultQuery: exampleQuery } : false,
    landingPage: false,
    cors,
    batching: config.batchLimit > 0 ? { limit: config.batchLimit } : false,
    // handle() has read the body within MAX_REQUEST_KB (413 beyond) before yoga sees it; yoga's own
    // limit would pipe those bytes through a second stream on every POST (~2 % of an uncached request's CPU).
    maxRequestBodySize: false,
    plugins: [
      ...(csrf ? [csrf.plugin] : []),
      ...usePersisted(config.persisted.mode, persistedDocuments),
      // Before useViewer: a document over a limit is refused before the token lookup.
      useQueryLimits({ limits: config.limits, maxPageSize: config.maxPageSize }),
      useBatchLimit(config.batchLimit),
      useMalformedParams(),
      useErrorCodes(),
      useViewer({
        prisma: database.prisma,
        settings: { maxPageSize: config.maxPageSize, tokenTtlHours: config.tokenTtlHours },
        loaderOptions,
        viewers,
      }),
      useLoginLimits(rateLimits, config.auth.trustProxyHops, metrics),
      useVariableErrors(),
      // Compiled once per document (yoga's parse cache hands the same document object to every request
      // of the same text). Documents are validated first, so a compile failure is a graphql-jit bug: its
      // errors are the answer, and the log says which (GRAPHQL_JIT=false is the way out). Before the
      // response cache: its execute wrapper must wrap this one, or it would never see a result to store.
      ...(config.jit ? [useGraphQlJit({}, { onError: (result) => logger.error({ errors: result.errors?.map((e) => e.message) }, 'graphql-jit could not compile a document') })] : []),
      ...useDeskgraphResponseCache({ schema, store, facts, config: cacheConfig, metrics, warmer }),
      ...(config.exposeStatementCount ? [useStatementCount()] : []),
      useConditionalGet(),
    ],
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? undefined : url.slice(q + 1);
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') return ready(res);
    if (path === '/metrics') {
      metrics.cacheL1Entries.set(store?.l1.size ?? 0);
      metrics.cacheL1Bytes.set(store?.l1.bytes ?? 0);
      return serveMetrics(req, res, metrics.registry);
    }
    if (path === '/vitals') return handleVitals(req, res, metrics);
    if (path !== '/graphql') {
      if (web) return web.handle(req, res);
      if (path === '/') {
        res.writeHead(302, { location: '/graphql' }).end();
        return;
      }
      return sendError(res, 404, `Nothing at ${path}: the API is at /graphql (the web client is off, WEB_CLIENT=off).`, 'NOT_FOUND');
    }
    const started = performance.now();
    const body = await readBody(req, config.maxRequestBytes);
    if (body.kind === 'too-large') {
      return sendError(res, 413, `The request body is larger than ${config.maxRequestBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    }
    // Per token and before the fast path: a cache hit spends the same budget as an executed query.
    const authorization = req.headers.authorization;
    if (rateLimits.token && authorization) {
      const wait = await tokenLimitWait(rateLimits.token, authorization, viewers);
      if (wait !== null) {
        metrics.rateLimited.inc({ limit: 'token' });
        return sendRateLimited(res, wait, corsHeadersFor(req, cors));
      }
    }
    let cacheProbe: CacheProbe | undefined;
    if (fastPath && path === '/graphql') {
      const text = req.method === 'GET' ? (query ?? null) : body.kind === 'read' ? fastPathText(req, body.raw) : null;
      if (text) {
        let outcome = serveFromCache(req, res, { kind: req.method === 'GET' ? 'get' : 'post', text }, fastPath);
        if (outcome instanceof Promise) outcome = await outcome;
        // Hits are counted (deskgraph_cache_hits_total) but not timed: the histogram would cost a
        // noticeable share of what a hit costs.
        if (outcome.served) return;
        cacheProbe = outcome.probe;
      }
    }
    const requestInfo: RequestInfo = { executed: false, operation: null, cache: 'none' };
    compressNodeResponse(req, res);
    const statementTally: StatementTally = { count: 0 };
    await withStatementTally(statementTally, () => yoga.handle(req, res, { statementTally, cacheProbe, requestInfo }));
    if (requestInfo.executed) {
      const operation = metrics.operationLabel(requestInfo.operation);
      metrics.requestDuration.observe({ operation, cache: requestInfo.cache }, (performance.now() - started) / 1000);
      metrics.sqlStatements.observe({ operation }, statementTally.count);
    }
  }

  // Warming goes through yoga like any request (so the plugin stores the result), as the recorded viewer.
  async function runInProcess(query: HotQuery): Promise<void> {
    const response = await yoga.fetch(
      'http://in-process/graphql',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: query.query, variables: query.variables, operationName: query.operationName }),
      },
      { statementTally: { count: 0 }, warmViewer: query.viewer } as StatementServerContext & CacheServerContext,
    );
    await response.arrayBuffer();
  }

  async function ready(res: ServerResponse): Promise<void> {
    const [databaseOk, cacheOk] = await Promise.all([
      database.prisma.$queryRaw`SELECT 1`.then(() => true, () => false),
      store?.redis ? store.redis.ping() : Promise.resolve(true),
    ]);
    const cache = !store ? 'off' : !store.redis ? 'memory' : cacheOk && store.usable ? 'ok' : 'degraded';
    // A degraded cache is not a reason to take the instance out of rotation: it answers from the database.
    if (!databaseOk) return sendJson(res, 503, { status: 'unavailable', database: 'unreachable', cache });
    return sendJson(res, 200, { status: 'ready', database: 'ok', cache });
  }

  // Requests still running when we are asked to stop finish first: a mutation that committed must get
  // to invalidate, and nothing may touch the database after it is closed.
  let inFlight = 0;
  let drained: (() => void) | null = null;
  // Set by close(): the listener is closed, so only requests on connections already open get here.
  let draining = false;
  const server: Server = createServer((req, res) => {
    // Counted until the response is written out ('close'), not until handle() returns: closing the
    // connections after the drain must not drop bytes still queued, nor a 503 queued behind them.
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    if (draining) return refuseWhileDraining(req, res);
    handle(req, res)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'request failed outside GraphQL');
        if (!res.headersSent) sendError(res, 500, 'Unexpected error.', 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
  });
  // A request on a kept-alive connection while we drain: answered at once, and the connection closed
  // so the client's next attempt opens a new one (on another instance). /ready says so to the balancer.
  let refused = 0;
  function refuseWhileDraining(req: IncomingMessage, res: ServerResponse): void {
    // The first one is logged, the rest counted (close() logs the total): a busy drain must not flood the log.
    if (refused++ === 0) logger.info({ path: req.url }, 'refused a request while draining (503, connection closed)');
    const headers = { connection: 'close', 'retry-after': '1' };
    if (req.url === '/health') return sendJson(res, 200, { status: 'ok' }, headers);
    if (req.url === '/ready') return sendJson(res, 503, { status: 'draining' }, headers);
    return sendError(res, 503, 'This server is shutting down; retry the request.', 'SERVICE_UNAVAILABLE', headers);
  }

  // After the server exists: in vite mode, HMR's websocket shares its port. (handle() reads it only
  // once requests arrive, after listen().)
  const web = createWebClient(config.web, server);

  return {
    yoga,
    server,
    store,
    metrics,
    warmer,
    /** Starts listening; resolves with the URL of the GraphQL endpoint. */
    async listen(port = config.port, host = config.host): Promise<string> {
      await web?.ready;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === 'localhost' ? 'localhost' : shownHost}:${address.port}/graphql`;
    },
    /**
     * Stops accepting connections, answers requests on open ones with 503, waits up to drainTimeoutMs
     * for those in flight, then closes every connection, the cache and its timers. Resolves with how
     * many requests were still running at the deadline (their connections are cut).
     */
    async close(drainTimeoutMs = 10_000): Promise<{ cutOff: number }> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) {
        logger.info({ inFlight, drainTimeoutMs }, 'draining: waiting for requests in flight');
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, drainTimeoutMs).unref();
        });
      }
      const cutOff = inFlight;
      if (cutOff > 0) logger.warn({ cutOff, drainTimeoutMs }, 'drain deadline passed: cutting off the requests still running');
      if (refused > 0) logger.info({ refused }, 'requests refused while draining');
      server.closeAllConnections();
      await web?.close(); // before waiting for the server: Vite's HMR sockets are upgraded connections it no longer tracks
      await closed;
      await yoga.dispose();
      warmer?.close();
      await store?.close();
      await rateLimits.close();
      return { cutOff };
    },
  };
}

// Composes deskgraph: HTTP routes → the GraphQL route (body, token limit, cache-hit stage) → yoga
// with its plugins → the schema → loaders → Prisma. Each part is built by the room that owns it;
// this file only wires them, in the order they depend on each other.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema } from '../schema/index.ts';
import type { LoaderOptions } from '../schema/loaders.ts';
import { createResponseCache } from './cache/create-response-cache.ts';
import { createGraphQL, runInProcess } from './graphql/yoga.ts';
import { corsOptionsFor } from './protocol/cors.ts';
import { createCsrfPrevention } from './protocol/csrf.ts';
import { serveWithDrain } from './http/drain.ts';
import { createGraphiQLRoute } from './graphiql/graphiql-route.ts';
import { createGraphQLRoute } from './http/graphql-route.ts';
import { createReadiness } from './http/readiness.ts';
import { createRouter } from './http/routes.ts';
import { createStreamRoute } from './http/stream-route.ts';
import { createTokenGate } from './http/token-gate.ts';
import { LiveHub } from './live/live-hub.ts';
import { createSingleConnection } from './live/use-single-connection.ts';
import { loadManifest, PersistedDocuments } from './persisted/persisted-documents.ts';
import { REGISTRY_TOPIC } from './persisted/registry/registry-notice.ts';
import { RegistrySync } from './persisted/registry/registry-sync.ts';
import type { Config } from './platform/config.ts';
import type { Database } from './platform/database.ts';
import type { ReplicaSet } from './platform/replicas/replica-set.ts';
import type { Logger } from './platform/logger.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { createRateLimits } from './rate-limits/rate-limits.ts';
import { createWebClient } from './web/web-client.ts';

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
  const apq =
    config.persisted.apq && config.persisted.mode === 'allow'
      ? { maxDocuments: config.persisted.apqMaxDocuments, maxDocumentBytes: config.persisted.apqMaxDocumentBytes }
      : null;
  return new PersistedDocuments(trusted, apq);
}

function showLiveCounts(metrics: Metrics, live: LiveHub): void {
  const { subscribers, groups, runs, deliveries } = live.counts;
  metrics.liveSubscriptions.set(subscribers);
  metrics.liveGroups.set(groups);
  metrics.liveRuns.reset();
  metrics.liveRuns.inc(runs);
  metrics.liveDeliveries.reset();
  metrics.liveDeliveries.inc(deliveries);
}

function showReplicas(metrics: Metrics, set: ReplicaSet): void {
  for (const replica of set.replicas) {
    metrics.dbReplicaUp.set({ replica: replica.name }, replica.inService ? 1 : 0);
    metrics.dbReplicaLag.set({ replica: replica.name }, (replica.lagMs ?? 0) / 1000);
  }
  metrics.dbReads.reset();
  metrics.dbReads.inc({ target: 'replica', reason: 'fresh' }, set.reads.replica);
  for (const [reason, count] of Object.entries(set.reads.primary)) metrics.dbReads.inc({ target: 'primary', reason }, count);
}

export function createApp({
  config,
  database,
  logger,
  loaderOptions,
  metrics = createMetrics({ defaultMetrics: true }),
  persistedDocuments = new PersistedDocuments(new Map(), null),
}: AppOptions) {
  const server = createServer();
  // First: a missing client build is a start-up error that names the fix, before any connection opens.
  // In vite mode, HMR's websocket shares the server's port.
  const web = createWebClient(config.web, server);
  // The cache and the rate limits share one Redis (each with its own connection).
  const redisTarget = config.cache.redis
    ? {
        target: config.cache.redis,
        keyPrefix: config.cache.keyPrefix,
        timeoutMs: config.cache.redisTimeoutMs,
        confirmMs: config.cache.writeConfirmMs,
      }
    : null;
  // Warming runs queries through yoga, which is built with the warmer: it is only called once both exist.
  const cache = createResponseCache(config.cache, { redis: redisTarget, logger, metrics, run: (query) => runInProcess(yoga, query) });
  const cors = corsOptionsFor(config.auth.corsOrigins);
  const csrf = createCsrfPrevention(config.auth.csrfPrevention);
  const rateLimits = createRateLimits(config.auth, redisTarget, logger);
  // Third-party clients' documents (npm run operations -- push): read from the database, kept in step
  // through the cache's Redis bus and a periodic check (server/persisted/registry/).
  const registry =
    config.persisted.mode === 'off'
      ? null
      : new RegistrySync({ documents: persistedDocuments, prisma: database.prisma, refreshMs: config.persisted.registryRefreshMs, logger });
  if (registry) cache.store?.redis?.onNotice(REGISTRY_TOPIC, (client) => registry.notified(client));
  // Live updates ride the cache's invalidations: this instance's writes and, through the bus, every other's.
  const live = config.live.enabled ? new LiveHub(config.live, logger.child({ component: 'live' })) : null;
  if (live) cache.onInvalidate((tags) => live.invalidated(tags));
  const singleConnection = createSingleConnection(config.live.reservationTtlMs, logger.child({ component: 'live' }));
  const yoga = createGraphQL({
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
    singleConnection: singleConnection.plugin,
  });
  singleConnection.connect(async (url, init) => yoga.fetch(url, init));
  const stream = createStreamRoute({
    yoga,
    maxRequestBytes: config.maxRequestBytes,
    cors,
    csrf,
    spendTokenLimit: createTokenGate({ tokenLimit: rateLimits.token, viewers: cache.viewers, metrics, cors }),
    persisted: { mode: config.persisted.mode, documents: persistedDocuments },
    singleConnection,
  });
  const graphql = createGraphQLRoute({
    yoga,
    metrics,
    maxRequestBytes: config.maxRequestBytes,
    cors,
    tokenLimit: rateLimits.token,
    viewers: cache.viewers,
    fastPath: cache.fastPath({
      metadata: config.cache.metadata,
      statementCount: config.exposeStatementCount,
      persisted: { mode: config.persisted.mode, documents: persistedDocuments },
      cors,
      csrf,
    }),
  });
  const graphiql = createGraphiQLRoute({
    enabled: config.graphiql,
    nodeEnv: config.nodeEnv,
    persistedMode: config.persisted.mode,
    csrfPrevention: config.auth.csrfPrevention,
    webClient: web !== null,
    documents: persistedDocuments,
  });
  const route = createRouter({
    graphql,
    stream: stream.handle,
    graphiql,
    ready: createReadiness(database, cache.store),
    metrics,
    beforeScrape: () => {
      metrics.cacheL1Entries.set(cache.store?.l1.size ?? 0);
      metrics.cacheL1Bytes.set(cache.store?.l1.bytes ?? 0);
      if (live) showLiveCounts(metrics, live);
      if (database.replicas) showReplicas(metrics, database.replicas);
    },
    web,
  });
  const drain = serveWithDrain(server, route, logger);

  return {
    yoga,
    server,
    store: cache.store,
    live,
    singleConnection,
    metrics,
    warmer: cache.warmer,
    /** Starts listening; resolves with the URL of the GraphQL endpoint. */
    async listen(port = config.port, host = config.host): Promise<string> {
      await web?.ready;
      await registry?.start();
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
    /** Stays in service for leaveMs while /ready answers 503, so a load balancer takes this instance out first. */
    leaveRotation: (leaveMs: number): Promise<void> => drain.leave(leaveMs),
    /**
     * Stops accepting connections, answers requests on open ones with 503, waits up to drainTimeoutMs
     * for those in flight, then closes every connection, the cache and its timers. Resolves with how
     * many requests were still running at the deadline (their connections are cut).
     */
    async close(drainTimeoutMs = 10_000): Promise<{ cutOff: number }> {
      // Open subscriptions would hold the drain to its deadline: they end first, telling their clients to
      // subscribe again (elsewhere).
      live?.close();
      await stream.close();
      // Vite's HMR sockets are upgraded connections the server no longer tracks: closed before waiting for it.
      const { cutOff } = await drain.close(drainTimeoutMs, async () => web?.close());
      registry?.close();
      await yoga.dispose();
      await cache.close();
      await rateLimits.close();
      return { cutOff };
    },
  };
}

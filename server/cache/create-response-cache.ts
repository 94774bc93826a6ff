// The response cache's parts for one app: the store (L1, and L2 + bus with Redis), the token → viewer
// cache that invalidations also reach, what is known of each document, optional warming, and the
// cache-hit stage's options. Null parts when RESPONSE_CACHE=false, except the token → viewer cache of a
// single instance without Redis: every logout it must forget runs in its own process.
import { ViewerCache } from '../auth/viewer-cache.ts';
import type { CacheConfig } from './cache-config.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { observeLsn } from '../platform/replicas/read-floor.ts';
import { DocumentFactsRegistry } from './document-facts.ts';
import { createRequestMemo, type FastPathOptions } from './fast-path.ts';
import { ResponseStore, type RedisStoreSettings } from './response-store.ts';
import { CacheWarmer, type RunQuery } from './warmer.ts';

export interface ResponseCacheDeps {
  redis: RedisStoreSettings | null;
  logger: Logger;
  metrics: Metrics;
  /** How the warmer runs a hot query (through yoga). */
  run: RunQuery;
}

type InvalidationListener = (tags: readonly string[] | 'all') => void;

/** What the hit stage needs beyond the cache's own parts: how responses are sent and who may have them. */
export type HitStageSettings = Pick<FastPathOptions, 'metadata' | 'statementCount' | 'persisted' | 'cors' | 'csrf'>;

export function createResponseCache(config: CacheConfig, { redis, logger, metrics, run }: ResponseCacheDeps) {
  const store = config.enabled
    ? new ResponseStore({
        l1MaxEntries: config.l1MaxEntries,
        l1MaxBytes: config.l1MaxBytes,
        redis,
        logger: logger.child({ component: 'cache' }),
        metrics,
      })
    : null;
  // Another instance's write is applied here before it is acknowledged (CACHE.md), so raising the read
  // floor on its message means no read after the acknowledgement goes to a replica that lacks it.
  store?.onRemoteLsn(observeLsn);
  // Without a store (RESPONSE_CACHE=false) nothing is evicted, but writes still reach whoever listens
  // to invalidations (the viewer cache, live updates), on this instance only: the bus is the store's.
  const uncachedListeners = new Set<InvalidationListener>();
  const onInvalidate = (listener: InvalidationListener): void => {
    if (store) store.onInvalidate(listener);
    else uncachedListeners.add(listener);
  };
  // With Redis but no response cache there is no bus to hear another instance's logout: no viewer cache.
  const viewers = config.viewerCache && (store || !redis) ? new ViewerCache(() => store?.usable ?? true) : null;
  if (viewers) onInvalidate((tags) => viewers.apply(tags));
  const facts = new DocumentFactsRegistry();
  const warmer =
    store && config.warm
      ? new CacheWarmer(store, run, {
          top: config.warmTop,
          concurrency: config.warmConcurrency,
          maxBusy: config.warmMaxBusyPercent / 100,
          logger,
          metrics,
        })
      : null;

  return {
    store,
    viewers,
    facts,
    warmer,
    /** Calls `listener` with the tags of every invalidation: this instance's writes and, with Redis, every other's ('all' after an outage). */
    onInvalidate,
    /** How a write's tags reach the listeners when there is no store to invalidate. */
    announceUncached(tags: readonly string[]): void {
      for (const listener of uncachedListeners) listener(tags);
    },
    /** The cache-hit stage's options; null when it is off (CACHE_FAST_PATH=false) or there is no cache. */
    fastPath(settings: HitStageSettings): FastPathOptions | null {
      if (!store || !viewers || !config.fastPath) return null;
      return { ...settings, store, facts, viewers, metrics, warmer, memo: createRequestMemo() };
    },
    async close(): Promise<void> {
      warmer?.close();
      await store?.close();
    },
  };
}

// Cache warming (CACHE_WARM): counts how often each cacheable query is asked for and, when an
// invalidation drops entries from L1, re-runs at once the dropped entries that are hot, a few at a time,
// so that the readers who come next find them cached (or join the warming's flight instead of executing
// themselves). With Redis the hot list is saved there too, so a starting instance warms up from what
// the instances before it served. See server/CACHE.md, "Warming".
import { LRUCache } from 'lru-cache';
import { EventLoopBusy } from '../platform/event-loop-busy.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { Viewer } from '../../identity/viewer.ts';
import { cacheShard } from './cache-key.ts';
import type { ResponseStore } from './response-store.ts';

export interface HotQuery {
  key: string;
  query: string;
  variables: unknown;
  operationName: string | null;
  /** Any viewer of the key's scope: they all get the same result. */
  viewer: Viewer | null;
  count: number;
  /** Client requests since the warmer last ran it: none means its last warming was never read. */
  sinceWarm?: number;
}

/** Runs a query in process as a given viewer (server/app.ts supplies it; it goes through yoga and the cache). */
export type RunQuery = (query: HotQuery) => Promise<void>;

export interface WarmerOptions {
  /** How many of the most requested queries count as hot. */
  top: number;
  /** How many warming executions may run at once. */
  concurrency: number;
  /** Event loop utilization (0–1) above which evicted keys are not warmed: the clients need the loop. */
  maxBusy: number;
  logger: Logger;
  metrics: Metrics;
}

/** The hot set is recomputed at most this often; counts are halved then, so it follows recent traffic. */
const HOT_REFRESH_MS = 1_000;
/** A warming whose result a concurrent write refused is tried again, at most this many times in a row. */
const MAX_ATTEMPTS = 3;
/** A query asked for less than about once every two seconds lately is not worth an execution per write. */
const MIN_COUNT = 1;

export class CacheWarmer {
  private readonly counts = new LRUCache<string, HotQuery>({ max: 2000 });
  private hot = new Set<string>();
  private hotAt = 0;
  /** Keys waiting for a warming slot → attempts made so far. */
  private readonly queue = new Map<string, number>();
  private readonly running = new Set<string>();
  /** Invalidations seen; a warming that overlapped one and left nothing in L1 is retried. */
  private invalidations = 0;
  private saver: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly load: EventLoopBusy;

  constructor(
    private readonly store: ResponseStore,
    private readonly run: RunQuery,
    private readonly options: WarmerOptions,
  ) {
    this.load = new EventLoopBusy();
    store.onInvalidate(() => (this.invalidations += 1));
    store.onEvicted((keys) => this.evicted(keys));
  }

  /**
   * A client asked for `key` (the warmer's own runs are not recorded). Called on every hit: what the
   * query is, is copied only the first time.
   */
  record(key: string, params: { query: string; variables?: unknown; operationName?: string | null }, viewer: Viewer | null): void {
    const known = this.counts.get(key);
    if (known) {
      known.count += 1;
      known.sinceWarm = (known.sinceWarm ?? 0) + 1;
    } else {
      const { query, variables = null, operationName = null } = params;
      this.counts.set(key, { key, query, variables, operationName, viewer, count: 1, sinceWarm: 1 });
    }
  }

  top(): HotQuery[] {
    return [...this.counts.values()].sort((a, b) => b.count - a.count).slice(0, this.options.top);
  }

  /** Whether a warming execution is queued or running (tests wait for it). */
  get busy(): boolean {
    return this.queue.size > 0 || this.running.size > 0;
  }

  /** At start: the hot list the other instances saved, queued once. */
  async warmFromShared(): Promise<number> {
    const saved = await this.store.redis?.loadJson<HotQuery[]>('hot');
    if (!Array.isArray(saved)) return 0;
    let queued = 0;
    for (const query of saved) {
      if (!this.counts.has(query.key)) this.counts.set(query.key, query);
      if ((await this.store.lookup(query.key, cacheShard(query.viewer))).entry) continue;
      this.enqueue(query.key, 0);
      queued += 1;
    }
    this.pump();
    return queued;
  }

  /** Saves the hot list for instances that start later (every 30 s while running). */
  startSharing(): void {
    if (!this.store.redis || this.saver) return;
    this.saver = setInterval(() => void this.store.redis?.saveJson('hot', this.top(), 24 * 3600 * 1000), 30_000);
    this.saver.unref();
  }

  close(): void {
    this.closed = true;
    this.load.close();
    this.queue.clear();
    if (this.saver) clearInterval(this.saver);
  }

  // Called once the invalidation is done (for a local write, after Redis took it: a fill read before
  // would be refused), with exactly the keys L1 dropped. A burst of writes lands in the queue while the
  // slots are busy and each key runs once for all of them.
  private evicted(keys: readonly string[]): void {
    if (this.closed || keys.length === 0) return;
    const hot = this.hotKeys();
    // A key written more often than read would be executed for nobody: it is warmed again only once a
    // client asked for it since its last warming (then a warming costs about what that client's miss would have).
    const wanted = keys.filter((key) => hot.has(key) && (this.counts.peek(key)?.sinceWarm ?? 0) > 0);
    if (wanted.length === 0) return;
    // Saturated, a run read by nobody before the next write is a client request not served; the first
    // client to miss executes it instead (bench/README.md, the mix's warming rows).
    if (this.load.utilization() > this.options.maxBusy) {
      this.options.metrics.cacheWarms.inc({ outcome: 'skipped_busy' }, wanted.length);
      return;
    }
    for (const key of wanted) this.enqueue(key, 0);
    this.pump();
  }

  private enqueue(key: string, attempts: number): void {
    if (!this.queue.has(key)) this.queue.set(key, attempts);
  }

  private pump(): void {
    for (const [key, attempts] of this.queue) {
      if (this.running.size >= this.options.concurrency) return;
      // Running already: its result may predate this eviction; it stays queued and runs after.
      if (this.running.has(key)) continue;
      this.queue.delete(key);
      const query = this.counts.peek(key);
      if (query) this.start(query, attempts + 1);
    }
  }

  private start(query: HotQuery, attempts: number): void {
    this.running.add(query.key);
    query.sinceWarm = 0;
    const seenBefore = this.invalidations;
    const { metrics, logger } = this.options;
    // The response is sent before its result is stored (in Redis, then L1): wait for the store too.
    void this.run(query)
      .then(() => this.store.flightOver(query.key))
      .then(
        () => {
          const stored = this.store.l1.has(query.key);
          metrics.cacheWarms.inc({ outcome: stored ? 'stored' : 'not_stored' });
          // A write during the run refuses its result (CACHE.md, "Reads racing a write"): run it again.
          if (!stored && this.invalidations !== seenBefore && attempts < MAX_ATTEMPTS) this.enqueue(query.key, attempts);
        },
        (error: unknown) => {
          metrics.cacheWarms.inc({ outcome: 'failed' });
          logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'cache warming query failed');
        },
      )
      .finally(() => {
        this.running.delete(query.key);
        if (!this.closed) this.pump();
      });
  }

  private hotKeys(): Set<string> {
    const now = Date.now();
    if (now - this.hotAt < HOT_REFRESH_MS) return this.hot;
    this.hotAt = now;
    this.hot = new Set(
      this.top()
        .filter((q) => q.count >= MIN_COUNT)
        .map((q) => q.key),
    );
    for (const query of this.counts.values()) query.count /= 2;
    return this.hot;
  }
}

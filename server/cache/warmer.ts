// Optional cache warming (CACHE_WARM): counts how often each cacheable query is asked for, and after an
// invalidation re-runs the most requested ones whose entries are gone, so the next client finds them
// cached. With Redis the list is saved there too, so a starting instance warms up from what the
// instances before it served.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../platform/logger.ts';
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
}

/** Runs a query in process as a given viewer (server/app.ts supplies it; it goes through yoga and the cache). */
export type RunQuery = (query: HotQuery) => Promise<void>;

export class CacheWarmer {
  private readonly counts = new LRUCache<string, HotQuery>({ max: 2000 });
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private saver: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ResponseStore,
    private readonly run: RunQuery,
    private readonly options: { top: number; logger: Logger },
  ) {
    store.onInvalidate(() => this.schedule());
  }

  record(key: string, query: Omit<HotQuery, 'key' | 'count'>): void {
    const known = this.counts.get(key);
    if (known) known.count += 1;
    else this.counts.set(key, { ...query, key, count: 1 });
  }

  top(): HotQuery[] {
    return [...this.counts.values()].sort((a, b) => b.count - a.count).slice(0, this.options.top);
  }

  /** Re-runs the hot queries whose entries are gone; returns how many it ran. */
  async warm(queries: HotQuery[] = this.top()): Promise<number> {
    if (this.running || !this.store.usable) return 0;
    this.running = true;
    let ran = 0;
    try {
      for (const query of queries) {
        if ((await this.store.lookup(query.key, cacheShard(query.viewer))).entry) continue;
        await this.run(query).catch((error: unknown) =>
          this.options.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'cache warming query failed'),
        );
        ran += 1;
      }
    } finally {
      this.running = false;
    }
    return ran;
  }

  /** At start: the hot list the other instances saved, run once. */
  async warmFromShared(): Promise<number> {
    const saved = await this.store.redis?.loadJson<HotQuery[]>('hot');
    if (!Array.isArray(saved)) return 0;
    for (const query of saved) if (!this.counts.has(query.key)) this.counts.set(query.key, query);
    return this.warm(saved);
  }

  /** Saves the hot list for instances that start later (every 30 s while running). */
  startSharing(): void {
    if (!this.store.redis || this.saver) return;
    this.saver = setInterval(() => void this.store.redis?.saveJson('hot', this.top(), 24 * 3600 * 1000), 30_000);
    this.saver.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.saver) clearInterval(this.saver);
  }

  // Invalidations come in bursts (a bulk update, a busy minute): warm once they settle.
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.warm();
    }, 100);
    this.timer.unref();
  }
}

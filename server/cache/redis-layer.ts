// The shared layer: responses in Redis under the current epoch, stored and invalidated by the scripts
// in redis-scripts.ts, invalidations announced on the bus (redis-bus.ts), and nothing sent while
// redis-health.ts says Redis cannot be relied on. See server/CACHE.md for the reasoning.
import { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { EPOCH_MESSAGE_PREFIX, InvalidationBus } from './redis-bus.ts';
import { RedisHealth } from './redis-health.ts';
import {
  bumpEpoch,
  CacheKeys,
  invalidateTags,
  storeIfCurrent,
  withScripts,
  type ScriptedRedis,
  type StoreRequest,
} from './redis-scripts.ts';

const MAX_PENDING_TAGS = 10_000;
// Owed invalidations go out in scripts of this many tags: each is one blocking script run in Redis.
const RECOVERY_BATCH_TAGS = 200;

export interface RedisLayerOptions {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Another instance invalidated these tags (or moved the epoch): drop local copies. */
  onRemoteInvalidation(tags: string[] | 'all'): void;
  /** This layer became unusable or usable again; while down the in-process layer must not be trusted. */
  onHealthChange(healthy: boolean): void;
}

export class RedisLayer {
  private readonly cmd: ScriptedRedis;
  private readonly sub: Redis;
  private readonly keys: CacheKeys;
  private readonly bus: InvalidationBus;
  private readonly health: RedisHealth;
  private epoch = '0';
  /** Tags whose invalidation could not reach Redis; delivered before the layer is used again. */
  private readonly pending = new Set<string>();
  private pendingOverflow = false;
  private readonly noticeHandlers = new Map<string, (payload: string) => void>();

  constructor(private readonly options: RedisLayerOptions) {
    const common = {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1000, options.timeoutMs * 4),
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
      lazyConnect: false,
    };
    this.keys = new CacheKeys(options.keyPrefix);
    this.cmd = withScripts(new Redis(options.url, { ...common, enableOfflineQueue: false }));
    this.sub = new Redis(options.url, { ...common, commandTimeout: undefined, enableOfflineQueue: true });
    this.health = new RedisHealth(this.cmd, this.sub, {
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      restore: () => this.restore(),
      onChange: (healthy) => options.onHealthChange(healthy),
    });
    this.bus = new InvalidationBus(this.sub, this.keys.channel, {
      onTags: (tags) => options.onRemoteInvalidation(tags),
      onEpoch: (epoch) => {
        this.epoch = epoch;
        options.onRemoteInvalidation('all');
      },
      onNotice: (topic, payload) => this.noticeHandlers.get(topic)?.(payload),
    });
  }

  /** Calls `handler` with the payload of every notice of `topic` sent on the bus (publishNotice). */
  onNotice(topic: string, handler: (payload: string) => void): void {
    this.noticeHandlers.set(topic, handler);
  }

  /** Whether what this layer (and L1 with it) holds may be served right now. */
  get isHealthy(): boolean {
    return this.health.trusted;
  }

  /** Resolves once the layer is usable (or after timeoutMs); for start-up and tests. */
  whenHealthy(timeoutMs = 5000): Promise<boolean> {
    return this.health.whenHealthy(timeoutMs);
  }

  /** The entry (or null) and the invalidation sequence number as of this read, in one round trip. */
  async get(key: string): Promise<{ payload: Buffer | null; seq: number; epoch: string } | null> {
    if (!this.health.healthy) return null;
    const epoch = this.epoch;
    try {
      const [payload, seq] = await this.cmd.mgetBuffer(this.keys.entry(key, epoch), this.keys.seq);
      this.health.readSucceeded();
      return { payload: payload ?? null, seq: seq ? Number(seq.toString()) : 0, epoch };
    } catch (error) {
      this.health.readFailed('get', error);
      return null;
    }
  }

  /** Stores unless the epoch moved or an invalidation of one of the tags happened since the read (seq, epoch). */
  async store(
    key: string,
    payload: Buffer,
    tags: readonly string[],
    ttlMs: number,
    seq: number,
    epoch: string,
  ): Promise<'stored' | 'raced' | 'failed'> {
    if (!this.health.healthy) return 'failed';
    if (epoch !== this.epoch) return 'raced';
    const request: StoreRequest = { key, payload, tags, ttlMs, seq, epoch };
    try {
      const outcome = await storeIfCurrent(this.cmd, this.keys, request);
      if (outcome !== 'epoch-moved') return outcome;
      await this.refreshEpoch();
      return 'raced';
    } catch (error) {
      this.health.fail('store', error);
      return 'failed';
    }
  }

  /** Invalidates in Redis and announces it; when Redis cannot be reached, remembers the tags for later. */
  async invalidate(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    if (!this.health.healthy) return this.owe(tags);
    try {
      return await this.runInvalidation(tags);
    } catch (error) {
      this.health.fail('invalidate', error);
      return this.owe(tags);
    }
  }

  /** Small shared documents (the warmer's hot list); failures just mean "nothing saved". */
  async saveJson(name: string, value: unknown, ttlMs: number): Promise<void> {
    if (!this.health.healthy) return;
    await this.cmd.set(this.keys.doc(name), JSON.stringify(value), 'PX', ttlMs).catch(() => {});
  }

  async loadJson<T>(name: string): Promise<T | null> {
    if (!this.health.healthy) return null;
    const text = await this.cmd.get(this.keys.doc(name)).catch(() => null);
    try {
      return text ? (JSON.parse(text) as T) : null;
    } catch {
      return null;
    }
  }

  /** For the readiness probe. */
  async ping(): Promise<boolean> {
    try {
      return (await this.cmd.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.health.close();
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private runInvalidation(tags: readonly string[]): Promise<number> {
    return this.bus.announce(tags, this.options.timeoutMs, async (message) => {
      const evicted = await invalidateTags(this.cmd, this.keys, tags, message);
      if (evicted > 0) this.options.metrics.cacheEvictions.inc({ layer: 'l2', reason: 'invalidated' }, evicted);
      return evicted;
    });
  }

  // Kept for recovery; the mutation then waits out the lease, so by the time it returns every instance
  // that cannot reach Redis has stopped serving from L1.
  private async owe(tags: readonly string[]): Promise<number> {
    if (this.pending.size + tags.length > MAX_PENDING_TAGS) this.pendingOverflow = true;
    else for (const tag of tags) this.pending.add(tag);
    await this.health.waitOutLease();
    return 0;
  }

  // Delivering what this instance owes is enough to make Redis right again; only when some of it was
  // dropped (more than MAX_PENDING_TAGS) is the whole key space abandoned.
  private async restore(): Promise<{ epoch: string }> {
    if (this.pending.size > 0) {
      const tags = [...this.pending];
      for (let i = 0; i < tags.length; i += RECOVERY_BATCH_TAGS) await this.runInvalidation(tags.slice(i, i + RECOVERY_BATCH_TAGS));
      for (const tag of tags) this.pending.delete(tag);
    }
    if (this.pendingOverflow) {
      this.epoch = await bumpEpoch(this.cmd, this.keys, EPOCH_MESSAGE_PREFIX);
      this.pendingOverflow = false;
    } else {
      await this.refreshEpoch();
    }
    return { epoch: this.epoch };
  }

  private async refreshEpoch(): Promise<void> {
    this.epoch = (await this.cmd.get(this.keys.epoch)) ?? '0';
  }
}

// The shared layer: responses in Redis under the current epoch, stored and invalidated by the scripts
// in redis-scripts.ts, invalidations announced on the bus (redis-bus.ts), and nothing sent while
// redis-health.ts says Redis cannot be relied on. See server/CACHE.md for the reasoning.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { BusKeys, dropLease, withBusScripts, type BusRedis } from './bus-scripts.ts';
import { FillClaims } from './fill-claims.ts';
import { InstanceLease } from './instance-lease.ts';
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
  /** How long a mutation waits for its invalidation to be delivered when Redis could not take it at once. */
  confirmMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Another instance invalidated these tags (or moved the epoch): drop local copies. */
  onRemoteInvalidation(tags: string[] | 'all', lsn?: string): void;
  /** This layer became unusable or usable again; while down the in-process layer must not be trusted. */
  onHealthChange(healthy: boolean): void;
}

/** What became of a write's invalidation. */
export interface InvalidationOutcome {
  evicted: number;
  /** Delivered to Redis and applied (or lease-expired) on every instance: the write may be acknowledged. */
  confirmed: boolean;
}

export class RedisLayer {
  private readonly cmd: ScriptedRedis & BusRedis;
  private readonly sub: Redis;
  private readonly keys: CacheKeys;
  private readonly busKeys: BusKeys;
  private readonly bus: InvalidationBus;
  private readonly health: RedisHealth;
  private readonly lease: InstanceLease;
  /** Single-flight across instances (fill-claims.ts). */
  readonly fills: FillClaims;
  /** Mutations waiting for what they owe to be delivered (recovery resolves them). */
  private readonly deliveryWaiters = new Set<(delivered: boolean) => void>();
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
    this.busKeys = new BusKeys(options.keyPrefix);
    const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const cmd = new Redis(options.url, { ...common, enableOfflineQueue: false, connectionName: `deskgraph:${instanceId}:cmd` });
    this.cmd = withBusScripts(withScripts(cmd)) as ScriptedRedis & BusRedis;
    this.sub = new Redis(options.url, {
      ...common,
      commandTimeout: undefined,
      enableOfflineQueue: true,
      connectionName: `deskgraph:${instanceId}:sub`,
    });
    this.health = new RedisHealth(this.cmd, this.sub, {
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      metrics: options.metrics,
      restore: () => this.restore(),
      onChange: (healthy) => {
        if (!healthy) this.lease.lapse();
        options.onHealthChange(healthy);
        if (healthy) void this.lease.renew();
      },
    });
    this.fills = new FillClaims({
      cmd: this.cmd,
      // The claim's name extends the entry's, so it shares its hash slot whatever the layout.
      names: (key) => {
        const entry = this.keys.entry(key, this.epoch);
        return { entry, claim: `${entry}:claim` };
      },
      healthy: () => this.health.healthy,
      instanceId,
    });
    // A lease of three command timeouts: a hung Redis stops every instance's L1 within it.
    this.lease = new InstanceLease(this.cmd, this.busKeys, {
      instanceId,
      leaseMs: Math.max(300, 3 * options.timeoutMs),
      timeoutMs: options.timeoutMs,
      resync: () => options.onRemoteInvalidation('all'),
      renewalFailed: (error) => this.health.readFailed('lease', error),
      renewalSucceeded: () => this.health.readSucceeded(),
    });
    this.bus = new InvalidationBus(
      this.cmd,
      this.sub,
      this.busKeys,
      () => this.lease,
      {
        onTags: (tags, lsn) => options.onRemoteInvalidation(tags, lsn),
        onEpoch: (epoch) => {
          this.epoch = epoch;
          options.onRemoteInvalidation('all');
        },
        onNotice: (topic, payload) => this.noticeHandlers.get(topic)?.(payload),
      },
      instanceId,
    );
  }

  /** Calls `handler` with the payload of every notice of `topic` sent on the bus (publishNotice). */
  onNotice(topic: string, handler: (payload: string) => void): void {
    this.noticeHandlers.set(topic, handler);
  }

  /** Whether what this layer (and L1 with it) holds may be served right now: Redis answers and the lease holds. */
  get isHealthy(): boolean {
    return this.health.healthy && this.lease.valid;
  }

  /** Whether a write's invalidation can be delivered now; mutations are refused before they write when not. */
  get writable(): boolean {
    return this.health.healthy;
  }

  /** This instance's name on the bus and in its lease. */
  get instanceId(): string {
    return this.bus.instanceId;
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

  /**
   * Invalidates in Redis, announces it and waits until every instance holding a lease applied it. When
   * Redis cannot take it, the tags are kept and delivered on recovery; the write is confirmed only if
   * that happens within confirmMs.
   */
  async invalidate(tags: readonly string[], lsn?: string): Promise<InvalidationOutcome> {
    if (tags.length === 0) return { evicted: 0, confirmed: true };
    if (!this.health.healthy) return this.owe(tags);
    try {
      return { evicted: await this.runInvalidation(tags, lsn), confirmed: true };
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
    this.lease.close();
    this.bus.close();
    for (const resolve of this.deliveryWaiters) resolve(false);
    // Writers stop waiting for this instance at once instead of for the rest of its lease.
    if (this.health.healthy) await dropLease(this.cmd, this.busKeys, this.instanceId).catch(() => {});
    this.health.close();
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  // Entries first, then the announcement: an instance that drops its L1 copy on the message can no
  // longer refill it from Redis. The writer returns when every leased instance has applied it.
  private async runInvalidation(tags: readonly string[], lsn?: string): Promise<number> {
    const evicted = await invalidateTags(this.cmd, this.keys, tags);
    if (evicted > 0) this.options.metrics.cacheEvictions.inc({ layer: 'l2', reason: 'invalidated' }, evicted);
    const { lapsed } = await this.bus.announce(tags, lsn);
    if (lapsed.length > 0) this.options.metrics.cacheAckTimeouts.inc(lapsed.length);
    return evicted;
  }

  // Kept for recovery, which delivers them before this instance uses Redis again. Until then other
  // instances may still serve what the write changed, so the write is confirmed only once delivered.
  private async owe(tags: readonly string[]): Promise<InvalidationOutcome> {
    if (this.pending.size + tags.length > MAX_PENDING_TAGS) this.pendingOverflow = true;
    else for (const tag of tags) this.pending.add(tag);
    let timer: NodeJS.Timeout | undefined;
    let resolveWait!: (delivered: boolean) => void;
    const delivered = new Promise<boolean>((resolve) => {
      resolveWait = resolve;
      this.deliveryWaiters.add(resolveWait);
      timer = setTimeout(() => resolve(false), this.options.confirmMs);
    });
    const confirmed = await delivered;
    clearTimeout(timer);
    this.deliveryWaiters.delete(resolveWait);
    return { evicted: 0, confirmed };
  }

  // Delivering what this instance owes is enough to make Redis right again; only when some of it was
  // dropped (more than MAX_PENDING_TAGS) is the whole key space abandoned.
  private async restore(): Promise<{ epoch: string }> {
    // Writers that owed before this point have their tags in the snapshot below; later ones wait for
    // the next recovery.
    const waiters = [...this.deliveryWaiters];
    const overflowed = this.pendingOverflow;
    if (this.pending.size > 0) {
      const tags = [...this.pending];
      for (let i = 0; i < tags.length; i += RECOVERY_BATCH_TAGS) await this.runInvalidation(tags.slice(i, i + RECOVERY_BATCH_TAGS));
      for (const tag of tags) this.pending.delete(tag);
    }
    if (overflowed) {
      this.epoch = await bumpEpoch(this.cmd, this.keys, EPOCH_MESSAGE_PREFIX);
      this.pendingOverflow = false;
    } else {
      await this.refreshEpoch();
    }
    // A moved epoch is announced but not acknowledged: those writes stay unconfirmed.
    for (const resolve of waiters) {
      this.deliveryWaiters.delete(resolve);
      resolve(!overflowed);
    }
    return { epoch: this.epoch };
  }

  private async refreshEpoch(): Promise<void> {
    this.epoch = (await this.cmd.get(this.keys.epoch)) ?? '0';
  }
}

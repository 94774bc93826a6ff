// The shared layer: responses in Redis under the current epoch, in the shard of their viewer's
// organization, stored and invalidated by the scripts in redis-scripts.ts, invalidations announced on the
// bus (redis-bus.ts), and nothing sent while redis-health.ts says Redis cannot be relied on. The same code
// runs on a single Redis and on a Redis Cluster. See server/CACHE.md for the reasoning.
import { Cluster } from 'ioredis';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import {
  connectCommands,
  connectSubscriber,
  publish,
  slotOf,
  type RedisTarget,
  type SubscriberConnection,
} from '../platform/redis-connection.ts';
import { EPOCH_MESSAGE_PREFIX, InvalidationBus } from './redis-bus.ts';
import { RedisHealth } from './redis-health.ts';
import {
  bumpEpoch,
  CacheKeys,
  invalidateTags,
  invalidateTagsReplicated,
  storeIfCurrent,
  withScripts,
  type PaddedLsn,
  type ScriptedRedis,
  type StoreRequest,
} from './redis-scripts.ts';

const MAX_PENDING_TAGS = 10_000;
// Owed invalidations go out in scripts of this many tags: each is one blocking script run in Redis.
const RECOVERY_BATCH_TAGS = 200;

/** What a read found in Redis, in one round trip: the entry, and its shard's sequence number and LSN mark. */
export interface RemoteRead {
  payload: Buffer | null;
  seq: number;
  epoch: string;
  lsn: string | null;
}

export interface RedisLayerOptions {
  target: RedisTarget;
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
  private readonly sub: SubscriberConnection;
  private readonly keys: CacheKeys;
  private readonly bus: InvalidationBus;
  private readonly health: RedisHealth;
  private epoch = '0';
  /** Per shard, tags whose invalidation could not reach Redis; delivered before the layer is used again. */
  private readonly pending = new Map<string, Set<string>>();
  private pendingCount = 0;
  private pendingOverflow = false;
  /** How many subscribers the last announcement reached (see delivered). */
  private receivers = 0;
  private readonly noticeHandlers = new Map<string, (payload: string) => void>();

  constructor(private readonly options: RedisLayerOptions) {
    this.keys = new CacheKeys(options.keyPrefix);
    this.cmd = withScripts(connectCommands(options.target, { role: 'cache', timeoutMs: options.timeoutMs, offlineQueue: false }));
    this.sub = connectSubscriber(options.target, { role: 'cache-bus', timeoutMs: options.timeoutMs, offlineQueue: true });
    // A cluster node lost (a failover): a fill whose read went to the old master may carry a sequence number
    // its replica never received. Treated as an invalidation of everything here, so no such fill is stored.
    if (this.cmd instanceof Cluster) this.cmd.on('-node', () => options.onRemoteInvalidation('all'));
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

  /** The entry (or null), its shard's invalidation sequence number and LSN mark as of this read, in one round trip. */
  async get(key: string, shard: string): Promise<RemoteRead | null> {
    if (!this.health.healthy) return null;
    const epoch = this.epoch;
    try {
      const [payload, seq, lsn] = await this.cmd.mgetBuffer(this.keys.entry(shard, key, epoch), this.keys.seq(shard), this.keys.lsn(shard));
      this.health.readSucceeded();
      return { payload: payload ?? null, seq: seq ? Number(seq.toString()) : 0, epoch, lsn: lsn ? lsn.toString() : null };
    } catch (error) {
      this.health.readFailed('get', error);
      return null;
    }
  }

  /** Stores unless the epoch moved or an invalidation of one of the tags happened since the read (seq, epoch). */
  async store(
    shard: string,
    key: string,
    payload: Buffer,
    tags: readonly string[],
    ttlMs: number,
    seq: number,
    epoch: string,
  ): Promise<'stored' | 'raced' | 'failed'> {
    if (!this.health.healthy) return 'failed';
    if (epoch !== this.epoch) return 'raced';
    const request: StoreRequest = { shard, key, payload, tags, ttlMs, seq, epoch };
    try {
      return await storeIfCurrent(this.cmd, this.keys, request);
    } catch (error) {
      this.health.fail('store', error);
      return 'failed';
    }
  }

  /**
   * Invalidates in the shard and announces it; when Redis cannot be reached, remembers the tags for later.
   * `lsn` (the write's WAL position, 16 hex digits) raises the shard's LSN mark that reads return.
   */
  async invalidate(tags: readonly string[], shard: string, lsn: PaddedLsn | null = null): Promise<number> {
    if (tags.length === 0) return 0;
    // Degraded but connected (a cluster that lost one node): the shard and the bus may well be reachable,
    // and other instances, healthy, trust their L1. Try, and owe what fails.
    if (!this.health.healthy && this.cmd.status !== 'ready') return this.owe(shard, tags);
    try {
      return await this.runInvalidation(shard, tags, lsn);
    } catch (error) {
      if (this.health.healthy) this.health.fail('invalidate', error);
      return this.owe(shard, tags);
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

  // The script runs in the shard's slot, the announcement in the bus's: on a cluster they may be on two
  // nodes. The announcement goes out even when the script failed (that shard's master is down, say), so
  // the other instances drop their copies while this one owes Redis the rest.
  private async runInvalidation(shard: string, tags: readonly string[], lsn: PaddedLsn | null = null): Promise<number> {
    let evicted = 0;
    let failure: unknown = null;
    try {
      evicted = await this.invalidateInShard(shard, tags, lsn);
      if (evicted > 0) this.options.metrics.cacheEvictions.inc({ layer: 'l2', reason: 'invalidated' }, evicted);
    } catch (error) {
      failure = error;
    }
    await this.bus.announce(tags, this.options.timeoutMs, async (message) =>
      this.delivered(await publish(this.cmd, this.keys.channel, message)),
    );
    if (failure) throw failure;
    return evicted;
  }

  // Redis answers a publish with how many subscribers got it. Fewer than last time means an instance may
  // have missed it: one left, or (on a cluster) the channel's slot moved and some subscriber is not on
  // the new master yet. Either way the invalidation counts as failed: this instance owes it and waits out
  // the lease, by which time an instance that missed it has stopped trusting its L1 (its heartbeat, a
  // message on the same channel, does not come back either). The lower count is the new expectation, so
  // an instance that left costs one write one lease. (Until acknowledged invalidations replace this.)
  // Only on a cluster: a single Redis has no slot to move, and a subscriber it drops sees its connection close.
  private delivered(receivers: number): void {
    if (!(this.cmd instanceof Cluster)) return;
    const expected = this.receivers;
    this.receivers = receivers;
    if (receivers < expected) throw new Error(`the invalidation reached ${receivers} of ${expected} subscribers`);
  }

  // On a cluster, when the shard's master has a replica (the slot map lists live ones), WAIT in the same
  // pipeline (so on that master): the invalidation has reached the replica before the mutation returns,
  // and a failover cannot bring its entries back. WAIT gives up at half the command timeout, and a
  // replica that did not answer by then does not fail the write (the replica is slow or dying): it is
  // counted (deskgraph_cache_errors_total{command="wait"}).
  private async invalidateInShard(shard: string, tags: readonly string[], lsn: PaddedLsn | null): Promise<number> {
    const { cmd } = this;
    const replicas = cmd instanceof Cluster ? (cmd.slots[slotOf(this.keys.shard(shard))]?.length ?? 1) - 1 : 0;
    if (!(cmd instanceof Cluster) || replicas < 1) return invalidateTags(cmd, this.keys, shard, tags, lsn);
    const wait = { replicas: 1, timeoutMs: Math.max(1, Math.floor(this.options.timeoutMs / 2)) };
    const { evicted, acknowledged } = await invalidateTagsReplicated(cmd, this.keys, shard, tags, lsn, wait);
    if (acknowledged < wait.replicas) this.options.metrics.cacheErrors.inc({ command: 'wait' });
    return evicted;
  }

  // Kept for recovery; the mutation then waits out the lease, so by the time it returns every instance
  // that cannot reach Redis has stopped serving from L1.
  private async owe(shard: string, tags: readonly string[]): Promise<number> {
    if (this.pendingCount + tags.length > MAX_PENDING_TAGS) this.pendingOverflow = true;
    else {
      const owed = this.pending.get(shard) ?? new Set<string>();
      this.pending.set(shard, owed);
      for (const tag of tags) {
        if (owed.has(tag)) continue;
        owed.add(tag);
        this.pendingCount += 1;
      }
    }
    await this.health.waitOutLease();
    return 0;
  }

  // Delivering what this instance owes is enough to make Redis right again; only when some of it was
  // dropped (more than MAX_PENDING_TAGS) is the whole key space abandoned.
  private async restore(): Promise<{ epoch: string }> {
    for (const [shard, owed] of this.pending) {
      const tags = [...owed];
      for (let i = 0; i < tags.length; i += RECOVERY_BATCH_TAGS) await this.runInvalidation(shard, tags.slice(i, i + RECOVERY_BATCH_TAGS));
      this.pending.delete(shard);
      this.pendingCount -= tags.length;
    }
    if (this.pendingOverflow) {
      // Set, then announced in the bus's own slot (a script could not do both on a cluster).
      this.epoch = await bumpEpoch(this.cmd, this.keys);
      await publish(this.cmd, this.keys.channel, `${EPOCH_MESSAGE_PREFIX}${this.epoch}`);
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

// The shared layer: responses in Redis under the current epoch, in the shard of their viewer's
// organization, stored and invalidated by the scripts in redis-scripts.ts; invalidations announced on
// the bus and acknowledged by every leased instance (redis-bus.ts, instance-lease.ts); nothing sent
// while redis-health.ts says Redis cannot be relied on. The same code runs on a single Redis and on a
// Redis Cluster. See server/CACHE.md for the reasoning.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
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
import { BusKeys, dropLease, withBusScripts, type BusRedis } from './bus-scripts.ts';
import { FillClaims } from './fill-claims.ts';
import { InstanceLease } from './instance-lease.ts';
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
import { OwedInvalidations } from './owed-invalidations.ts';
import { CACHE_TAG_VOCABULARY } from '../../schema/cache-tags.ts';
import { TagVocabulary, VOCABULARY_TOPIC } from './tag-vocabulary.ts';

/** What a read found in Redis, in one round trip: the entry, and its shard's sequence number and LSN mark. */
export interface RemoteRead {
  payload: Buffer | null;
  seq: number;
  epoch: string;
  lsn: string | null;
}

/** What became of a write's invalidation. */
export interface InvalidationOutcome {
  evicted: number;
  /** Delivered to Redis and applied (or lease-expired) on every instance: the write may be acknowledged. */
  confirmed: boolean;
}

export interface RedisLayerOptions {
  target: RedisTarget;
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
  /** This instance's cache tag vocabulary; CACHE_TAG_VOCABULARY unless a test plays another version. */
  tagVocabulary?: number;
}

export class RedisLayer {
  private readonly cmd: ScriptedRedis & BusRedis;
  private readonly sub: SubscriberConnection;
  private readonly keys: CacheKeys;
  private readonly busKeys: BusKeys;
  private readonly bus: InvalidationBus;
  private readonly health: RedisHealth;
  private readonly lease: InstanceLease;
  private readonly owed: OwedInvalidations;
  private readonly vocabulary: TagVocabulary;
  /** Single-flight across instances (fill-claims.ts). */
  readonly fills: FillClaims;
  private epoch = '0';
  private readonly noticeHandlers = new Map<string, (payload: string) => void>();

  constructor(private readonly options: RedisLayerOptions) {
    this.keys = new CacheKeys(options.keyPrefix);
    this.busKeys = new BusKeys(options.keyPrefix);
    // Named in CLIENT LIST as deskgraph:<instance>:<role>, so an operator can tell the instances apart.
    const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const connection = (role: string, offlineQueue: boolean) => ({
      role: `${instanceId}:${role}`,
      timeoutMs: options.timeoutMs,
      offlineQueue,
    });
    this.cmd = withBusScripts(withScripts(connectCommands(options.target, connection('cache', false)))) as ScriptedRedis & BusRedis;
    this.sub = connectSubscriber(options.target, connection('cache-bus', true));
    // A cluster node lost (a failover): a fill whose read went to the old master may carry a sequence number
    // its replica never received. Treated as an invalidation of everything here, so no such fill is stored.
    if (this.cmd instanceof Cluster) this.cmd.on('-node', () => options.onRemoteInvalidation('all'));
    this.owed = new OwedInvalidations(options.confirmMs);
    this.vocabulary = new TagVocabulary({
      own: options.tagVocabulary ?? CACHE_TAG_VOCABULARY,
      key: this.busKeys.vocabulary,
      channel: this.busKeys.channel,
      logger: options.logger,
      onSuperseded: () => options.onRemoteInvalidation('all'),
    });
    this.noticeHandlers.set(VOCABULARY_TOPIC, (payload) => this.vocabulary.heard(payload));
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
    // A lease of three command timeouts: a hung Redis stops every instance's L1 within it.
    this.lease = new InstanceLease(this.cmd, this.busKeys, {
      instanceId,
      leaseMs: Math.max(300, 3 * options.timeoutMs),
      timeoutMs: options.timeoutMs,
      resync: () => options.onRemoteInvalidation('all'),
      renewalFailed: (error) => this.health.readFailed('lease', error),
      renewalSucceeded: () => this.health.readSucceeded(),
    });
    this.fills = new FillClaims({
      cmd: this.cmd,
      // The claim's name extends the entry's, so it shares its hash slot.
      names: (key, shard) => {
        const entry = this.keys.entry(shard, key, this.epoch);
        return { entry, claim: `${entry}:claim` };
      },
      healthy: () => this.health.healthy,
      instanceId,
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

  /**
   * Whether what this layer (and L1 with it) holds may be served right now: Redis answers, the lease
   * holds, and no newer version with other cache tags shares this Redis.
   */
  get isHealthy(): boolean {
    return this.health.healthy && this.lease.valid && !this.vocabulary.superseded;
  }

  /** Whether a write's invalidation can be delivered now; mutations are refused before they write when not. */
  get writable(): boolean {
    return this.health.healthy;
  }

  /** This instance's name on the bus, in its lease and in CLIENT LIST. */
  get instanceId(): string {
    return this.bus.instanceId;
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
   * Invalidates in the shard, announces it, and waits until every instance holding a lease applied it.
   * `lsn` (the write's WAL position, 16 hex digits) raises the shard's LSN mark that reads return, and
   * travels with the announcement. When Redis cannot take it, the tags are kept and delivered on
   * recovery; the write is confirmed only if that happens within confirmMs.
   */
  async invalidate(tags: readonly string[], shard: string, lsn: PaddedLsn | null = null): Promise<InvalidationOutcome> {
    if (tags.length === 0) return { evicted: 0, confirmed: true };
    // Degraded but connected (a cluster that lost one node): the shard and the bus may well be reachable.
    if (!this.health.healthy && this.cmd.status !== 'ready') return { evicted: 0, confirmed: await this.owed.add(shard, tags) };
    try {
      return { evicted: await this.runInvalidation(shard, tags, lsn), confirmed: true };
    } catch (error) {
      if (this.health.healthy) this.health.fail('invalidate', error);
      return { evicted: 0, confirmed: await this.owed.add(shard, tags) };
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
    this.owed.close();
    // Writers stop waiting for this instance at once instead of for the rest of its lease.
    if (this.health.healthy) await dropLease(this.cmd, this.busKeys, this.instanceId).catch(() => {});
    this.health.close();
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  // The script runs in the shard's slot, the announcement in the bus's: on a cluster they may be on two
  // nodes. Entries first, then the announcement: an instance that drops its L1 copy on the message can no
  // longer refill it from Redis. The announcement goes out even when the script failed (that shard's
  // master is down, say), so the other instances drop their copies while this one owes Redis the rest.
  private async runInvalidation(shard: string, tags: readonly string[], lsn: PaddedLsn | null = null): Promise<number> {
    let evicted = 0;
    let failure: unknown = null;
    try {
      evicted = await this.invalidateInShard(shard, tags, lsn);
      if (evicted > 0) this.options.metrics.cacheEvictions.inc({ layer: 'l2', reason: 'invalidated' }, evicted);
    } catch (error) {
      failure = error;
    }
    const lapsed = await this.bus.announce(tags, lsn ?? undefined);
    if (lapsed.length > 0) this.options.metrics.cacheAckTimeouts.inc(lapsed.length);
    if (failure) throw failure;
    return evicted;
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

  // Delivering what this instance owes is enough to make Redis right again; only when some of it was
  // dropped (more than the owed set holds) is the whole key space abandoned.
  private async restore(): Promise<{ epoch: string }> {
    const delivery = this.owed.beginDelivery();
    for (const [shard, tags] of delivery.batches()) await this.runInvalidation(shard, tags);
    if (delivery.overflowed) {
      // Set, then announced in the bus's own slot (a script could not do both on a cluster).
      this.epoch = await bumpEpoch(this.cmd, this.keys);
      await publish(this.cmd, this.keys.channel, `${EPOCH_MESSAGE_PREFIX}${this.epoch}`);
    } else {
      await this.refreshEpoch();
    }
    await this.vocabulary.raise(this.cmd);
    delivery.done();
    return { epoch: this.epoch };
  }

  private async refreshEpoch(): Promise<void> {
    this.epoch = (await this.cmd.get(this.keys.epoch)) ?? '0';
  }
}

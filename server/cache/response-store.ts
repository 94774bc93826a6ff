// The response cache's store: L1 in process, L2 in Redis when configured, invalidation by tag on both,
// single-flight for concurrent identical misses, and the rule that a read which began before an
// invalidation is never stored after it. The envelop plugin reads (lookup, joinFlight) and writes
// (fill); the fast path reads (peek, lookup) and never stores, only keeps what it sent on the entry
// (sendForm). See server/CACHE.md.
import type { ExecutionResult } from 'graphql';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { ContentCoding } from '../protocol/negotiation.ts';
import { WriteUnconfirmedError } from '../../schema/errors.ts';
import { hitHead, parsedResult, sendForm, type HitVariant, type SendForm } from './entry-forms.ts';
import type { RedisTarget } from '../platform/redis-connection.ts';
import { L1Cache, type CachedResponse, type HitHead } from './l1-cache.ts';
import { RedisLayer, type RemoteRead } from './redis-layer.ts';
import { MAX_FILL_MS, type PaddedLsn } from './redis-scripts.ts';

/** The shared layer's settings: where Redis is, and the namespace and timeout of every command. */
export interface RedisStoreSettings {
  target: RedisTarget;
  keyPrefix: string;
  timeoutMs: number;
  /** How long a write waits for its invalidation's delivery when Redis could not take it at once. */
  confirmMs: number;
  /** The cache tag vocabulary this instance announces (tag-vocabulary.ts); CACHE_TAG_VOCABULARY by default. */
  tagVocabulary?: number;
}

export interface ResponseStoreOptions {
  l1MaxEntries: number;
  l1MaxBytes: number;
  redis: RedisStoreSettings | null;
  logger: Logger;
  metrics: Metrics;
}

export interface Lookup {
  /** The shard of the viewer who read (cacheShard): a fill of this read is stored there. */
  shard: string;
  entry: CachedResponse | null;
  layer: 'l1' | 'l2' | null;
  /** Snapshot of the local invalidation counter, taken before the read. */
  localSeq: number;
  /** The Redis invalidation sequence and epoch as of the read; null when Redis was not consulted or failed. */
  redisSeq: number | null;
  redisEpoch: string | null;
  /**
   * The highest WAL LSN (16 hex digits) an invalidation of the shard carried, as of the read; null when none
   * did or Redis was not consulted. A read routed to a PostgreSQL replica must see at least this LSN.
   */
  redisLsn: PaddedLsn | null;
  /** False when the cache must be bypassed (Redis degraded): neither read nor stored. */
  usable: boolean;
}

/** The kind of a tag for metrics: `Ticket` for entity tags, `tickets@org` for list tags. */
function tagKind(tag: string): string {
  const colon = tag.indexOf(':');
  return colon > 0 ? tag.slice(0, colon) : tag;
}

interface Flight {
  /** The invalidations applied here since the leader began, in order: its result may predate them. */
  since: (readonly string[] | 'all')[];
  /** The leader is the warmer (warmer.ts), not a client: followers' hits are counted as such. */
  warming: boolean;
  promise: Promise<CachedResponse | null>;
  settle(value: CachedResponse | null): void;
  /** Resolves when the flight is over: its result stored (or refused), or given up. */
  over: Promise<void>;
  end(): void;
}

const COALESCE_WAIT_MS = 10_000;

export class ResponseStore {
  readonly l1: L1Cache;
  readonly redis: RedisLayer | null;
  private localSeq = 0;
  /** tag → local sequence of its last invalidation; kept MAX_FILL_MS, the longest a fill may take. */
  private readonly tagSeq = new Map<string, { seq: number; at: number }>();
  private readonly flights = new Map<string, Flight>();
  private readonly listeners = new Set<(tags: readonly string[] | 'all') => void>();
  private readonly evictedListeners = new Set<(keys: readonly string[]) => void>();
  private readonly lsnListeners = new Set<(lsn: string) => void>();
  private l1Trusted: boolean;

  constructor(private readonly options: ResponseStoreOptions) {
    const { metrics } = options;
    this.l1 = new L1Cache({ maxEntries: options.l1MaxEntries, maxBytes: options.l1MaxBytes }, metrics);
    this.l1Trusted = !options.redis;
    this.redis = options.redis
      ? new RedisLayer({
          ...options.redis,
          logger: options.logger,
          metrics,
          onRemoteInvalidation: (tags, lsn) => {
            if (lsn) for (const listener of this.lsnListeners) listener(lsn);
            const dropped: string[] = [];
            this.applyLocally(tags, 'remote', dropped);
            // The writer ran the shard's script before announcing: a fill read from now on is current.
            this.announceEvicted(dropped);
          },
          onHealthChange: (healthy) => {
            // Whatever L1 holds may have missed invalidations while the bus was down.
            this.applyLocally('all', 'remote');
            this.l1Trusted = healthy;
          },
        })
      : null;
  }

  /** Whether cached responses may be served right now. */
  get usable(): boolean {
    return this.l1Trusted && (this.redis?.isHealthy ?? true);
  }

  /** Whether a write's invalidation can be delivered now (mutations are refused before writing when not). */
  get writable(): boolean {
    return this.redis?.writable ?? true;
  }

  onInvalidate(listener: (tags: readonly string[] | 'all') => void): void {
    this.listeners.add(listener);
  }

  /**
   * The keys L1 dropped for an invalidation (not for 'all'), once a fill read from then on can be stored:
   * after Redis took this instance's write, on the bus message for another instance's.
   */
  onEvicted(listener: (keys: readonly string[]) => void): void {
    this.evictedListeners.add(listener);
  }

  /** Another instance's write reached this far in PostgreSQL's WAL (for replica reads). */
  onRemoteLsn(listener: (lsn: string) => void): void {
    this.lsnListeners.add(listener);
  }

  /** L1 only, synchronously: the fast path's first look. */
  peek(key: string): CachedResponse | undefined {
    return this.usable ? this.l1.get(key) : undefined;
  }

  /** The fast path and the plugin read through here: L1, then L2 in the viewer's shard. Never writes except L1 promotion. */
  async lookup(key: string, shard: string): Promise<Lookup> {
    const localSeq = this.localSeq;
    const answer = (entry: CachedResponse | null, layer: Lookup['layer'], usable: boolean, remote?: RemoteRead): Lookup => ({
      shard,
      entry,
      layer,
      localSeq,
      redisSeq: remote?.seq ?? null,
      redisEpoch: remote?.epoch ?? null,
      redisLsn: remote?.lsn ?? null,
      usable,
    });
    if (!this.usable) return answer(null, null, false);
    const local = this.l1.get(key);
    if (local) return answer(local, 'l1', true);
    if (!this.redis) return answer(null, null, true);
    const remote = await this.redis.get(key, shard);
    if (!remote) return answer(null, null, false);
    const entry = remote.payload ? decodeEntry(remote.payload) : null;
    if (!entry) return answer(null, null, true, remote);
    // Not promoted when one of its tags was invalidated while Redis answered: it may predate that write.
    if (this.usable && !this.invalidatedSince(entry.tags, localSeq)) this.l1.set(key, entry, entry.ttlMs);
    return answer(entry, 'l2', true, remote);
  }

  /** What the fast path sends for a hit on `key`; see entry-forms.ts. */
  sendForm(key: string, entry: CachedResponse, encoding: ContentCoding | null, extend?: (bytes: Buffer) => Buffer): SendForm {
    return sendForm(this.l1, key, entry, encoding, extend);
  }

  /** The headers and body the fast path answers a hit on `key` with; see entry-forms.ts. */
  hitHead(key: string, entry: CachedResponse, variant: HitVariant, extend?: (bytes: Buffer) => Buffer): HitHead {
    return hitHead(this.l1, key, entry, variant, extend);
  }

  /** The GraphQL path's result object for a hit on `key`; see entry-forms.ts. */
  parsedResult(key: string, entry: CachedResponse): ExecutionResult {
    return parsedResult(this.l1, key, entry);
  }

  /** Stores an executed result, unless one of its tags was invalidated after the read began. */
  async fill(key: string, entry: CachedResponse & { ttlMs: number }, read: Lookup, startedAt: number): Promise<void> {
    const { metrics } = this.options;
    if (!read.usable || !this.usable || Date.now() - startedAt > MAX_FILL_MS) {
      metrics.cacheStores.inc({ outcome: 'skipped' });
      return;
    }
    // Locally known invalidations (and outages: they mark everything) refuse before Redis is asked.
    if (this.invalidatedSince(entry.tags, read.localSeq)) return void metrics.cacheStores.inc({ outcome: 'raced' });
    if (this.redis) {
      if (read.redisSeq == null || read.redisEpoch == null) return void metrics.cacheStores.inc({ outcome: 'skipped' });
      const outcome = await this.redis.store(read.shard, key, encodeEntry(entry), entry.tags, entry.ttlMs, read.redisSeq, read.redisEpoch);
      if (outcome !== 'stored') return void metrics.cacheStores.inc({ outcome });
    }
    if (!this.usable || this.invalidatedSince(entry.tags, read.localSeq)) {
      metrics.cacheStores.inc({ outcome: 'raced' });
      return;
    }
    this.l1.set(key, entry, entry.ttlMs);
    metrics.cacheStores.inc({ outcome: 'stored' });
  }

  /**
   * Drops every response holding one of the tags, here and (with Redis) on every instance; resolves
   * when every instance holding a lease has applied it, so a mutation returns only after its
   * invalidation took effect everywhere. When Redis cannot take it, the tags are kept and delivered on
   * recovery; if that does not happen within the confirmation window, throws WriteUnconfirmedError. In
   * Redis only `shard` is touched: the writer's (cacheShard), since a write changes only its organization.
   */
  async invalidate(tags: Iterable<string>, shard: string, options: { operation?: string; lsn?: PaddedLsn } = {}): Promise<number> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return 0;
    const dropped: string[] = [];
    let evicted = this.applyLocally(unique, options.operation ?? 'anonymous', dropped);
    if (!this.redis) {
      this.announceEvicted(dropped);
      return evicted;
    }
    const outcome = await this.redis.invalidate(unique, shard, options.lsn ?? null);
    if (!outcome.confirmed) throw new WriteUnconfirmedError();
    this.announceEvicted(dropped);
    evicted += outcome.evicted;
    return evicted;
  }

  /**
   * Single-flight: the first miss for a key becomes the leader and the others wait for its result.
   * Returns null for the leader (go and execute), or the leader's entry (possibly null) for followers.
   */
  async joinFlight(
    key: string,
    shard: string,
    warming = false,
    refused = false,
  ): Promise<
    /** refused: this request first followed a flight whose result it had to refuse; its own read predates that. */
    | { leader: true; refused: boolean; release(value: CachedResponse | null, storing?: Promise<unknown>): void }
    | { leader: false; entry: CachedResponse | null; warmed?: boolean }
  > {
    const existing = this.flights.get(key);
    if (existing) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), COALESCE_WAIT_MS)));
      // Invalidations up to now may be of writes acknowledged before this request began: the leader's
      // result must not predate them. Later ones are of writes concurrent with this request (a write's
      // response waits until every instance applied its invalidation), which it may or may not see.
      const mustSee = existing.since.length;
      const entry = await Promise.race([existing.promise, timeout]);
      clearTimeout(timer);
      if (entry && existing.since.slice(0, mustSee).some((tags) => tags === 'all' || entry.tags.some((tag) => tags.includes(tag)))) {
        // The followers refused together execute once: the first to get here leads a new flight.
        if (this.flights.get(key) === existing) this.flights.delete(key);
        return this.joinFlight(key, shard, warming, true);
      }
      return { leader: false, entry, warmed: existing.warming };
    }
    let settle!: (value: CachedResponse | null) => void;
    const promise = new Promise<CachedResponse | null>((resolve) => (settle = resolve));
    let end!: () => void;
    const over = new Promise<void>((resolve) => (end = resolve));
    const flight: Flight = { since: [], warming, promise, settle, over, end };
    this.flights.set(key, flight);
    const done = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
      end();
    };
    const claimed = await this.claimAcrossInstances(key, shard);
    if (typeof claimed !== 'string') {
      settle(claimed);
      done();
      return { leader: false, entry: claimed };
    }
    return {
      leader: true,
      refused,
      // While the result is being stored, late arrivals still join this flight and get it at once,
      // instead of missing in both layers and executing again.
      release: (value, storing) => {
        settle(value);
        const finish = () => {
          if (claimed === 'claimed') this.redis?.fills.release(key, shard);
          done();
        };
        if (storing) void storing.finally(finish);
        else finish();
      },
    };
  }

  // Another instance already executing the same miss: wait for its entry in L2 (fill-claims.ts).
  private async claimAcrossInstances(key: string, shard: string): Promise<CachedResponse | 'claimed' | 'execute'> {
    if (!this.redis) return 'execute';
    const claim = await this.redis.fills.claim(key, shard);
    if (claim !== 'busy') return claim === 'claimed' ? 'claimed' : 'execute';
    const seq = this.localSeq;
    const payload = await this.redis.fills.awaitFill(key, shard);
    const entry = payload ? decodeEntry(payload) : null;
    if (!entry) return 'execute';
    if (this.usable && !this.invalidatedSince(entry.tags, seq)) this.l1.set(key, entry, entry.ttlMs);
    return entry;
  }

  /** Resolves once the flight of `key` running now, if any, is over (the warmer waits for its store). */
  flightOver(key: string): Promise<void> {
    return this.flights.get(key)?.over ?? Promise.resolve();
  }

  async close(): Promise<void> {
    for (const flight of this.flights.values()) {
      flight.settle(null);
      flight.end();
    }
    this.flights.clear();
    await this.redis?.close();
  }

  private announceEvicted(keys: readonly string[]): void {
    if (keys.length > 0) for (const listener of this.evictedListeners) listener(keys);
  }

  /**
   * @param operation the mutation that invalidated, or 'remote' for another instance's.
   * @param dropped receives the keys L1 dropped (not for 'all').
   */
  private applyLocally(tags: readonly string[] | 'all', operation: string, dropped?: string[]): number {
    this.localSeq += 1;
    const now = Date.now();
    let evicted: number;
    if (tags === 'all') {
      evicted = this.l1.size;
      this.l1.clear();
      // Every fill in flight began before this: none may be stored.
      this.tagSeq.set('*', { seq: this.localSeq, at: now });
    } else {
      for (const tag of tags) {
        this.tagSeq.set(tag, { seq: this.localSeq, at: now });
        this.options.metrics.cacheInvalidations.inc({ kind: tagKind(tag), operation });
      }
      evicted = this.l1.invalidate(tags, dropped);
    }
    if (this.tagSeq.size > 1000) this.pruneTagSeq(now);
    for (const flight of this.flights.values()) flight.since.push(tags);
    for (const listener of this.listeners) listener(tags);
    return evicted;
  }

  private invalidatedSince(tags: readonly string[], seq: number): boolean {
    const all = this.tagSeq.get('*');
    if (all && all.seq > seq) return true;
    for (const tag of tags) {
      const mark = this.tagSeq.get(tag);
      if (mark && mark.seq > seq) return true;
    }
    return false;
  }

  private pruneTagSeq(now: number): void {
    for (const [tag, mark] of this.tagSeq) if (now - mark.at > MAX_FILL_MS) this.tagSeq.delete(tag);
  }
}

// Redis value: 4-byte header length, a JSON header {tags, ttlMs}, then the response bytes unchanged.
// The header leads, length first, so the invalidation script reads an entry's tags with GETRANGE
// without loading its body.
function encodeEntry(entry: CachedResponse & { ttlMs: number }): Buffer {
  const header = Buffer.from(JSON.stringify({ tags: entry.tags, ttlMs: entry.ttlMs }));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, entry.bytes]);
}

function decodeEntry(payload: Buffer): (CachedResponse & { ttlMs: number }) | null {
  try {
    const headerLength = payload.readUInt32BE(0);
    const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString('utf8')) as { tags: string[]; ttlMs: number };
    return { tags: header.tags, ttlMs: header.ttlMs, bytes: payload.subarray(4 + headerLength) };
  } catch {
    return null;
  }
}

// The per-token request limit without a shared-store round trip per request: each instance leases a
// chunk of a token's budget from the shared limiter (one `consume(key, chunk)`) and serves the next
// requests of that token from the lease, in process. When a lease is down to a quarter of a chunk, the
// next one is asked for in the background, so a busy token's requests do not queue behind the store's
// round trip each time a lease runs out (in a benchmark of one token, that stall cost ~30 % of hits).
//
// Accuracy. A lease is only granted out of points the shared store still had, so while the store
// answers, the tokens' requests served by all instances together never exceed the limit. The slack is
// on the other side: an instance may refuse a token while other instances still hold up to
// chunk + ⌊chunk / 4⌋ leased but unused points of it each (a lease run low and the one leased ahead), so
// a client spread over instances gets between limit − (chunk + ⌊chunk / 4⌋) × (instances − 1) and limit
// requests a window. Unused points of
// an evicted lease, or of a stopped instance, are lost for that window. With Redis down, the insurance
// limiter counts per instance, as for the exact limits.
//
// The end of a budget stays exact: when the store refuses a chunk, that refusal's count tells how many
// points it still had (consume increments before it refuses), the instance keeps just those, and after
// them asks the store one point at a time until the window ends, so the refusal and its Retry-After are
// the store's own.
import { LRUCache } from 'lru-cache';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../platform/logger.ts';
import type { Limit } from './limit.ts';

/** A chunk that keeps the worst case small: 1 (exact) up to 19 points a window, 60 at 1200, at most 100. */
export function leaseChunk(points: number): number {
  return Math.min(100, Math.max(1, Math.floor(points / 20)));
}

export interface LeasedLimitOptions {
  /** Points per lease; see leaseChunk. */
  chunk: number;
  /** Tokens with a lease held at once; the least recently used lease is dropped (its points are lost). */
  maxTokens?: number;
  /** The clock leases expire by; tests pass a fake one. */
  now?: () => number;
}

interface Lease {
  /** Requests this instance may still serve from the lease. */
  remaining: number;
  /** When the store's window that granted it ends (ms since epoch): the lease ends with it. */
  expiresAt: number;
  /** The store refused the chunk: until expiresAt, ask it one point at a time. */
  exact: boolean;
  /** Leased ahead while this one ran low, so a busy token never waits for the store. */
  next?: Lease;
}

export class LeasedLimit implements Limit {
  private readonly leases: LRUCache<string, Lease>;
  /** One lease request in flight per token: concurrent requests of a cold token wait for it. */
  private readonly fetching = new Map<string, Promise<number | null>>();
  private readonly chunk: number;
  /** Points left in a lease when the next one is asked for. */
  private readonly refillAt: number;
  private readonly now: () => number;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly logger: Logger,
    options: LeasedLimitOptions,
  ) {
    if (!Number.isInteger(options.chunk) || options.chunk < 1)
      throw new Error(`lease chunk must be a positive integer, got ${options.chunk}`);
    this.chunk = options.chunk;
    this.refillAt = Math.floor(options.chunk / 4);
    this.now = options.now ?? (() => Date.now());
    this.leases = new LRUCache({ max: options.maxTokens ?? 10_000 });
  }

  /** Spends a point of key's lease when it has one (null: allowed); undefined when only take() can tell. */
  takeNow(key: string): null | undefined {
    const lease = this.current(key);
    if (!lease || lease.remaining === 0) return undefined;
    lease.remaining -= 1;
    if (lease.remaining === this.refillAt && !lease.exact && !lease.next && !this.fetching.has(key)) this.prefetch(key, lease);
    return null;
  }

  async take(key: string): Promise<number | null> {
    for (;;) {
      if (this.takeNow(key) === null) return null;
      const lease = this.current(key);
      if (lease?.exact) return this.consumeOne(key);
      const inFlight = this.fetching.get(key);
      if (!inFlight) return this.lease(key);
      // Another request of this token is leasing: take from what it gets (or lease again if it was
      // used up by the ones ahead). The leasing request's own refusal is not ours to share.
      await inFlight;
    }
  }

  /** key's lease in force: the next one once the current is spent or its window over; undefined when none. */
  private current(key: string): Lease | undefined {
    let lease = this.leases.get(key);
    const now = this.now();
    while (lease?.next && (lease.expiresAt <= now || (lease.remaining === 0 && !lease.exact))) {
      lease = lease.next;
      this.leases.set(key, lease);
    }
    return lease && lease.expiresAt > now ? lease : undefined;
  }

  async reset(key: string): Promise<void> {
    this.leases.delete(key);
    await this.limiter.delete(key).catch(() => undefined);
  }

  /** Leases a chunk for key and spends its first point on this request. */
  private lease(key: string): Promise<number | null> {
    const pending = this.fetchLease(key).finally(() => this.fetching.delete(key));
    this.fetching.set(key, pending);
    return pending;
  }

  private async fetchLease(key: string): Promise<number | null> {
    const asked = await this.ask(key);
    if (!asked) return null;
    const { refusal, ...lease } = asked;
    this.leases.set(key, lease);
    if (lease.remaining > 0) {
      lease.remaining -= 1; // this request's point
      return null;
    }
    return refusal;
  }

  /** Leases the next chunk in the background; requests go on taking from the current one meanwhile. */
  private prefetch(key: string, current: Lease): void {
    const pending = this.ask(key)
      .then((asked) => {
        if (asked) {
          const { refusal: _, ...next } = asked;
          current.next = next;
        }
        return null;
      })
      .finally(() => this.fetching.delete(key));
    this.fetching.set(key, pending);
  }

  /** A chunk from the store, or what it had left of it (exact from then on); null when both stores failed. */
  private async ask(key: string): Promise<(Lease & { refusal: number | null }) | null> {
    try {
      const granted = await this.limiter.consume(key, this.chunk);
      return { remaining: this.chunk, expiresAt: this.expiry(granted), exact: false, refusal: null };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) return this.failOpen(outcome);
      // What the store had before this chunk, if anything: those points are this instance's.
      const left = Math.min(this.chunk - 1, Math.max(0, this.limiter.points - (outcome.consumedPoints - this.chunk)));
      return { remaining: left, expiresAt: this.expiry(outcome), exact: true, refusal: retryAfter(outcome) };
    }
  }

  private async consumeOne(key: string): Promise<number | null> {
    try {
      await this.limiter.consume(key, 1);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return retryAfter(outcome);
      return this.failOpen(outcome);
    }
  }

  private expiry(res: RateLimiterRes): number {
    // A window without an end (msBeforeNext −1) does not happen with a duration; lease for this request only.
    return this.now() + Math.max(0, res.msBeforeNext);
  }

  private failOpen(error: unknown): null {
    // Both stores failed (the insurance limiter is in memory, so this should not happen): let it through.
    this.logger.warn({ err: String(error) }, 'rate limiter failed; request allowed');
    return null;
  }
}

export function retryAfter(refusal: RateLimiterRes): number {
  return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
}

// Invalidations this instance could not deliver (Redis down, slow or out of reach), per shard, until the
// recovery delivers them; and the writes waiting for that, each for at most the confirmation window.
// Past MAX_PENDING_TAGS the tags are dropped and the recovery moves the epoch instead, which leaves those
// writes unconfirmed. See server/CACHE.md, "Acknowledged invalidation".

const MAX_PENDING_TAGS = 10_000;
// Owed invalidations go out in scripts of this many tags: each is one blocking script run in Redis.
const RECOVERY_BATCH_TAGS = 200;

export interface Delivery {
  /** More was owed than could be kept: the recovery must move the epoch. */
  overflowed: boolean;
  /** What to deliver: per shard, in batches. */
  batches(): Iterable<[shard: string, tags: string[]]>;
  /** All of it went out: forget it and confirm the writes that were waiting when the delivery began. */
  done(): void;
}

export class OwedInvalidations {
  private readonly pending = new Map<string, Set<string>>();
  private count = 0;
  private overflow = false;
  private readonly waiters = new Set<(delivered: boolean) => void>();

  constructor(private readonly confirmMs: number) {}

  /** Keeps the tags; resolves true once a recovery delivered them within the window, false otherwise. */
  add(shard: string, tags: readonly string[]): Promise<boolean> {
    if (this.count + tags.length > MAX_PENDING_TAGS) this.overflow = true;
    else {
      const owed = this.pending.get(shard) ?? new Set<string>();
      this.pending.set(shard, owed);
      for (const tag of tags) {
        if (owed.has(tag)) continue;
        owed.add(tag);
        this.count += 1;
      }
    }
    return new Promise((resolve) => {
      const settle = (delivered: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(settle);
        resolve(delivered);
      };
      const timer = setTimeout(() => settle(false), this.confirmMs);
      this.waiters.add(settle);
    });
  }

  // Writes that owed after this point have tags outside the snapshot: they wait for the next delivery.
  beginDelivery(): Delivery {
    const waiters = [...this.waiters];
    const snapshot = [...this.pending].map(([shard, tags]) => [shard, [...tags]] as const);
    const overflowed = this.overflow;
    return {
      overflowed,
      *batches() {
        for (const [shard, tags] of snapshot)
          for (let i = 0; i < tags.length; i += RECOVERY_BATCH_TAGS) yield [shard, tags.slice(i, i + RECOVERY_BATCH_TAGS)];
      },
      done: () => {
        for (const [shard, tags] of snapshot) {
          const owed = this.pending.get(shard);
          for (const tag of tags) if (owed?.delete(tag)) this.count -= 1;
          if (owed?.size === 0) this.pending.delete(shard);
        }
        if (overflowed) this.overflow = false;
        // A moved epoch is announced but not acknowledged: those writes stay unconfirmed.
        for (const settle of waiters) settle(!overflowed);
      },
    };
  }

  close(): void {
    for (const settle of [...this.waiters]) settle(false);
  }
}

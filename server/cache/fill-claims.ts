// Single-flight across instances: the first instance to miss a key claims its fill in Redis (SET NX
// with a short expiry, next to the entry); an instance that misses while the claim is held waits for
// the entry to appear in L2 instead of executing too, and executes after all if the claim goes away
// without an entry (the fill was refused or failed) or after FILL_WAIT_MS. Whatever it finds in L2 is
// as fresh as any L2 entry: the store script refuses results older than an invalidation (CACHE.md,
// "Reads racing a write"). See server/CACHE.md, "Single-flight".
import type { RedisClient } from '../platform/redis-connection.ts';

/** A claim outlives any sane execution; a claimant that died only delays the others this long. */
const CLAIM_MS = 5_000;
/** Waiters give up and execute themselves after this. */
const FILL_WAIT_MS = 5_000;
const POLL_MS = 5;

export interface FillClaimsDeps {
  cmd: RedisClient;
  /** The Redis key of the entry and of its claim (same slot), under the current epoch. */
  names(key: string, shard: string): { entry: string; claim: string };
  /** Commands may be sent now. */
  healthy(): boolean;
  instanceId: string;
}

export class FillClaims {
  constructor(private readonly deps: FillClaimsDeps) {}

  /** 'claimed': go and execute (then release); 'busy': another instance is filling it; 'failed': Redis did not answer. */
  async claim(key: string, shard: string): Promise<'claimed' | 'busy' | 'failed'> {
    if (!this.deps.healthy()) return 'failed';
    try {
      const set = await this.deps.cmd.set(this.deps.names(key, shard).claim, this.deps.instanceId, 'PX', CLAIM_MS, 'NX');
      return set === 'OK' ? 'claimed' : 'busy';
    } catch {
      return 'failed';
    }
  }

  /** Waits for another instance's fill: the stored payload, or null when this instance should execute. */
  async awaitFill(key: string, shard: string): Promise<Buffer | null> {
    const until = Date.now() + FILL_WAIT_MS;
    const { entry, claim } = this.deps.names(key, shard);
    while (Date.now() < until && this.deps.healthy()) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      try {
        const [payload, holder] = await this.deps.cmd.mgetBuffer(entry, claim);
        if (payload) return payload;
        if (!holder) return null;
      } catch {
        return null;
      }
    }
    return null;
  }

  /** After this instance's fill (stored or not): waiters look once more and then execute or take the entry. */
  release(key: string, shard: string): void {
    if (this.deps.healthy()) void this.deps.cmd.del(this.deps.names(key, shard).claim).catch(() => {});
  }
}

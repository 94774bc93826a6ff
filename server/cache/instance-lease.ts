// This instance's lease on serving from its L1. It is renewed in Redis every third of its length, but
// only once the instance has applied every invalidation announced so far (bus-scripts.ts), so a writer
// that read the lease when its announcement was numbered knows that, when the lease runs out, this
// instance has either applied the announcement or stopped serving L1. After a lapse the instance
// empties L1 and joins again. See server/CACHE.md, "Acknowledged invalidation".
import { renewLease, type BusKeys, type BusRedis } from './bus-scripts.ts';

export interface InstanceLeaseOptions {
  instanceId: string;
  leaseMs: number;
  timeoutMs: number;
  /** The lease ran out (or was never held): L1 must be emptied before the instance joins again. */
  resync(): void;
  /** A renewal failed (Redis slow or gone); counted by the health check. */
  renewalFailed(error: unknown): void;
  renewalSucceeded(): void;
}

export class InstanceLease {
  /** Highest announcement this instance has applied (dropped from its L1, or joined after). */
  private applied = 0;
  private validUntil = 0;
  private joined = false;
  private renewing = false;
  /** A refused renewal waits for this announcement to be applied, then tries again. */
  private catchUpTo: number | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly cmd: BusRedis,
    private readonly keys: BusKeys,
    private readonly options: InstanceLeaseOptions,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(20, Math.floor(options.leaseMs / 3)));
    this.timer.unref();
  }

  /** Whether L1 may be served now. A lapse is noticed here, and the next renewal joins afresh. */
  get valid(): boolean {
    if (Date.now() < this.validUntil) return true;
    if (this.joined) {
      this.joined = false;
      this.options.resync();
    }
    return false;
  }

  /** An announcement was applied (its tags dropped from L1); a waiting renewal may go now. */
  noteApplied(seq: number): void {
    if (seq > this.applied) this.applied = seq;
    if (this.catchUpTo !== null && this.applied >= this.catchUpTo) {
      this.catchUpTo = null;
      void this.renew();
    }
  }

  /** Drops the lease locally at once (the connection to the bus was lost: messages may be missing). */
  lapse(): void {
    this.validUntil = 0;
    if (this.joined) {
      this.joined = false;
      this.options.resync();
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.validUntil = 0;
  }

  async renew(): Promise<void> {
    if (this.closed || this.renewing || this.cmd.status !== 'ready') return;
    this.renewing = true;
    // Counted from before the request: Redis starts the lease later, so ours always ends first.
    const sentAt = Date.now();
    // Not joined means L1 was emptied when the lease was lost (or never held) and nothing was served
    // or stored since: joining needs nothing more.
    const joining = !this.valid;
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        renewLease(this.cmd, this.keys, this.options.instanceId, this.applied, this.options.leaseMs, joining),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('lease renewal timed out')), this.options.timeoutMs))),
      ]);
      this.options.renewalSucceeded();
      if (outcome.granted) {
        if (joining) this.applied = Math.max(this.applied, outcome.current);
        this.validUntil = sentAt + this.options.leaseMs;
        this.joined = true;
      } else {
        this.catchUpTo = outcome.current;
      }
    } catch (error) {
      this.options.renewalFailed(error);
    } finally {
      clearTimeout(timer);
      this.renewing = false;
    }
    if (this.catchUpTo !== null && this.applied >= this.catchUpTo) this.noteApplied(this.applied);
  }
}

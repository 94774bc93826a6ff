// A writer waits here until every instance that held a lease when its invalidation was numbered has
// acknowledged applying it, or until that instance's lease has run out (then it has stopped serving
// L1: instance-lease.ts). Acknowledgements arrive on the bus's ack channel as the highest sequence
// number each instance has applied. See server/CACHE.md, "Acknowledged invalidation".
import type { Announcement } from './bus-scripts.ts';

interface Wait {
  seq: number;
  outstanding: Set<string>;
  timers: NodeJS.Timeout[];
  timedOut: string[];
  resolve(timedOut: string[]): void;
}

export class InvalidationAcks {
  private readonly applied = new Map<string, number>();
  private readonly waits = new Set<Wait>();

  constructor(private readonly self: string) {}

  /** An instance says it has applied every announcement up to `seq`. */
  receive(instance: string, seq: number): void {
    if (seq <= (this.applied.get(instance) ?? 0)) return;
    this.applied.set(instance, seq);
    for (const wait of this.waits) if (seq >= wait.seq && wait.outstanding.delete(instance)) this.settleIfDone(wait);
  }

  /**
   * Resolves with the instances whose leases ran out instead of acknowledging (empty when all did).
   * Each is waited for at most what its lease had left when Redis numbered the announcement, counted
   * from now, which is later: by then it has applied the announcement or stopped serving L1.
   */
  wait(announcement: Announcement): Promise<string[]> {
    const outstanding = new Set<string>();
    for (const [instance, remainingMs] of announcement.leases) {
      if (instance === this.self || remainingMs <= 0) continue;
      if ((this.applied.get(instance) ?? 0) >= announcement.seq) continue;
      outstanding.add(instance);
    }
    if (outstanding.size === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const wait: Wait = { seq: announcement.seq, outstanding, timers: [], timedOut: [], resolve };
      for (const instance of outstanding) {
        const timer = setTimeout(
          () => {
            if (!wait.outstanding.delete(instance)) return;
            wait.timedOut.push(instance);
            this.settleIfDone(wait);
          },
          announcement.leases.get(instance)! + 1,
        );
        wait.timers.push(timer);
      }
      this.waits.add(wait);
    });
  }

  close(): void {
    for (const wait of this.waits) {
      for (const timer of wait.timers) clearTimeout(timer);
      wait.resolve([...wait.outstanding]);
    }
    this.waits.clear();
  }

  private settleIfDone(wait: Wait): void {
    if (wait.outstanding.size > 0) return;
    for (const timer of wait.timers) clearTimeout(timer);
    this.waits.delete(wait);
    wait.resolve(wait.timedOut);
  }
}

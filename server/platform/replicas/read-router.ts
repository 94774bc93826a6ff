// Decides where each read outside a transaction goes: a replica in service that has replayed the
// read's floor (read-floor.ts), else the primary. Within a request, reads stay where they went first
// (the same replica while it still qualifies, then the primary; the primary once they went there), so
// one response never mixes an older state into a newer one. Outside a request (live re-executions, warming) the
// most advanced replica is used. Counts every decision for deskgraph_db_reads_total.
import { currentTally } from '../sql-statements.ts';
import type { ReplicaState } from './lsn-poller.ts';
import { readFloor } from './read-floor.ts';

/** Why a read went to the primary: pinned (a mutation, a tool), behind (no replica in service had replayed its floor),
 *  unavailable (none in service), request (earlier reads of its request went there), retry (a replica failed it). */
export type PrimaryReason = 'pinned' | 'behind' | 'unavailable' | 'request' | 'retry';

export interface ReadCounts {
  replica: number;
  primary: Record<PrimaryReason, number>;
}

export class ReadRouter {
  readonly counts: ReadCounts = { replica: 0, primary: { pinned: 0, behind: 0, unavailable: 0, request: 0, retry: 0 } };
  private rotation = 0;

  constructor(private readonly replicas: readonly ReplicaState[]) {}

  /** The replica (its index) to send a read to, or 'primary'. */
  route(): number | 'primary' {
    const state = currentTally();
    if (state?.primary) return this.toPrimary('pinned');
    if (state?.readFrom === 'primary') return this.toPrimary('request');
    const floor = readFloor();
    const usable = (i: number) => this.replicas[i]!.inService && this.replicas[i]!.replayLsn >= floor;
    if (typeof state?.readFrom === 'number') {
      if (usable(state.readFrom)) return this.toReplica(state.readFrom);
      // Another replica may be behind what this one served: only the primary is surely ahead of it.
      state.readFrom = 'primary';
      return this.toPrimary('request');
    }
    const chosen = this.pick(usable, state !== undefined);
    if (chosen === null) {
      if (state) state.readFrom = 'primary';
      return this.toPrimary(this.replicas.some((r) => r.inService) ? 'behind' : 'unavailable');
    }
    if (state) state.readFrom = chosen;
    return this.toReplica(chosen);
  }

  /** A replica failed a read, which is sent to the primary instead; the rest of its request stays there. */
  retried(): void {
    const state = currentTally();
    if (state) state.readFrom = 'primary';
    this.counts.primary.retry += 1;
  }

  private pick(usable: (i: number) => boolean, spread: boolean): number | null {
    const n = this.replicas.length;
    if (!spread) {
      // No request to keep consistent: the most advanced replica, so that consecutive reads never go back.
      let best: number | null = null;
      for (let i = 0; i < n; i += 1)
        if (usable(i) && (best === null || this.replicas[i]!.replayLsn > this.replicas[best]!.replayLsn)) best = i;
      return best;
    }
    // Requests take turns, so the replicas share the load.
    this.rotation = (this.rotation + 1) % n;
    for (let k = 0; k < n; k += 1) {
      const i = (this.rotation + k) % n;
      if (usable(i)) return i;
    }
    return null;
  }

  private toReplica(index: number): number {
    this.counts.replica += 1;
    return index;
  }

  private toPrimary(reason: PrimaryReason): 'primary' {
    this.counts.primary[reason] += 1;
    return 'primary';
  }
}

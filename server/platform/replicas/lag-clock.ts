// How far behind a replica is, in time, from its replay LSN. The primary's pg_current_wal_lsn() is
// sampled on every poll; a replica is as far behind as the oldest WAL it has not replayed: the time
// since the primary first showed a position beyond the replica's. Caught up means 0, however long the
// primary has been idle, where now() - pg_last_xact_replay_timestamp() would keep growing on an idle
// primary and take every replica out for nothing.
interface Sample {
  at: number;
  lsn: bigint;
}

export class LagClock {
  /** Distinct primary positions, oldest first, each with when it was first seen. */
  private samples: Sample[] = [];

  /** @param horizonMs lags beyond this need not be told apart (twice the maximum lag is plenty). */
  constructor(private readonly horizonMs: number) {}

  /** The primary's position as read at `at`. */
  primaryAt(lsn: bigint, at: number): void {
    const last = this.samples.at(-1);
    if (last && lsn <= last.lsn) return;
    this.samples.push({ at, lsn });
    // Forget samples past the horizon, but keep the newest of those: a replica behind all the others is
    // then reported at least horizonMs behind, never as fresh as the oldest sample kept.
    const cutoff = at - this.horizonMs;
    let drop = 0;
    while (drop + 1 < this.samples.length && this.samples[drop + 1]!.at < cutoff) drop += 1;
    if (drop > 0) this.samples.splice(0, drop);
  }

  /** Milliseconds the replica at `replayLsn` is behind at `now`; 0 when it has replayed all the primary showed. */
  lagMs(replayLsn: bigint, now: number): number {
    const ahead = this.samples.find((sample) => sample.lsn > replayLsn);
    return ahead ? Math.max(0, now - ahead.at) : 0;
  }
}

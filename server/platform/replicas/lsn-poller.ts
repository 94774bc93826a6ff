// Reads, on a short interval, how far each replica has replayed the primary's WAL, and decides which
// replicas are in service: one that cannot be polled (down, unreachable, not a standby) or lags more
// than DATABASE_REPLICA_MAX_LAG_MS is taken out, and put back once it answers and has caught up to
// half that lag (so one hovering at the limit does not flap). Each change is logged once.
// One statement per replica and one on the primary per tick, each over a dedicated one-connection
// pool, so polling never waits behind requests for a connection nor takes one from them.
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { LagClock } from './lag-clock.ts';
import { lsnFromPg } from './lsn.ts';
import { primarySampled } from './read-floor.ts';

export interface ReplicaState {
  /** replica1, replica2…: the metrics' label, in DATABASE_REPLICA_URLS order. */
  readonly name: string;
  /** Its URL without password, for logs. */
  readonly label: string;
  inService: boolean;
  /** The last replay position read; 0 before the first. A lower bound of what it serves while it stays up. */
  replayLsn: bigint;
  /** How far behind it was at the last poll, in ms; null before the first. */
  lagMs: number | null;
  /** Why it is out of service; null while in. */
  outReason: string | null;
}

export interface PollerSettings {
  maxLagMs: number;
  pollMs: number;
  connectTimeoutMs: number;
}

/** A poll that has not answered by then counts as failed: a hung replica must go out as surely as a dead one. */
const pollTimeoutMs = (pollMs: number) => Math.max(1000, 4 * pollMs);

interface Polled {
  pool: pg.Pool;
  busy: boolean;
}

export class LsnPoller {
  private readonly primary: Polled;
  private readonly polled: Polled[];
  private readonly clock: LagClock;
  private timer: NodeJS.Timeout | null = null;
  /** Whether each replica's state has been logged yet (the first verdict is logged either way). */
  private readonly announced: boolean[];

  constructor(
    primaryUrl: string,
    readonly replicas: ReplicaState[],
    urls: readonly string[],
    private readonly settings: PollerSettings,
    private readonly logger: Logger,
  ) {
    const pool = (url: string): Polled => {
      const created = new pg.Pool({
        connectionString: url,
        max: 1,
        connectionTimeoutMillis: Math.min(settings.connectTimeoutMs, pollTimeoutMs(settings.pollMs)),
        query_timeout: pollTimeoutMs(settings.pollMs),
        application_name: 'deskgraph-replica-poll',
      });
      // A replica going away errors its idle connection; the next poll says so, the process must not crash.
      created.on('error', () => {});
      return { pool: created, busy: false };
    };
    this.primary = pool(primaryUrl);
    this.polled = urls.map(pool);
    this.clock = new LagClock(2 * settings.maxLagMs);
    this.announced = replicas.map(() => false);
  }

  /** Polls now and then every pollMs; the timer does not keep the process alive. */
  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.pollMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.primary, ...this.polled].map(({ pool }) => pool.end().catch(() => {})));
  }

  /** A statement failed on the replica for a reason of the connection: out now, rather than at the next poll. */
  connectionFailed(index: number, error: unknown): void {
    this.verdict(index, `a read failed: ${message(error)}`);
  }

  private async tick(): Promise<void> {
    await Promise.all([this.samplePrimary(), ...this.polled.map((_, i) => this.sampleReplica(i))]);
  }

  private async samplePrimary(): Promise<void> {
    const started = performance.now();
    const result = await poll(this.primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
    // The primary unreachable: lags are judged against what was last seen (writes fail anyway).
    if (result === 'busy' || typeof result !== 'string') return;
    const lsn = lsnFromPg(result);
    this.clock.primaryAt(lsn, Date.now());
    primarySampled(lsn, started);
  }

  private async sampleReplica(index: number): Promise<void> {
    const result = await poll(this.polled[index]!, 'SELECT pg_last_wal_replay_lsn()::text AS lsn');
    if (result === 'busy') return;
    if (result instanceof Error) return this.verdict(index, `cannot be polled: ${result.message}`);
    if (result === null) return this.verdict(index, 'replays no WAL (not a standby, or promoted)');
    const state = this.replicas[index]!;
    // As read, not the highest seen: a replica restarted after a crash opens at its consistent point,
    // which can be before what it had replayed (and served) before.
    state.replayLsn = lsnFromPg(result);
    state.lagMs = this.clock.lagMs(state.replayLsn, Date.now());
    const limit = state.inService ? this.settings.maxLagMs : this.settings.maxLagMs / 2;
    this.verdict(index, state.lagMs > limit ? `lags ${state.lagMs} ms (DATABASE_REPLICA_MAX_LAG_MS is ${this.settings.maxLagMs})` : null);
  }

  /** Records whether the replica is in service (reason null) or out (and why); logs a change once. */
  private verdict(index: number, reason: string | null): void {
    const state = this.replicas[index]!;
    const inService = reason === null;
    const changed = inService !== state.inService || !this.announced[index];
    state.outReason = reason;
    if (!changed) return;
    state.inService = inService;
    this.announced[index] = true;
    const fields = { replica: state.name, url: state.label, lagMs: state.lagMs };
    if (inService) this.logger.info(fields, `read replica ${state.name} in service`);
    else this.logger.warn({ ...fields, reason }, `read replica ${state.name} out of service: ${reason}; its reads go to the primary`);
  }
}

/** One statement on a polling pool: its single text column, null for SQL NULL, an Error, or 'busy' while the last one runs. */
async function poll(target: Polled, sql: string): Promise<string | null | Error | 'busy'> {
  if (target.busy) return 'busy';
  target.busy = true;
  try {
    const { rows } = await target.pool.query<{ lsn: string | null }>(sql);
    return rows[0]?.lsn ?? null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    target.busy = false;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

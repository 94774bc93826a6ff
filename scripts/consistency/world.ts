// What the workload shares: the sessions, the model, per-ticket locks (so each ticket's writes are
// totally ordered), the counters of the report, and the queue of reads waiting to be judged. A read
// is judged only once every write that started before it ended has been recorded with its outcome:
// judging earlier would miss a write still in flight and call its value stale.
import type { ReadContext, Transport, Violation, WriteRecord } from './history.ts';
import type { Model } from './model.ts';
import type { Random } from './random.ts';
import type { Caller, CallResult, Session } from './sessions.ts';
import type { Attempt } from './transport.ts';

class Locks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Takes every lock (in one global order, so two bulk updates never deadlock); returns the release. */
  async acquire(ids: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const id of [...new Set(ids)].sort()) {
      const previous = this.tails.get(id) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(id, tail);
      await previous;
      releases.push(() => {
        release();
        if (this.tails.get(id) === tail) this.tails.delete(id);
      });
    }
    return () => releases.forEach((r) => r());
  }
}

class Stats {
  readonly ops = new Map<string, number>();
  readonly transports = new Map<string, number>();
  readonly latencies: number[] = [];
  readFailures = 0;
  indeterminateWrites = 0;
  readsChecked = 0;
  /** Oddities worth a line in the report that are not violations. */
  readonly notes: string[] = [];

  count(kind: string, result: CallResult): void {
    this.ops.set(kind, (this.ops.get(kind) ?? 0) + 1);
    for (const attempt of result.attempts) {
      this.transports.set(attempt.via, (this.transports.get(attempt.via) ?? 0) + 1);
      if (!attempt.error) this.latencies.push(attempt.end - attempt.start);
    }
  }
}

type PendingRead = { end: number; judge: () => Violation[] };

export class World {
  readonly locks = new Locks();
  readonly stats = new Stats();
  readonly violations: Violation[] = [];
  private writeSeq = 0;
  private opSeq = 0;
  private readSeq = 0;
  private readonly inFlight = new Map<number, number>();
  private readonly pendingReads: PendingRead[] = [];

  constructor(
    readonly model: Model,
    readonly caller: Caller,
    readonly sessions: Session[],
    /** Staff user IDs per organization (possible assignees). */
    readonly staff: Map<string, string[]>,
    /** The tag every ticket of this run carries, unique per run. */
    readonly runTag: string,
    readonly maxTicketsPerOrg: number,
  ) {}

  sessionsOf(org: string, roles: Session['role'][]): Session[] {
    return this.sessions.filter((s) => s.org === org && roles.includes(s.role));
  }

  nextWriteSeq(): number {
    return ++this.writeSeq;
  }

  nextReadSeq(): number {
    return ++this.readSeq;
  }

  /** Marks a write operation in flight from now: reads that end after this wait for its outcome. */
  beginWrite(): number {
    const op = ++this.opSeq;
    this.inFlight.set(op, this.caller.now());
    return op;
  }

  endWrite(op: number): void {
    this.inFlight.delete(op);
    this.drain();
  }

  /** One record per attempt of a write on one ticket that reached a server (a refused connection did not). */
  records(
    op: number,
    ticketId: string,
    session: Session,
    kind: WriteRecord['kind'],
    result: CallResult,
    set: WriteRecord['set'],
    comment?: WriteRecord['comment'],
  ): WriteRecord[] {
    return result.attempts.flatMap((attempt, i): WriteRecord[] => {
      if (!reachedServer(attempt)) return [];
      const ok = i === result.attempts.length - 1 && result.ok;
      if (!ok) this.stats.indeterminateWrites++;
      return [
        {
          seq: this.nextWriteSeq(),
          op,
          kind,
          ticketId,
          viewer: session.name,
          instance: attempt.instance,
          via: attempt.via,
          start: attempt.start,
          end: attempt.end,
          outcome: ok ? 'ok' : 'indeterminate',
          ...(attempt.error ? { error: attempt.error } : {}),
          set,
          ...(comment ? { comment } : {}),
        },
      ];
    });
  }

  /** Queues a read's judgement until no write that started before the read ended is still in flight. */
  judge(end: number, judge: () => Violation[]): void {
    this.pendingReads.push({ end, judge });
    this.drain();
  }

  /** Judges every queued read (call when no write is in flight any more). */
  drain(): void {
    const oldest = Math.min(...this.inFlight.values());
    for (let i = 0; i < this.pendingReads.length;) {
      const read = this.pendingReads[i]!;
      if (read.end < oldest) {
        this.pendingReads.splice(i, 1);
        this.stats.readsChecked++;
        this.violations.push(...read.judge());
      } else i++;
    }
  }

  context(kind: ReadContext['kind'], session: Session, result: CallResult, phase: ReadContext['phase'] = 'run'): ReadContext {
    const last = result.attempts.at(-1)!;
    return {
      seq: this.nextReadSeq(),
      kind,
      viewer: { name: session.name, org: session.org, customerId: session.role === 'CUSTOMER' ? session.userId : null },
      instance: last.instance,
      via: last.via,
      start: last.start,
      end: last.end,
      phase,
    };
  }
}

/** ECONNREFUSED: nothing listened, so the request never ran anywhere (every other failure may have run). */
export const reachedServer = (attempt: Attempt) => attempt.error !== 'ECONNREFUSED';

/** How an operation is sent: reads by hash over GET or POST, or as text; writes by hash or as text. */
export function chooseTransport(random: Random, read: boolean): Transport {
  return read
    ? random.pick(['persisted-get', 'persisted-post', 'plain-post'] as const)
    : random.pick(['persisted-post', 'plain-post'] as const);
}

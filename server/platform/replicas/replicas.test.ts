// The parts of read routing that need no server: LSNs, the lag clock, which statements a replica may run,
// and where the router sends a read given the replicas' state and the floors (real replicas:
// test/read-replicas.pg.test.ts).
import { describe, expect, it } from 'vitest';
import { withStatementTally, type StatementTally } from '../sql-statements.ts';
import { LagClock } from './lag-clock.ts';
import type { ReplicaState } from './lsn-poller.ts';
import { lsnFromPg, lsnFromWire, lsnToWire } from './lsn.ts';
import { observeLsn, onPrimary, pinToPrimary, readFloor, recordWrite, requestWriteLsn, requireLsn } from './read-floor.ts';
import { isReadOnly } from './read-only-sql.ts';
import { ReadRouter } from './read-router.ts';

describe('LSNs', () => {
  it("reads PostgreSQL's form and writes 16 hex digits that compare as strings like the positions", () => {
    expect(lsnFromPg('16/B374D848')).toBe(0x16b374d848n);
    expect(lsnFromPg('0/3000000')).toBe(0x3000000n);
    expect(lsnToWire(0x16b374d848n)).toBe('00000016b374d848');
    const values = [0n, 1n, 0xffn, 0x100n, 0x1_0000_0000n, 0x16b374d848n, 0xffff_ffff_ffff_ffffn];
    for (const a of values) {
      expect(lsnFromWire(lsnToWire(a))).toBe(a);
      for (const b of values) expect(lsnToWire(a) < lsnToWire(b)).toBe(a < b);
    }
  });

  it('refuses what is not an LSN', () => {
    expect(() => lsnFromPg('16B374D848')).toThrow(/not a PostgreSQL LSN/);
    expect(lsnFromWire('16/B374D848')).toBeNull();
    expect(lsnFromWire('00000016B374D848')).toBeNull(); // upper case would not compare as strings
    expect(lsnFromWire('16b374d848')).toBeNull();
  });
});

describe('the lag clock', () => {
  it('says 0 for a replica that has replayed all the primary showed, however long the primary was idle', () => {
    const clock = new LagClock(10_000);
    clock.primaryAt(100n, 0);
    clock.primaryAt(100n, 60_000);
    expect(clock.lagMs(100n, 60_000)).toBe(0);
  });

  it('measures from when the primary first showed WAL the replica has not replayed', () => {
    const clock = new LagClock(10_000);
    clock.primaryAt(100n, 0);
    clock.primaryAt(200n, 1_000);
    clock.primaryAt(300n, 2_000);
    expect(clock.lagMs(150n, 2_500)).toBe(1_500);
    expect(clock.lagMs(250n, 2_500)).toBe(500);
    expect(clock.lagMs(300n, 2_500)).toBe(0);
  });

  it('forgets old positions but still reports a replica behind all of them as at least the horizon behind', () => {
    const clock = new LagClock(1_000);
    for (let t = 0; t <= 10_000; t += 100) clock.primaryAt(BigInt(t + 1), t);
    expect(clock.lagMs(0n, 10_000)).toBeGreaterThanOrEqual(1_000);
  });
});

describe('statements a replica may run', () => {
  it('takes reads, never writes, locks or sequence calls', () => {
    expect(isReadOnly('SELECT "id", "updatedAt" FROM "Ticket" WHERE "id" = $1')).toBe(true);
    expect(isReadOnly('  WITH t AS (SELECT 1) SELECT * FROM t')).toBe(true);
    expect(isReadOnly('(SELECT 1) UNION (SELECT 2)')).toBe(true);
    expect(isReadOnly('INSERT INTO "Ticket" ("title") VALUES ($1) RETURNING "id"')).toBe(false);
    expect(isReadOnly('UPDATE "Ticket" SET "title" = $1 RETURNING "id"')).toBe(false);
    expect(isReadOnly('WITH moved AS (DELETE FROM "Tag" RETURNING *) SELECT * FROM moved')).toBe(false);
    expect(isReadOnly('SELECT 1 FROM "Organization" WHERE "id" = $1 FOR UPDATE')).toBe(false);
    expect(isReadOnly('SELECT * FROM "Ticket" FOR NO KEY UPDATE')).toBe(false);
    expect(isReadOnly('SELECT * FROM "Ticket" FOR KEY SHARE')).toBe(false);
    expect(isReadOnly("SELECT nextval('x')")).toBe(false);
    expect(isReadOnly('SELECT pg_advisory_xact_lock(1)')).toBe(false);
  });
});

// The watermark is the process's: these tests only raise it, each above the last.
describe('where the router sends a read', () => {
  const replicas = (...states: [inService: boolean, replayLsn: bigint][]): ReplicaState[] =>
    states.map(([inService, replayLsn], i) => ({ name: `replica${i + 1}`, label: '', inService, replayLsn, lagMs: 0, outReason: null }));
  const request = <T>(fn: () => T, state: StatementTally = { count: 0 }) => withStatementTally(state, fn);

  it("sends a read to a replica that has replayed the process's watermark, else to the primary", () => {
    const set = replicas([true, 0x100n]);
    const router = new ReadRouter(set);
    observeLsn(lsnToWire(0x100n));
    expect(request(() => router.route())).toBe(0);
    observeLsn(lsnToWire(0x101n));
    expect(request(() => router.route())).toBe('primary');
    expect(router.counts).toMatchObject({ replica: 1, primary: { behind: 1 } });
    set[0]!.inService = false;
    set[0]!.replayLsn = 0x200n;
    expect(request(() => router.route())).toBe('primary');
    expect(router.counts.primary.unavailable).toBe(1);
  });

  it("honours a request's own floor, in that request only", () => {
    const router = new ReadRouter(replicas([true, 0x300n]));
    observeLsn(lsnToWire(0x200n));
    expect(request(() => (requireLsn(lsnToWire(0x301n)), router.route()))).toBe('primary');
    expect(request(() => (requireLsn(lsnToWire(0x300n)), router.route()))).toBe(0);
    expect(request(() => router.route())).toBe(0);
  });

  it('keeps a request where its reads went first, so that they never go back in time', () => {
    const set = replicas([true, 0x400n], [true, 0x420n]);
    const router = new ReadRouter(set);
    observeLsn(lsnToWire(0x450n));
    const state: StatementTally = { count: 0 };
    expect(request(() => router.route(), state)).toBe('primary');
    set[0]!.replayLsn = 0x600n;
    expect(request(() => router.route(), state)).toBe('primary');
    expect(router.counts.primary).toMatchObject({ behind: 1, request: 1 });
    // Another request goes to the replica that caught up, and stays there while it qualifies.
    set[1]!.replayLsn = 0x700n;
    const other: StatementTally = { count: 0 };
    const first = request(() => router.route(), other);
    expect(first).not.toBe('primary');
    for (let i = 0; i < 5; i += 1) expect(request(() => router.route(), other)).toBe(first);
    // When it no longer qualifies, not the other replica (it may be behind what the first one served): the primary.
    set[first as number]!.inService = false;
    expect(request(() => router.route(), other)).toBe('primary');
    set[first as number]!.inService = true;
    expect(request(() => router.route(), other)).toBe('primary');
    // Requests take turns: both replicas serve some.
    const targets = new Set(Array.from({ length: 4 }, () => request(() => router.route())));
    expect(targets).toEqual(new Set([0, 1]));
  });

  it('sends everything of a pinned request (a mutation, a tool) to the primary', () => {
    const router = new ReadRouter(replicas([true, 0x1_0000n]));
    expect(request(() => (pinToPrimary(), router.route()))).toBe('primary');
    expect(onPrimary(() => router.route())).toBe('primary');
    expect(pinToPrimary()).toBe(false); // outside a request there is nothing to pin
    expect(router.counts.primary.pinned).toBe(2);
  });

  it("records a write's LSN for its request and raises the watermark with it", () => {
    const state: StatementTally = { count: 0 };
    request(() => recordWrite(0x2_0000n), state);
    expect(request(() => requestWriteLsn(), state)).toBe('0000000000020000');
    expect(request(() => requestWriteLsn())).toBeNull();
    expect(readFloor()).toBe(0x2_0000n);
    observeLsn('not an lsn');
    expect(readFloor()).toBe(0x2_0000n);
  });
});

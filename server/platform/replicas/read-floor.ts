// What a read needs a replica to have replayed before it may be served there: the read's floor. It is
// the higher of two LSNs:
// - the process's watermark: every write this process committed, and every write it was told about
//   (observeLsn: another instance's invalidation carries the LSN of the write behind it);
// - the request's own floor (requireLsn: e.g. a cache lookup learned the LSN of the last write to the
//   organization's data from Redis).
// A write's LSN is captured on the primary right after it commits (routing-adapter.ts), so it is known
// before the mutation's resolver returns, before it invalidates anything, and before its response.
// The watermark is per process, not per database: LSNs of different clusters in one process (tests)
// only ever make it too high, which sends reads to the primary, never to a stale replica.
import { currentTally, withStatementTally } from '../sql-statements.ts';
import { lsnFromWire, lsnToWire } from './lsn.ts';

let watermark = 0n;
/** When a write committed whose LSN could not be read (performance.now()); null when there is none. */
let unknownWriteAt: number | null = null;
const EVERYTHING = (1n << 64n) - 1n;

/** Raises the process's watermark to a write's LSN (wire form); what is not an LSN is ignored. */
export function observeLsn(lsn: string): void {
  const value = lsnFromWire(lsn);
  if (value !== null && value > watermark) watermark = value;
}

/**
 * Raises the current request's floor: its later reads go to a replica only if it has replayed `lsn`
 * (wire form). Outside a request there is nothing to raise (use observeLsn for what every read must see).
 */
export function requireLsn(lsn: string): void {
  const state = currentTally();
  const value = lsnFromWire(lsn);
  if (state && value !== null && value > (state.lsnFloor ?? 0n)) state.lsnFloor = value;
}

/** The LSN (wire form) of the current request's last committed write; null when it wrote nothing (or replicas are off). */
export function requestWriteLsn(): string | null {
  const lsn = currentTally()?.writeLsn;
  return lsn === undefined ? null : lsnToWire(lsn);
}

/** Sends every statement of the current request to the primary (a mutation: its reads see what it is about to change). */
export function pinToPrimary(): boolean {
  const state = currentTally();
  if (state) state.primary = true;
  return state !== undefined;
}

/** Whether the current request's reads so far were served by a replica (a miss there may be a write it has not replayed). */
export function readFromReplica(): boolean {
  return typeof currentTally()?.readFrom === 'number';
}

/** Runs fn with every statement it sends on the primary, in a request of its own (migrations, seeding, tools). */
export function onPrimary<T>(fn: () => T): T {
  return withStatementTally({ count: 0, primary: true }, fn);
}

/** The LSN a replica must have replayed to serve a read of the current context. */
export function readFloor(): bigint {
  if (unknownWriteAt !== null) return EVERYTHING;
  const own = currentTally()?.lsnFloor ?? 0n;
  return own > watermark ? own : watermark;
}

/** A write committed at `lsn`: every later read of this process, and the writing request's token, must see it. */
export function recordWrite(lsn: bigint): void {
  if (lsn > watermark) watermark = lsn;
  const state = currentTally();
  if (state && lsn > (state.writeLsn ?? 0n)) state.writeLsn = lsn;
}

/**
 * A write committed but its LSN could not be read (the primary's connection failed right after): every
 * read goes to the primary until a position of the primary read after that moment is known.
 */
export function recordUnknownWrite(): void {
  unknownWriteAt = performance.now();
}

/** The poller read the primary's position (a query started at `startedAt`); it covers every write committed before. */
export function primarySampled(lsn: bigint, startedAt: number): void {
  if (unknownWriteAt === null || startedAt <= unknownWriteAt) return;
  unknownWriteAt = null;
  if (lsn > watermark) watermark = lsn;
}

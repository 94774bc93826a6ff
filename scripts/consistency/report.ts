// What a run prints: the seed and the command that replays it, ops (by kind and transport), retries,
// faults with their times, latency, and every violation with its history (the writes that decide it
// and the read), times in seconds since the run began.
import type { FaultEvent } from './faults.ts';
import type { ReadContext, Violation, WriteRecord } from './history.ts';

export interface RunSummary {
  seed: number;
  command: string;
  targets: string[];
  elapsedMs: number;
  ops: number;
  opsByKind: Record<string, number>;
  transports: Record<string, number>;
  retries: Record<string, number>;
  readsChecked: number;
  readFailures: number;
  indeterminateWrites: number;
  faults: FaultEvent[];
  /** Faults asked for that this run could not inject, and why. */
  skippedFaults: string[];
  p50: number;
  p99: number;
  notes: string[];
  violations: Violation[];
}

const s = (ms: number) => `+${(ms / 1000).toFixed(3)}s`;
const entries = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function describeWrite(w: WriteRecord): string {
  const change = w.comment
    ? `${w.comment.internal ? 'internal' : 'public'} comment ${JSON.stringify(w.comment.body)}`
    : JSON.stringify(w.set);
  const outcome = w.outcome === 'ok' ? `ack ${s(w.end)}` : `failed ${s(w.end)} (${w.error ?? 'indeterminate'})`;
  return `w#${w.seq} ${w.kind} by ${w.viewer} on ${w.instance} (${w.via}) sent ${s(w.start)} → ${outcome}: ${change}`;
}

function describeRead(r: ReadContext): string {
  return `read #${r.seq} ${r.kind}${r.phase === 'final' ? ' (final sweep)' : ''} by ${r.viewer.name} on ${r.instance} (${r.via}) ${s(r.start)} → ${s(r.end)}`;
}

/** Faults that were under way during the read or ended less than this before it, named next to it. */
const FAULT_NEAR_MS = 5000;

function formatViolation(v: Violation, index: number, faults: readonly FaultEvent[]): string {
  const lines = [`#${index + 1} ${v.kind}: ${v.message}`, `    ${describeRead(v.read)}`];
  for (const w of v.writes) lines.push(`    ${describeWrite(w)}`);
  for (const f of faults) {
    if (f.start <= v.read.end && f.end + FAULT_NEAR_MS >= v.read.start)
      lines.push(`    near fault ${f.kind} ${f.target} ${s(f.start)} → ${s(f.end)}`);
  }
  return lines.join('\n');
}

/** At most this many violations are printed in full (all are counted). */
const SHOWN = 25;

export function formatReport(summary: RunSummary): string {
  const byKind: Record<string, number> = {};
  for (const v of summary.violations) byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
  const seconds = summary.elapsedMs / 1000;
  const lines = [
    `consistency check: seed ${summary.seed} (replay: ${summary.command})`,
    `targets: ${summary.targets.join(', ')}`,
    `ops: ${summary.ops} in ${seconds.toFixed(1)} s (${(summary.ops / seconds).toFixed(0)}/s), requests p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
    `  by kind: ${entries(summary.opsByKind)}`,
    `  requests by transport: ${entries(summary.transports)}`,
    `  reads judged: ${summary.readsChecked}; reads that failed after retries: ${summary.readFailures}; indeterminate write attempts: ${summary.indeterminateWrites}`,
    `  retries (by cause): ${entries(summary.retries)}`,
    `faults injected: ${summary.faults.length}`,
    ...summary.faults.map((f) => `  ${s(f.start)} → ${s(f.end)} ${f.kind} ${f.target}: ${f.note}`),
    ...summary.skippedFaults.map((why) => `  skipped: ${why}`),
    ...summary.notes.slice(0, 10).map((note) => `note: ${note}`),
    `violations: ${summary.violations.length}${summary.violations.length ? ` (${entries(byKind)})` : ''}`,
    ...summary.violations.slice(0, SHOWN).map((v, i) => formatViolation(v, i, summary.faults)),
  ];
  if (summary.violations.length > SHOWN) lines.push(`… ${summary.violations.length - SHOWN} more violations not shown`);
  return lines.join('\n');
}

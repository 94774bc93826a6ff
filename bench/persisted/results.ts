// bench/results/persisted-ops.json: settings, the manifest's names, checks, notes and every figure.
import { writeResults, type codeState } from '../lib/util.ts';
import { manifestNames, type Manifest } from './manifest.ts';
import { AGENT, HOT, roundTrip, roundTrip304, roundTripBr, type BytesRow, type Findings, type ThroughputRow } from './model.ts';
import type { Totals } from './report.ts';

export interface Recorded {
  code: ReturnType<typeof codeState>;
  databaseSource: string;
  settings: { duration: number; warmup: number; connections: number; rounds: number; scale: number };
  manifest: Manifest;
  findings: Findings;
  bytesRows: BytesRow[];
  totals: Totals;
  throughputRows: ThroughputRow[];
}

export function writeJson(root: string, r: Recorded): string {
  const base = r.throughputRows.find((x) => x.key === 'a');
  return writeResults(root, 'persisted-ops.json', {
    at: new Date().toISOString(),
    code: r.code,
    database: r.databaseSource,
    settings: { ...r.settings, hot: HOT, user: AGENT },
    manifest: manifestNames(r.manifest),
    checks: r.findings.checks,
    notes: r.findings.notes,
    bytes: r.bytesRows.map((b) => ({
      operation: b.operation,
      user: b.user,
      form: b.form,
      instance: b.instance,
      identity: b.identity,
      br: b.br,
      gzip: b.gzip,
      notModified: b.notModified,
      notModifiedBr: b.notModifiedBr,
      miss: b.miss,
      roundTrip: roundTrip(b),
      roundTripBr: roundTripBr(b),
      roundTrip304: roundTrip304(b),
    })),
    bytesTotals: r.totals,
    throughput: r.throughputRows.map((t) => ({
      key: t.key,
      label: t.label,
      instance: t.instance,
      rps: t.load.rps,
      ratioToA: base ? t.load.rps / base.load.rps : null,
      sliceRps: t.slices,
      p50Ms: t.load.p50,
      p99Ms: t.load.p99,
      requests: t.load.requests,
      bytesPerResponse: t.load.bytesPerResponse,
      rawResponseBytes: t.expectedResponseBytes,
      statusCodes: t.load.statusCodes,
      mismatches: t.load.mismatches,
      mismatchSamples: t.load.samples,
      connectionErrors: t.load.connectionErrors,
      timeouts: t.load.timeouts,
      cache: t.cache,
    })),
  });
}

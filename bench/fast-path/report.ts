// The table of bench:fast-path, its JSON, and the verdict: the bar is set on POST (what clients send);
// GET is shown for information.
import path from 'node:path';
import { describeCode, fmt, log, table, warn, writeResults, type codeState } from '../lib/util.ts';
import type { FastSettings, Row } from './measure.ts';
import { OPERATION, type Method } from './requests.ts';

const THRESHOLD = 0.5;

const isFastMemory = (r: Row) => r.target.startsWith('deskgraph fast path (memory');

/** Ratios to the bare server of the same method, overall and slice by slice. */
function ratios(rows: Row[]) {
  const bareRow = (method: Method) => rows.find((r) => r.target === 'bare node:http' && r.method === method);
  const bareRps = (method: Method) => bareRow(method)?.load.rps ?? null;
  const toBare = (r: Row) => (bareRps(r.method) ? r.load.rps / bareRps(r.method)! : null);
  /** Only when interleaved with the bare server: its slices were taken in turn with this row's. */
  const perSlice = (r: Row): number[] => {
    const bare = bareRow(r.method);
    if (!bare || bare === r || r.slices.length !== bare.slices.length || r.slices.length < 2) return [];
    return r.slices.map((rps, i) => rps / bare.slices[i]!);
  };
  return { toBare, perSlice };
}

const errorsOf = (r: Row) => r.load.non2xx + r.load.connectionErrors + r.load.timeouts + r.load.mismatches;

function verdictOf(r: Row, ratio: number | null): string {
  if (!isFastMemory(r) || ratio == null) return '';
  const ok = ratio >= THRESHOLD;
  return r.method === 'POST' ? (ok ? 'PASS' : 'FAIL') : ok ? '(above)' : '(below)';
}

function cells(rows: Row[]): string[][] {
  const { toBare, perSlice } = ratios(rows);
  // The bare server's CPU per request over this row's: the throughput ratio the server's own work allows.
  const cpuRatio = (r: Row) => {
    const bare = rows.find((x) => x.target === 'bare node:http' && x.method === r.method)?.cpuUsPerRequest;
    return bare && r.cpuUsPerRequest ? `${fmt(bare / r.cpuUsPerRequest, 2)}×` : '—';
  };
  return rows.map((r) => {
    const ratio = toBare(r);
    const errors = errorsOf(r);
    const hits = r.cache
      ? Object.entries(r.cache.hitsByPath)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '0'
      : '—';
    return [
      r.target,
      r.method,
      fmt(r.load.rps, 0),
      ratio == null ? '—' : `${fmt(ratio, 2)}×`,
      perSlice(r)
        .map((x) => fmt(x, 2))
        .join(' ') || '—',
      fmt(r.load.p99, 0),
      r.cpuUsPerRequest == null ? '—' : fmt(r.cpuUsPerRequest, 1),
      cpuRatio(r),
      hits,
      r.sameBytes == null ? '—' : r.sameBytes ? 'yes' : 'NO',
      errors === 0 ? '0' : `${errors} !!!`,
      verdictOf(r, ratio),
    ];
  });
}

function printTable(rows: Row[], settings: FastSettings, code: ReturnType<typeof codeState>): void {
  console.log(
    `\nCache hit throughput against a bare node:http server sending the same bytes (${settings.duration} s each, ${settings.connections} connections, one run).`,
  );
  console.log(`Load generator and servers share the machine: compare ratios, not absolute numbers. ${describeCode(code)}.\n`);
  console.log(
    table(
      [
        'target',
        'method',
        'req/s',
        '×bare',
        '×bare per slice',
        'p99 ms',
        'CPU µs/req',
        'bare CPU ÷ this',
        'cache hits (path)',
        'same bytes',
        'errors',
        `≥ ${THRESHOLD}×`,
      ],
      cells(rows),
    ),
  );
  console.log(
    '\nerrors: non-2xx, connection errors, timeouts and bodies differing from the first response; same bytes: body and content-type equal to the fast-path hit.',
  );
  console.log(
    `≥ ${THRESHOLD}×: the issue's bar, judged on POST; GET in parentheses, for information. ×bare per slice: ratios of the alternating slices.`,
  );
  console.log(
    "CPU µs/req: user + system CPU of the server process (all threads, /proc) over its own slices, per request; bare CPU ÷ this: the share of the bare server's throughput that cost allows when the server is the bottleneck, steadier than req/s on a shared machine.",
  );
}

function writeJson(root: string, rows: Row[], settings: FastSettings, code: ReturnType<typeof codeState>): string {
  const { toBare, perSlice } = ratios(rows);
  const { duration, warmup, connections, rounds } = settings;
  return writeResults(root, 'cache-fast-path.json', {
    at: new Date().toISOString(),
    code,
    settings: { duration, warmup, connections, rounds, threshold: THRESHOLD, query: OPERATION },
    rows: rows.map((r) => ({
      target: r.target,
      method: r.method,
      rps: r.load.rps,
      ratioToBare: toBare(r),
      ratioToBarePerSlice: perSlice(r),
      p50Ms: r.load.p50,
      p99Ms: r.load.p99,
      requests: r.load.requests,
      non2xx: r.load.non2xx,
      mismatches: r.load.mismatches,
      connectionErrors: r.load.connectionErrors,
      timeouts: r.load.timeouts,
      contentType: r.contentType,
      sameBytes: r.sameBytes,
      sliceRps: r.slices,
      cpuUsPerRequest: r.cpuUsPerRequest,
      cache: r.cache,
    })),
  });
}

/** Prints, writes and judges; 1 when the POST hit misses the bar or a response failed. */
export function report(root: string, rows: Row[], settings: FastSettings, code: ReturnType<typeof codeState>): number {
  const { toBare } = ratios(rows);
  printTable(rows, settings, code);
  const outFile = writeJson(root, rows, settings, code);
  console.log(`results written to ${path.relative(process.cwd(), outFile)}`);
  const broken = rows.reduce((a, r) => a + errorsOf(r), 0);
  if (broken > 0) warn(`THE RUN HAD ${broken} FAILED OR MISMATCHED RESPONSES: the numbers are not trustworthy.`);
  const failed = rows.some((r) => r.method === 'POST' && isFastMemory(r) && verdictOf(r, toBare(r)) === 'FAIL');
  const fastPost = rows.find((r) => r.method === 'POST' && isFastMemory(r));
  const postRatio = fastPost ? toBare(fastPost) : null;
  if (failed) warn(`FAIL: a POST cache hit reaches ${fmt(postRatio, 2)}× the bare server's throughput, below ${THRESHOLD}×.`);
  else if (postRatio != null)
    log(`PASS: a POST cache hit reaches ${fmt(postRatio, 2)}× the bare server's throughput (at least ${THRESHOLD}×).`);
  return failed || broken > 0 ? 1 : 0;
}

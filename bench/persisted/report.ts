// The tables of bench:persisted: bytes per operation and form, their totals, throughput; then the checks
// and what was noticed.
import { fmt, table } from '../lib/util.ts';
import {
  AGENT,
  FORMS,
  HOT,
  roundTrip,
  roundTrip304,
  roundTripBr,
  type BytesRow,
  type Findings,
  type Form,
  type Measured,
  type ThroughputRow,
} from './model.ts';

const ratio = (x: number | null, base: number | null) => (x == null || !base ? '—' : `${fmt(x / base, 2)}×`);
/** A response sent uncompressed although compression was asked for is starred. */
const star = (m: Measured) => `${m.response}${m.encoding ? '' : '*'}`;

export type Totals = ReturnType<typeof bytesTotals>;

/** All operations once each, per form: the sums of the bytes rows. */
export function bytesTotals(bytesRows: BytesRow[]) {
  return FORMS.map(({ form, label, short }) => {
    const rows = bytesRows.filter((r) => r.form === form);
    const s = (f: (r: BytesRow) => number) => rows.reduce((acc, r) => acc + f(r), 0);
    return {
      form,
      label: `${short} ${label}`,
      request: s((r) => r.identity.request),
      response: s((r) => r.identity.response),
      br: s((r) => r.br.response),
      gzip: s((r) => r.gzip.response),
      notModified: rows.every((r) => r.notModified) ? s((r) => r.notModified!.response) : null,
      roundTrip: s(roundTrip),
      roundTripBr: s(roundTripBr),
      roundTrip304: rows.every((r) => r.notModified) ? s((r) => roundTrip304(r)!) : null,
    };
  });
}

function bytesCells(bytesRows: BytesRow[]): string[][] {
  const byForm = (op: string, form: Form) => bytesRows.find((r) => r.operation === op && r.form === form)!;
  const cells: string[][] = [];
  for (const op of [...new Set(bytesRows.map((r) => r.operation))]) {
    const a = byForm(op, 'post-document');
    for (const { form, label, short } of FORMS) {
      const r = byForm(op, form);
      cells.push([
        form === 'post-document' ? `${op} (${r.user.split('@')[0]})` : '',
        `${short} ${label}`,
        String(r.identity.request),
        String(r.identity.response),
        star(r.br),
        star(r.gzip),
        r.notModified ? String(r.notModified.response) : '—',
        String(roundTrip(r)),
        ratio(roundTrip(r), roundTrip(a)),
        String(roundTripBr(r)),
        ratio(roundTripBr(r), roundTripBr(a)),
        roundTrip304(r) == null ? '—' : String(roundTrip304(r)),
      ]);
    }
  }
  return cells;
}

function totalCells(totals: Totals): string[][] {
  const totalA = totals[0]!;
  return totals.map((t) => [
    t.label,
    String(t.request),
    ratio(t.request, totalA.request),
    String(t.response),
    String(t.br),
    String(t.gzip),
    t.notModified == null ? '—' : String(t.notModified),
    String(t.roundTrip),
    ratio(t.roundTrip, totalA.roundTrip),
    String(t.roundTripBr),
    ratio(t.roundTripBr, totalA.roundTripBr),
    t.roundTrip304 == null ? '—' : `${t.roundTrip304} (${ratio(t.roundTrip304, totalA.roundTripBr)})`,
  ]);
}

export function printBytes(bytesRows: BytesRow[], totals: Totals, codeLine: string, databaseSource: string): void {
  console.log(
    `\nBytes on the wire per request, cache hits (fast path), counted on a raw socket. ${codeLine}; database: ${databaseSource}.`,
  );
  console.log(
    'request = request line + headers + body as sent (host, accept, authorization[, content-type, content-length]); response = status line + headers + body as received.',
  );
  console.log(
    '(a) goes to the PERSISTED_OPERATIONS=allow instance (require refuses documents); (b) and (c) to the require instance. br/gzip: the same request with Accept-Encoding: br / gzip;',
  );
  console.log(
    "304: GET with If-None-Match: <the 200's ETag>. round trip = request + response; br round trip = request with Accept-Encoding: br + br response.\n",
  );
  console.log(
    table(
      [
        'operation (as)',
        'form',
        'request',
        'response',
        'resp br',
        'resp gzip',
        '304',
        'round trip',
        '×(a)',
        'round trip br',
        '×(a)',
        'round trip 304',
      ],
      bytesCells(bytesRows),
    ),
  );
  const small = bytesRows.filter((r) => r.form === 'post-hash' && !r.br.encoding).map((r) => `${r.operation} ${r.body.length} B`);
  console.log(`* sent uncompressed: bodies under 1 KiB (COMPRESSION_MIN_BYTES) are never compressed (${small.join(', ')}).\n`);
  console.log(`All ${new Set(bytesRows.map((r) => r.operation)).size} operations once each (sum of the rows above):\n`);
  console.log(
    table(
      [
        'form',
        'request',
        '×(a)',
        'response',
        'resp br',
        'resp gzip',
        '304',
        'round trip',
        '×(a)',
        'round trip br',
        '×(a)',
        'round trip 304 (×(a) br)',
      ],
      totalCells(totals),
    ),
  );
}

/** Responses that failed the check, connection errors and timeouts of a row. */
export const loadErrors = (r: ThroughputRow) => r.load.mismatches + r.load.connectionErrors + r.load.timeouts;

export function printThroughput(rows: ThroughputRow[], connections: number): void {
  const base = rows.find((r) => r.key === 'a');
  const cells = rows.map((r) => {
    const errors = loadErrors(r);
    const fast = r.cache.hitsByPath.fast ?? 0;
    return [
      r.label,
      r.instance,
      fmt(r.load.rps, 0),
      ratio(r.load.rps, base?.load.rps ?? null),
      r.slices.map((x) => fmt(x, 0)).join(' '),
      fmt(r.load.p50, 0),
      fmt(r.load.p99, 0),
      ratio(r.load.p99, base?.load.p99 ?? null),
      `${fmt(r.load.bytesPerResponse, 0)} (${r.expectedResponseBytes})`,
      `${fmt((100 * fast) / Math.max(1, r.load.requests), 1)} %`,
      Object.entries(r.load.statusCodes)
        .map(([k, v]) => `${k}×${v}`)
        .join(' '),
      errors === 0 ? '0' : `${errors} !!!`,
    ];
  });
  console.log(
    `\nThroughput, ${HOT} as ${AGENT}, cache hits, ${connections} connections, ${rows[0] ? fmt(rows[0].load.durationS, 1) : '—'} s per row in alternating slices (one run):\n`,
  );
  console.log(
    table(
      [
        'row',
        'instance',
        'req/s',
        '×(a)',
        'req/s per slice',
        'p50 ms',
        'p99 ms',
        'p99 ×(a)',
        'B/resp (raw)',
        'fast hits',
        'statuses',
        'errors',
      ],
      cells,
    ),
  );
  console.log(
    'B/resp: bytes autocannon read per response, and in parentheses the raw-socket count of the table above (autocannon sends its own Host and Connection headers).',
  );
  console.log(
    'fast hits: /metrics fast-path hits during the slices / responses autocannon completed (a little over 100 % when it dropped requests in flight at the end of a slice).',
  );
  console.log(
    "errors: responses failing the check (status, exact body, or br content-length), connection errors, timeouts. (b') is (b) on (a)'s instance: (a) vs (b') is the form, (b) vs (b') the instance.",
  );
  console.log('The load generator and both servers share the machine: compare ratios within this run, not absolute numbers.');
}

/** Prints the checks and the notes; returns how many checks failed. */
export function printFindings(findings: Findings): number {
  console.log('\nChecks:');
  for (const c of findings.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: expected ${c.expected}, got ${c.got}`);
  if (findings.notes.length) {
    console.log('\nNoticed:');
    for (const n of findings.notes) console.log(`  - ${n}`);
  }
  return findings.checks.filter((c) => !c.ok).length;
}

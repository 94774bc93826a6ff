// The ratios of the rows, the problems their figures show, and the text tables npm run bench prints.
import { failures } from '../lib/load-client.ts';
import { QUERIES } from '../lib/queries.ts';
import { fmt, table } from '../lib/util.ts';
import type { Findings, Row, SeedTime } from './model.ts';
import { USER, type Settings } from './settings.ts';

export const ratio = (x: number | null) =>
  x == null || !Number.isFinite(x) || x === 0
    ? '—'
    : x >= 100
      ? `${fmt(x, 0)}×`
      : x >= 10
        ? `${fmt(x, 1)}×`
        : x >= 0.1
          ? `${fmt(x, 2)}×`
          : `${fmt(x, 3)}×`;
export const ms = (x: number) => (x < 10 ? fmt(x, 1) : fmt(x, 0));

/** Each query row against the ceiling and naive rows of its query; each mix row against the naive mix. */
export function computeRatios({ rows, mixRows }: Findings): void {
  for (const r of rows) {
    if (!r.stats || r.section !== 'queries') continue;
    const ceiling = rows.find((x) => x.section === 'queries' && x.query === r.query && x.kind === 'ceiling' && x.stats);
    const naive = rows.find((x) => x.section === 'queries' && x.query === r.query && x.kind === 'naive' && x.stats);
    r.ratioCeiling = ceiling ? r.stats.rps / ceiling.stats!.rps : null;
    r.ratioNaive = naive ? r.stats.rps / naive.stats!.rps : null;
  }
  const naiveMix = mixRows.find((m) => m.scenario.naive);
  for (const m of mixRows) m.ratioNaive = naiveMix ? m.load.rps / naiveMix.load.rps : null;
}

/** One failed response, or a row where none completed, fails the run. */
export function rowProblems({ rows, problems }: Findings): void {
  for (const r of rows) {
    if (r.stats && r.stats.requests === 0) problems.push(`${r.label}, ${r.queryLabel}: no response completed in the window`);
    if (r.stats && failures(r.stats) + r.warmupFailures > 0)
      problems.push(`${r.label}, ${r.queryLabel}: ${failures(r.stats) + r.warmupFailures} failed responses`);
  }
}

export function renderText(settings: Settings, findings: Findings): string {
  return [
    ...queriesSection(settings, findings),
    ...mixSection(settings, findings),
    ...scalingSection(settings, findings),
    ...targetsSection(findings),
  ].join('\n');
}

function queryCells(r: Row): string[] {
  if (!r.stats) return [r.queryLabel, r.label, r.skipped ?? r.failed ?? '—', '', '', '', '', '', '', '', ''];
  const s = r.stats;
  const fails = failures(s) + r.warmupFailures;
  return [
    r.queryLabel,
    r.label,
    fmt(s.rps, 0),
    ratio(r.ratioCeiling),
    ratio(r.ratioNaive),
    ms(s.p50),
    ms(s.p99),
    r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, r.sqlPerRequest >= 100 ? 0 : 2),
    fmt(s.bytesPerResponse, 0),
    r.hitShare == null ? '' : `${fmt(r.hitShare * 100, 0)}%`,
    fails === 0 ? '0' : `${fails} !!!`,
  ];
}

function queriesSection(settings: Settings, { rows, seeding }: Findings): string[] {
  const mainSeed = seeding.find((s) => s.scale === settings.mainScale);
  const header = ['query', 'scenario', 'req/s', '×ceiling', '×naive', 'p50 ms', 'p99 ms', 'SQL/req', 'B/resp', 'hits', 'failed'];
  return [
    `Scenarios 1–5 at seed scale ${settings.mainScale}${mainSeed ? ` (${mainSeed.counts.tickets?.toLocaleString('en-US')} tickets, ${mainSeed.counts.comments?.toLocaleString('en-US')} comments)` : ''}, as ${USER}; ` +
      `${settings.duration} s per row${settings.rounds > 1 ? ` in ${settings.rounds} rounds taken in turn` : ''} after ${settings.warmup} s of warm-up, ${settings.connections} connections, load from a separate process.`,
    '',
    table(header, rows.filter((r) => r.section === 'queries').map(queryCells)),
    '',
    'SQL/req: statements over the measured window / requests sent (deskgraph: deskgraph_sql_statements_total from /metrics, fast-path hits run none;',
    'peers: their /bench-stats counter). B/resp: bytes read per response (status line, headers, body; no compression asked).',
    'hits: share of responses /metrics counted as fast-path cache hits. failed: non-200, other bytes than the checked response, errors, timeouts.',
  ];
}

function mixSection(settings: Settings, { mixRows }: Findings): string[] {
  if (!mixRows.length) return [];
  const header = ['scenario', 'req/s', '×naive', 'p50 ms', 'p99 ms', 'hit rate', 'SQL/req', 'B/resp', 'reads/writes', 'failed'];
  const cells = mixRows.map((m) => [
    m.scenario.name,
    fmt(m.load.rps, 0),
    ratio(m.ratioNaive),
    ms(m.load.p50),
    ms(m.load.p99),
    m.hitRate == null ? '—' : `${fmt(m.hitRate * 100, 1)}%`,
    fmt(m.sqlPerRequest, 2),
    fmt(m.load.bytesPerResponse, 0),
    `${m.load.reads}/${m.load.writes}`,
    m.errors + m.warmupErrors === 0 ? '0' : `${m.errors + m.warmupErrors} !!!`,
  ]);
  return [
    '',
    `Scenario 6, the mix: 90 % reads of 8 queries by 5 users, 10 % agent writes that invalidate; ${settings.freshMix ? 'each on a fresh copy and fresh instances' : 'on the instances above, one after the other (writes accumulate)'}.`,
    '',
    table(header, cells),
    '×ceiling does not apply: the mix has no single response a bare server could replay.',
  ];
}

function scalingCells(scaling: Row[], seeding: SeedTime[]): string[][] {
  // ×p50 is against the first measured point of the same server kind (loaders, naive).
  const first = new Map<string, Row>();
  return scaling.map((r) => {
    const seed = seeding.find((s) => s.scale === r.scale);
    const kind = r.target.split('@')[0]!;
    const base = first.get(kind) ?? (r.stats ? (first.set(kind, r), r) : undefined);
    return [
      String(r.scale),
      seed?.counts.tickets?.toLocaleString('en-US') ?? '?',
      seed?.counts.comments?.toLocaleString('en-US') ?? '?',
      r.target.startsWith('naive') ? 'naive (N+1)' : 'deskgraph loaders',
      r.stats ? fmt(r.stats.rps, 0) : (r.failed ?? '—'),
      r.stats ? ms(r.stats.p50) : '',
      r.stats && base?.stats ? ratio(r.stats.p50 / base.stats.p50) : '',
      r.stats ? ms(r.stats.p99) : '',
      r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, 2),
      r.stats ? fmt(r.stats.bytesPerResponse, 0) : '',
      seed ? `${fmt(seed.seconds, 1)} s${seed.parallel ? '*' : ''}` : '',
    ];
  });
}

function scalingSection(settings: Settings, { rows, seeding }: Findings): string[] {
  const scaling = rows.filter((r) => r.section === 'scaling');
  if (!scaling.length) return [];
  const header = ['scale', 'tickets', 'comments', 'server', 'req/s', 'p50 ms', '×p50', 'p99 ms', 'SQL/req', 'B/resp', 'seeded in'];
  return [
    '',
    `Scaling: the nested list (50 tickets, last 5 comments each) at seed scale ${settings.scales.join(', ')}, no response cache.`,
    '',
    table(header, scalingCells(scaling, seeding)),
    ...(seeding.some((s) => s.parallel) ? ['* seeded while the servers of 1–5 started (fast preset): that time is shared with them.'] : []),
  ];
}

/** The issue's targets, for information (they do not fail the run). */
function targetsSection({ rows }: Findings): string[] {
  const q = (query: string, target: string) =>
    rows.find((r) => r.section === 'queries' && r.query === query && r.target === target && r.stats);
  const verdicts: string[] = [];
  for (const query of QUERIES) {
    const cached = q(query.key, 'cached-memory');
    if (cached?.ratioCeiling != null)
      verdicts.push(
        `${query.label}: cached (memory) = ${ratio(cached.ratioCeiling)} the ceiling (target ≥ 0.5×: ${cached.ratioCeiling >= 0.5 ? 'met' : 'MISSED'})`,
      );
    const loaders = q(query.key, 'loaders');
    const jit = q(query.key, 'peer:mercurius-jit');
    if (loaders && jit) {
      const x = loaders.stats!.rps / jit.stats!.rps;
      verdicts.push(`${query.label}: deskgraph uncached = ${ratio(x)} mercurius+jit (target ≥ 1×: ${x >= 1 ? 'met' : 'MISSED'})`);
    }
  }
  return verdicts.length ? ['', 'Targets from the issue (information; they do not fail the run):', ...verdicts.map((v) => `  ${v}`)] : [];
}

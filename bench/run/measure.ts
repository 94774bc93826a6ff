// Warming up and measuring one target with a fixed request, and turning its measured slices into a row's
// figures. Statements are counted around each slice, read only once the server is quiet.
import { failures, type FixedRequest, type LoadGenerator, type LoadStats } from '../lib/load-client.ts';
import { quiesce } from '../lib/mix.ts';
import { fmt, log, warn } from '../lib/util.ts';
import type { Row, Target } from './model.ts';
import { sqlTotal } from './requests.ts';
import type { Settings } from './settings.ts';

export interface Plan {
  t: Pick<Target, 'instance' | 'behind' | 'sql' | 'expectHits'> & { origin: string };
  job: { urls: string[]; requests: FixedRequest[]; expectStatus: number; expectBody: string; connections: number };
  counter: (() => Promise<number | null>) | null;
  warmupFailures: number;
  slow: boolean;
  slices: { stats: LoadStats; statements: number | null; fastHits: number | null }[];
}

export type Figures = Pick<Row, 'stats' | 'warmupFailures' | 'sqlPerRequest' | 'hitShare' | 'slices'>;

export class Meter {
  constructor(
    private readonly settings: Settings,
    private readonly load: LoadGenerator,
  ) {}

  plan(t: Plan['t'], request: FixedRequest, expectBody: string): Plan {
    return {
      t,
      job: { urls: [t.origin], requests: [request], expectStatus: 200, expectBody, connections: this.settings.connections },
      counter:
        t.sql === 'none'
          ? null
          : async () => {
              const c = await sqlTotal(t);
              return c ? c.statements + c.fastHits : null;
            },
      warmupFailures: 0,
      slow: false,
      slices: [],
    };
  }

  /**
   * A slow target (the N+1 baseline on the list) gets a longer warm-up, doubled until every connection
   * has had an answer (at most maxWarmup), and is then measured by count rather than by a window too
   * short to mean something: until `slowAmount` responses are back.
   */
  async warmUp(p: Plan): Promise<void> {
    const { warmup, maxWarmup, connections, duration, rounds, slowAmount } = this.settings;
    let rate: number | null = null;
    let warmP50 = 0;
    for (let warmFor = warmup, spent = 0; warmFor > 0 && spent < maxWarmup; spent += warmFor, warmFor *= 2) {
      const warm = await this.load.fixed({ ...p.job, duration: Math.min(warmFor, maxWarmup - spent) });
      p.warmupFailures += failures(warm);
      if (failures(warm)) warn(`${failures(warm)} failed responses during the warm-up: ${warm.samples.join(' | ')}`);
      await quiesce(p.counter);
      rate = warm.requests / warm.durationS;
      warmP50 = warm.p50;
      if (warm.requests >= connections) break;
    }
    // Fewer responses than connections in a window, or a latency near the window: measure by count.
    p.slow = rate == null || rate * (duration / rounds) < connections || (2 * warmP50) / 1000 > duration / rounds;
    if (p.slow) log(`    (a slow target: ${fmt(rate, 1)} req/s in the warm-up, measured until ${slowAmount} responses are back)`);
  }

  /** One measured slice, with the statement counter read around it (after in-flight requests finished). */
  async measureSlice(p: Plan, duration: number): Promise<void> {
    const before = await sqlTotal(p.t);
    const stats = await this.load.fixed({ ...p.job, duration, amount: p.slow ? this.settings.slowAmount : undefined });
    await quiesce(p.counter);
    const after = await sqlTotal(p.t);
    p.slices.push({
      stats,
      statements: before && after ? after.statements - before.statements : null,
      fastHits: before && after ? after.fastHits - before.fastHits : null,
    });
  }
}

/** The slices of a target as one row's figures: totals, request-weighted latencies, worst max. */
export function figures(p: Plan): Figures {
  const list = p.slices.map((x) => x.stats);
  const stats = totalStats(list);
  const counted = p.slices.every((x) => x.statements != null);
  const statements = p.slices.reduce((a, x) => a + (x.statements ?? 0), 0);
  const fastHits = p.slices.reduce((a, x) => a + (x.fastHits ?? 0), 0);
  // Per request sent in the windows: those in flight when a window closed finish before its counter is read.
  return {
    stats,
    warmupFailures: p.warmupFailures,
    sqlPerRequest: p.t.sql === 'none' ? 0 : counted && stats.sent > 0 ? statements / stats.sent : null,
    hitShare: p.t.expectHits && counted && stats.sent > 0 ? Math.min(1, fastHits / stats.sent) : null,
    slices: list.length > 1 ? list.map((s) => s.rps) : null,
  };
}

// Request-weighted means of the rounds' latencies, as bench/README.md defines this run's figures; not
// lib/load.ts's combineSlices (median p50, worst p99), which is how bench:fast-path and bench:persisted
// report theirs.
function totalStats(list: LoadStats[]): LoadStats {
  const sum = (f: (s: LoadStats) => number) => list.reduce((a, s) => a + f(s), 0);
  const requests = sum((s) => s.requests);
  const weighted = (f: (s: LoadStats) => number) => (requests > 0 ? sum((s) => f(s) * s.requests) / requests : 0);
  const durationS = sum((s) => s.durationS);
  return {
    rps: durationS > 0 ? requests / durationS : 0,
    p50: weighted((s) => s.p50),
    p90: weighted((s) => s.p90),
    p99: weighted((s) => s.p99),
    meanLatency: weighted((s) => s.meanLatency),
    maxLatency: Math.max(...list.map((s) => s.maxLatency)),
    requests,
    sent: sum((s) => s.sent),
    durationS,
    bytesPerResponse: weighted((s) => s.bytesPerResponse),
    connectionErrors: sum((s) => s.connectionErrors),
    timeouts: sum((s) => s.timeouts),
    badStatus: sum((s) => s.badStatus),
    badBody: sum((s) => s.badBody),
    samples: list.flatMap((s) => s.samples).slice(0, 3),
    generatorCpuMs: sum((s) => s.generatorCpuMs),
  };
}

/** The progress line of a measured row (and a warning when responses failed). */
export function describeRow(r: Row): void {
  const s = r.stats!;
  const fails = failures(s) + r.warmupFailures;
  log(
    `    ${r.label}: ${fmt(s.rps, 0)} req/s, p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms, SQL/req ${r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, 2)}, ` +
      `${fmt(s.bytesPerResponse, 0)} B/resp${r.hitShare != null ? `, fast-path hits ${fmt(r.hitShare * 100, 1)}%` : ''}, load generator CPU ${fmt(s.generatorCpuMs / 10 / s.durationS, 0)}%` +
      (r.slices ? `, rounds ${r.slices.map((x) => fmt(x, 0)).join(' / ')} req/s` : '') +
      (fails ? `, ${fails} FAILED` : ''),
  );
  if (fails) warn(`${r.label} (${r.queryLabel}): ${fails} failed responses: ${s.samples.join(' | ')}`);
}

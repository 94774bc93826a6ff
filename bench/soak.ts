// npm run soak — a bounded soak: one deskgraph process under the 90/10 mixed workload (hot reads, agent
// writes that invalidate) at a fixed request rate for SOAK_SECONDS (default 5 minutes), every response
// checked. The load comes from the load-generator process (bench/lib/load-worker.ts), one job per
// window (default a minute), so each window has its own request count, errors and p50/p99; meanwhile
// the server's /metrics is sampled every few seconds for heap used and RSS.
//
// The server runs on the embedded PGlite (a fresh data directory, migrated and seeded here before it
// starts) unless DATABASE_URL (and REDIS_URL) are given: then on those, which must hold the demo data
// (`npm run db:seed`): the server runs with NODE_ENV=production, which seeds no known passwords.
//
// Exit code 1 when any response failed, the rate could not be held, or, from the first window to the
// last, heap used grew more than SOAK_MAX_HEAP_GROWTH_MB or p99 more than SOAK_MAX_P99_RATIO times
// (and more than 5 ms: latencies are whole milliseconds). Writes bench/results/soak-<time>.json.
//
//   SOAK_SECONDS (300)  SOAK_RATE (200 req/s)  SOAK_CONNECTIONS (50)  SOAK_WINDOW_SECONDS (60)
//   SOAK_WARMUP_SECONDS (10)  SOAK_MAX_HEAP_GROWTH_MB (32)  SOAK_MAX_P99_RATIO (2)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteEnv, seedPglite } from './lib/database.ts';
import { failures, LoadGenerator, type LoadStats } from './lib/load-client.ts';
import { describeCommit, describeMachine, machineLine } from './lib/machine.ts';
import { scrape, total } from './lib/metrics.ts';
import { startInstance } from './lib/server.ts';
import { Cleanup, envNumber, exitWith, fmt, log, sleep, table, warn, writeResults } from './lib/util.ts';
import { prepareSessions } from './lib/sessions.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = envNumber('SOAK_SECONDS', 300, { min: 1, integer: true });
const rate = envNumber('SOAK_RATE', 200, { min: 1, integer: true });
const connections = envNumber('SOAK_CONNECTIONS', 50, { min: 1, integer: true });
const windowSeconds = envNumber('SOAK_WINDOW_SECONDS', 60, { min: 5, integer: true });
const warmupSeconds = envNumber('SOAK_WARMUP_SECONDS', 10, { min: 0, integer: true });
const maxHeapGrowthMb = envNumber('SOAK_MAX_HEAP_GROWTH_MB', 32, { min: 0 });
const maxP99Ratio = envNumber('SOAK_MAX_P99_RATIO', 2, { min: 1 });
const SAMPLE_EVERY_MS = 5000;
/** A window must complete this share of the requests the rate asks for. */
const MIN_RATE_SHARE = 0.9;

interface MemorySample {
  atS: number;
  heapUsedMb: number;
  rssMb: number;
}

interface Window {
  index: number;
  seconds: number;
  requests: number;
  reads: number;
  writes: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  maxLatency: number;
  /** The lowest heap used sampled in the window: nearest to what is live without forcing a GC. */
  heapUsedMinMb: number;
  heapUsedMaxMb: number;
  rssMaxMb: number;
  samples: string[];
}

const mb = (bytes: number) => bytes / (1024 * 1024);

const breakdown = (stats: LoadStats) =>
  `bad status ${stats.badStatus}, GraphQL errors ${stats.badBody}, connection errors ${stats.connectionErrors}, timeouts ${stats.timeouts}` +
  (stats.samples.length ? `; e.g. ${stats.samples.join(' | ')}` : '');

// prom-client's default metrics, under the prefix server/platform/metrics.ts gives them.
const HEAP_USED = 'deskgraph_nodejs_heap_size_used_bytes';
const RSS = 'deskgraph_process_resident_memory_bytes';

async function memory(origin: string, startedAt: number): Promise<MemorySample> {
  const samples = await scrape(origin);
  for (const name of [HEAP_USED, RSS]) {
    if (!samples.some((sample) => sample.name === name)) throw new Error(`${origin}/metrics has no ${name}`);
  }
  return {
    atS: (performance.now() - startedAt) / 1000,
    heapUsedMb: mb(total(samples, HEAP_USED)),
    rssMb: mb(total(samples, RSS)),
  };
}

async function main(): Promise<number> {
  const cleanup = new Cleanup();
  try {
    const databaseUrl = process.env.DATABASE_URL ?? null;
    const redisUrl = process.env.REDIS_URL ?? null;
    const dataDir = databaseUrl ? null : mkdtempSync(path.join(tmpdir(), 'deskgraph-soak-'));
    if (dataDir) cleanup.add('remove the soak data directory', () => rmSync(dataDir, { recursive: true, force: true }));
    const runId = new Date()
      .toISOString()
      .replace(/[:.]/g, '-')
      .replace(/-\d{3}Z$/, 'Z');
    const machine = await describeMachine(databaseUrl, redisUrl);
    log(
      `soak: ${seconds} s at ${rate} req/s over ${connections} connections, windows of ${windowSeconds} s after ${warmupSeconds} s of warm-up`,
    );
    log(
      `database: ${databaseUrl ? new URL(databaseUrl).host : 'embedded PGlite (fresh, seeded at scale 0.1)'}; cache: ${redisUrl ? `Redis ${new URL(redisUrl).host}` : 'in process'}`,
    );
    log(machineLine(machine));
    const shown = (url: string) => {
      const parsed = new URL(url);
      if (parsed.password) parsed.password = '***'; // never print a password
      return parsed.toString();
    };
    const urls = [databaseUrl && `DATABASE_URL=${shown(databaseUrl)}`, redisUrl && `REDIS_URL=${shown(redisUrl)}`]
      .filter(Boolean)
      .join(' ');
    log(
      `reproduce: ${urls ? `${urls} ` : ''}SOAK_SECONDS=${seconds} SOAK_RATE=${rate} SOAK_CONNECTIONS=${connections} SOAK_WINDOW_SECONDS=${windowSeconds} SOAK_WARMUP_SECONDS=${warmupSeconds} npm run soak`,
    );

    if (dataDir) await seedPglite(dataDir, 0.1);
    const instance = await startInstance({
      name: 'soak',
      root,
      cleanup,
      readyTimeoutMs: 300_000,
      env: {
        ...(databaseUrl ? { DATABASE_URL: databaseUrl, AUTO_MIGRATE: 'true' } : pgliteEnv(dataDir!)),
        REDIS_URL: redisUrl ?? undefined,
        CACHE_KEY_PREFIX: `soak-${runId}`,
        // One token sends a few thousand requests a minute here: the per-token limit would refuse them.
        RATE_LIMIT_TOKEN_PER_MINUTE: '0',
      },
    });
    const load = await LoadGenerator.start(root, cleanup);
    const sessions = await prepareSessions(instance.graphqlUrl);
    const startedAt = performance.now();

    let warmupErrors = 0;
    if (warmupSeconds > 0) {
      const warm = await load.mix({ urls: [instance.origin], sessions, connections, duration: warmupSeconds, rate });
      warmupErrors = failures(warm);
      if (warmupErrors) warn(`${warmupErrors} failed requests during the warm-up: ${breakdown(warm)}`);
    }
    const start: MemorySample[] = [];
    for (let i = 0; i < 3; i++) {
      start.push(await memory(instance.origin, startedAt));
      await sleep(500);
    }
    const heapAfterWarmupMb = Math.min(...start.map((s) => s.heapUsedMb));
    log(`after the warm-up: heap used ${fmt(heapAfterWarmupMb)} MB, RSS ${fmt(start.at(-1)!.rssMb)} MB`);

    const windows: Window[] = [];
    const memorySamples: MemorySample[] = [...start];
    for (let index = 0, left = seconds; left > 0; index++) {
      const duration = Math.min(windowSeconds, left);
      left -= duration;
      const inWindow: MemorySample[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await sleep(SAMPLE_EVERY_MS);
          if (sampling) inWindow.push(await memory(instance.origin, startedAt));
        }
      })();
      let stats: LoadStats;
      try {
        stats = await load.mix({ urls: [instance.origin], sessions, connections, duration, rate });
      } finally {
        sampling = false;
        await sampler;
      }
      inWindow.push(await memory(instance.origin, startedAt));
      memorySamples.push(...inWindow);
      const window: Window = {
        index,
        seconds: stats.durationS,
        requests: stats.requests,
        reads: stats.reads ?? 0,
        writes: stats.writes ?? 0,
        errors: failures(stats),
        rps: stats.rps,
        p50: stats.p50,
        p99: stats.p99,
        maxLatency: stats.maxLatency,
        heapUsedMinMb: Math.min(...inWindow.map((s) => s.heapUsedMb)),
        heapUsedMaxMb: Math.max(...inWindow.map((s) => s.heapUsedMb)),
        rssMaxMb: Math.max(...inWindow.map((s) => s.rssMb)),
        samples: stats.samples,
      };
      windows.push(window);
      log(
        `window ${index + 1}: ${window.requests} requests (${window.reads} reads, ${window.writes} writes), ${window.errors} errors, ` +
          `${fmt(window.rps, 0)} req/s, p50 ${window.p50} ms, p99 ${window.p99} ms, max ${window.maxLatency} ms; ` +
          `heap used ${fmt(window.heapUsedMinMb)}–${fmt(window.heapUsedMaxMb)} MB, RSS ≤ ${fmt(window.rssMaxMb)} MB`,
      );
      if (window.errors) warn(`window ${index + 1}: ${window.errors} FAILED: ${breakdown(stats)}`);
    }

    const first = windows[0]!;
    const last = windows.at(-1)!;
    // Start and end alike: the lowest heap used sampled in the first and in the last window (samples
    // taken right after the warm-up still hold its garbage, so they only show in the log).
    const heapStartMb = first.heapUsedMinMb;
    const heapEndMb = last.heapUsedMinMb;
    const errors = windows.reduce((sum, w) => sum + w.errors, 0);
    const requests = windows.reduce((sum, w) => sum + w.requests, 0);
    const verdicts: string[] = [];
    if (errors > 0) verdicts.push(`${errors} requests failed`);
    if (warmupErrors > 0) verdicts.push(`${warmupErrors} requests failed during the warm-up`);
    for (const w of windows) {
      if (w.requests < MIN_RATE_SHARE * rate * w.seconds)
        verdicts.push(
          `window ${w.index + 1} completed ${w.requests} requests, under ${MIN_RATE_SHARE * 100}% of ${rate} req/s × ${w.seconds} s: the rate was not held`,
        );
    }
    if (heapEndMb - heapStartMb > maxHeapGrowthMb)
      verdicts.push(`heap used grew ${fmt(heapEndMb - heapStartMb)} MB (> ${maxHeapGrowthMb} MB)`);
    if (last.p99 > Math.max(first.p99 * maxP99Ratio, first.p99 + 5))
      verdicts.push(`p99 went from ${first.p99} ms to ${last.p99} ms (> ×${maxP99Ratio})`);

    console.log(
      table(
        ['window', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'heap min MB', 'heap max MB', 'RSS max MB'],
        windows.map((w) => [
          String(w.index + 1),
          String(w.requests),
          String(w.errors),
          fmt(w.rps, 0),
          String(w.p50),
          String(w.p99),
          fmt(w.heapUsedMinMb),
          fmt(w.heapUsedMaxMb),
          fmt(w.rssMaxMb),
        ]),
      ),
    );
    log(
      `heap used (lowest sample of the first / last window): start ${fmt(heapStartMb)} MB, end ${fmt(heapEndMb)} MB (${heapEndMb >= heapStartMb ? '+' : ''}${fmt(heapEndMb - heapStartMb)} MB); p99: first window ${first.p99} ms, last ${last.p99} ms (×${fmt(last.p99 / Math.max(1, first.p99), 2)}); ${requests} requests, ${errors} errors`,
    );

    const file = writeResults(root, `soak-${runId}.json`, {
      kind: 'soak',
      runId,
      settings: { seconds, rate, connections, windowSeconds, warmupSeconds, maxHeapGrowthMb, maxP99Ratio, sampleEveryMs: SAMPLE_EVERY_MS },
      database: databaseUrl ? 'postgres' : 'embedded',
      cache: redisUrl ? 'redis' : 'memory',
      machine,
      commit: describeCommit(root),
      summary: {
        requests,
        errors,
        warmupErrors,
        heapAfterWarmupMb,
        heapStartMb,
        heapEndMb,
        p99First: first.p99,
        p99Last: last.p99,
        passed: verdicts.length === 0,
        verdicts,
      },
      windows,
      memorySamples,
    });
    log(`wrote ${path.relative(root, file)}`);
    if (verdicts.length) {
      for (const verdict of verdicts) warn(`FAIL: ${verdict}`);
      return 1;
    }
    log('PASS: no errors, heap and p99 within their bounds');
    return 0;
  } finally {
    await cleanup.run();
  }
}

exitWith(main, null);

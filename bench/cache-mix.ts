// npm run bench:cache — the response cache under a realistic mix (90 % hot reads, 10 % agent writes)
// against real PostgreSQL and Redis: throughput, p99, hit rate and SQL statements per request for
// 1 instance without cache / with the memory store / with Redis, and 2 instances without cache / with
// Redis; then an audit of eviction precision and stale reads (bench/lib/eviction-audit.ts). See bench/README.md.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededDatabase } from './lib/database.ts';
import { auditEvictions, reportAudit, type AuditResult } from './lib/eviction-audit.ts';
import { LoadGenerator } from './lib/load-client.ts';
import { reportMix, runMixScenario, type MixResult, type MixScenario } from './lib/mix.ts';
import { pickEmptyDatabase } from './lib/redis-watch.ts';
import { resolveServices } from './lib/services.ts';
import { Cleanup, codeState, describeCode, envNumber, exitWith, fmt, log, table, warn, writeResults } from './lib/util.ts';
import { READ_SHARE } from './lib/workload.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type Scenario = MixScenario & { baseline: string };

const MIX_RATE = envNumber('BENCH_MIX_RATE', 150, { min: 1 });
const FIXED = { rate: MIX_RATE, connections: 64 };

const WARM_OFF = { CACHE_WARM: 'false' };
const NEVER_PAUSED = { CACHE_WARM_MAX_BUSY_PERCENT: '100' };

// Rows without a warming note run the defaults: warming on, paused while the event loop is saturated
// (server/cache/warmer.ts). The variants show, in one run, what warming brings and what the pause saves.
const SCENARIOS: Scenario[] = [
  { name: '1 instance / cache off', instances: 1, cache: 'off', baseline: '1 instance / cache off' },
  { name: '1 instance / memory cache / warming off', instances: 1, cache: 'memory', baseline: '1 instance / cache off', env: WARM_OFF },
  { name: '1 instance / memory cache', instances: 1, cache: 'memory', baseline: '1 instance / cache off' },
  {
    name: '1 instance / memory cache / warming never paused',
    instances: 1,
    cache: 'memory',
    baseline: '1 instance / cache off',
    env: NEVER_PAUSED,
  },
  { name: '1 instance / Redis cache', instances: 1, cache: 'redis', baseline: '1 instance / cache off' },
  { name: '2 instances / cache off', instances: 2, cache: 'off', baseline: '2 instances / cache off' },
  // Never two instances on the memory store: they would not see each other's invalidations.
  { name: '2 instances / Redis cache / warming off', instances: 2, cache: 'redis', baseline: '2 instances / cache off', env: WARM_OFF },
  { name: '2 instances / Redis cache', instances: 2, cache: 'redis', baseline: '2 instances / cache off' },
  // Open loop (BENCH_MIX_RATE requests per second offered, 64 connections): the latency of the mix at a
  // load below the saturation the rows above run at, where p99 is mostly the queue of 16 connections.
  { name: '1 instance / cache off / fixed rate', instances: 1, cache: 'off', baseline: '1 instance / cache off / fixed rate', ...FIXED },
  {
    name: '1 instance / memory cache / warming off / fixed rate',
    instances: 1,
    cache: 'memory',
    baseline: '1 instance / cache off / fixed rate',
    env: WARM_OFF,
    ...FIXED,
  },
  {
    name: '1 instance / memory cache / fixed rate',
    instances: 1,
    cache: 'memory',
    baseline: '1 instance / cache off / fixed rate',
    ...FIXED,
  },
];

type ScenarioResult = MixResult & { scenario: Scenario };

async function main(): Promise<number> {
  const duration = envNumber('BENCH_DURATION', 10, { min: 1 });
  const warmup = envNumber('BENCH_WARMUP', 2, { min: 0 });
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  const scale = envNumber('BENCH_SCALE', 0.2, { min: 0.01 });
  const auditWrites = envNumber('BENCH_AUDIT_WRITES', 40, { min: 0, integer: true });
  const only = process.env.BENCH_SCENARIOS?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

  const cleanup = new Cleanup();
  const code = codeState(root);
  const results: ScenarioResult[] = [];
  let audit: AuditResult | null = null;
  let services;
  try {
    log(`bench:cache — ${duration} s per scenario after ${warmup} s of warm-up, ${connections} connections, seed scale ${scale}`);
    log(describeCode(code));
    services = await resolveServices(root, cleanup);
    log(
      `PostgreSQL ${new URL(services.databaseUrl).host}, Redis ${services.redisUrl ? new URL(services.redisUrl).host : 'none'} (from ${services.source})`,
    );
    const databases = await createSeededDatabase(services.databaseUrl, scale, cleanup);
    const redisDb = services.redisUrl ? await pickEmptyDatabase(services.redisUrl) : null;
    if (services.redisUrl) log(`Redis scenarios use logical database ${redisDb} (empty), one key prefix per scenario`);
    const runId = randomBytes(3).toString('hex');

    const load = await LoadGenerator.start(root, cleanup);
    log(`load generator: a separate process (pid ${load.pid}), bench/lib/load-worker.ts`);

    const scenarios = SCENARIOS.filter((s) => !only || only.some((o) => s.name.toLowerCase().includes(o)));
    for (const [index, scenario] of scenarios.entries()) {
      if (scenario.cache === 'redis' && !services.redisUrl) {
        warn(`${scenario.name}: skipped, no Redis (set BENCH_REDIS_URL or TEST_REDIS_URL)`);
        continue;
      }
      log(`── scenario ${index + 1}/${scenarios.length}: ${scenario.name}`);
      const result = (await runMixScenario(scenario, index + 1, {
        root,
        cleanup,
        databases,
        redis: services.redisUrl && redisDb != null ? { url: services.redisUrl, db: redisDb } : null,
        runId,
        load,
        connections,
        duration,
        warmup,
        cacheTtl: process.env.BENCH_CACHE_TTL || undefined,
        printShares: index === 0,
      })) as ScenarioResult;
      results.push(result);
      reportMix(result);
    }
    if (auditWrites > 0) {
      log(`── eviction audit: ${auditWrites} writes`);
      audit = await auditEvictions({ root, cleanup, databases, writes: auditWrites });
    }
  } finally {
    await cleanup.run();
  }

  const byName = new Map(results.map((r) => [r.scenario.name, r]));
  const rows = results.map((r) => {
    const base = byName.get(r.scenario.baseline);
    const rpsRatio = base ? r.load.rps / base.load.rps : null;
    const p99Ratio = base && base.load.p99 > 0 ? r.load.p99 / base.load.p99 : null;
    return {
      r,
      rpsRatio,
      p99Ratio,
      cells: [
        r.scenario.name,
        fmt(r.load.rps, 0),
        rpsRatio == null ? '—' : `${fmt(rpsRatio, 2)}×`,
        fmt(r.load.p99, 0),
        p99Ratio == null ? '—' : `${fmt(p99Ratio, 2)}×`,
        r.hitRate == null ? '—' : `${fmt(r.hitRate * 100, 1)}%`,
        r.storedHitRate == null ? '—' : `${fmt(r.storedHitRate * 100, 1)}%`,
        fmt(r.sqlPerRequest, 2),
        r.errors === 0 ? '0' : `${r.errors} !!!`,
      ],
    };
  });
  console.log(
    `\nResponse cache, mixed load (${Math.round(READ_SHARE * 100)}% reads / ${100 - Math.round(READ_SHARE * 100)}% writes), ${duration} s per scenario, ${connections} connections, scale ${scale}.`,
  );
  console.log(`Load generator and servers share the machine: compare ratios, not absolute numbers. ${describeCode(code)}.\n`);
  console.log(
    table(
      ['scenario', 'req/s', '×baseline', 'p99 ms', '×baseline', 'hit rate', 'found stored', 'SQL/request', 'errors'],
      rows.map((x) => x.cells),
    ),
  );
  console.log('\n×baseline: 1-instance rows against "1 instance / cache off", 2-instance rows against "2 instances / cache off".');
  console.log(
    "hit rate: cache hits / cacheable client queries looked up (mutations, bypasses and the warmer's own runs excluded); found stored: the same without the hits that waited for the warmer's execution of their key; SQL/request: statements / all requests (the warmer's included).",
  );

  if (audit) console.log(`\n${reportAudit(audit).join('\n')}`);

  const keyspaces = results.filter((r) => r.keyspace);
  if (keyspaces.length) {
    console.log("\nRedis keys (DBSIZE of the scenario's logical database, sampled every second):");
    console.log(
      table(
        ['scenario', 'start', 'max', 'end', 'INFO keys', 'INFO expires', 'scanned', 'no TTL', 'by kind (scanned)'],
        keyspaces.map(({ scenario, keyspace: k }) => [
          scenario.name,
          String(k!.start),
          String(k!.max),
          String(k!.end),
          String(k!.infoKeys),
          String(k!.infoExpires),
          String(k!.sampled),
          k!.withoutTtl === 0 ? '0' : `${k!.withoutTtl} !!!`,
          Object.entries(k!.byKind)
            .map(([kind, n]) => `${kind}=${n}`)
            .join(' '),
        ]),
      ),
    );
  }

  const totalErrors = results.reduce((a, r) => a + r.errors, 0);
  const noTtl = results.reduce((a, r) => a + (r.keyspace?.withoutTtl ?? 0), 0);
  const outFile = writeResults(root, 'cache-mix.json', {
    at: new Date().toISOString(),
    code,
    settings: { duration, warmup, connections, scale, services: services?.source ?? null },
    scenarios: rows.map(({ r, rpsRatio, p99Ratio }) => ({
      name: r.scenario.name,
      instances: r.scenario.instances,
      cache: r.scenario.cache,
      baseline: r.scenario.baseline,
      rps: r.load.rps,
      rpsRatio,
      p50Ms: r.load.p50,
      p99Ms: r.load.p99,
      p99Ratio,
      meanLatencyMs: r.load.meanLatency,
      requests: r.load.requests,
      reads: r.load.reads,
      writes: r.load.writes,
      hitRate: r.hitRate,
      storedHitRate: r.storedHitRate,
      sqlPerRequest: r.sqlPerRequest,
      errors: r.errors,
      errorDetail: {
        badStatus: r.load.badStatus,
        graphqlErrorsOrBadBodies: r.load.badBody,
        connectionErrors: r.load.connectionErrors,
        timeouts: r.load.timeouts,
      },
      operations: r.load.stats,
      cacheCounters: r.cache,
      redisKeys: r.keyspace,
    })),
    evictionAudit: audit,
  });
  console.log(`\nresults written to ${path.relative(process.cwd(), outFile)}`);
  if (results.length < SCENARIOS.length && !process.env.BENCH_SCENARIOS)
    warn(`only ${results.length} of ${SCENARIOS.length} scenarios ran`);
  if (noTtl > 0) warn(`${noTtl} Redis keys have no TTL: the key space is not bounded by expiry`);
  if (audit && audit.stale > 0) {
    warn(`THE AUDIT SAW ${audit.stale} STALE READS: a write did not evict an entry it changed.`);
    return 1;
  }
  if (totalErrors > 0) {
    warn(
      `THE RUN HAD ${totalErrors} FAILED REQUESTS (non-2xx, GraphQL errors, connection errors or timeouts): see the per-scenario details above; the numbers are not trustworthy.`,
    );
    return 1;
  }
  return 0;
}

exitWith(main, 'bench:cache');

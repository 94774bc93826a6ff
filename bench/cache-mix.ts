// npm run bench:cache — the response cache under a realistic mix (90 % hot reads, 10 % agent writes)
// against real PostgreSQL and Redis: throughput, p99, hit rate and SQL statements per request for
// 1 instance without cache / with the memory store / with Redis, and 2 instances without cache / with
// Redis. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededDatabase } from './lib/database.ts';
import { runMix, type LoadResult } from './lib/load.ts';
import { counters, delta, scrapeAll, type CacheCounters } from './lib/metrics.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb, type KeyspaceReport } from './lib/redis-watch.ts';
import { startInstances } from './lib/server.ts';
import { resolveServices } from './lib/services.ts';
import { Cleanup, codeState, describeCode, envNumber, fmt, log, sleep, table, warn } from './lib/util.ts';
import { buildMix, prepareSessions, READ_SHARE } from './lib/workload.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type CacheMode = 'off' | 'memory' | 'redis';

interface Scenario {
  name: string;
  instances: 1 | 2;
  cache: CacheMode;
  /** The scenario whose throughput and p99 this one is compared with. */
  baseline: string;
}

const SCENARIOS: Scenario[] = [
  { name: '1 instance / cache off', instances: 1, cache: 'off', baseline: '1 instance / cache off' },
  { name: '1 instance / memory cache', instances: 1, cache: 'memory', baseline: '1 instance / cache off' },
  { name: '1 instance / Redis cache', instances: 1, cache: 'redis', baseline: '1 instance / cache off' },
  { name: '2 instances / cache off', instances: 2, cache: 'off', baseline: '2 instances / cache off' },
  // Never two instances on the memory store: they would not see each other's invalidations.
  { name: '2 instances / Redis cache', instances: 2, cache: 'redis', baseline: '2 instances / cache off' },
];

interface ScenarioResult {
  scenario: Scenario;
  load: LoadResult;
  cache: CacheCounters;
  hitRate: number | null;
  sqlPerRequest: number;
  errors: number;
  keyspace: KeyspaceReport | null;
  skipped?: string;
}

async function main(): Promise<number> {
  const duration = envNumber('BENCH_DURATION', 10, { min: 1 });
  const warmup = envNumber('BENCH_WARMUP', 2, { min: 0 });
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  const scale = envNumber('BENCH_SCALE', 0.2, { min: 0.01 });
  const only = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

  const cleanup = new Cleanup();
  const code = codeState(root);
  const results: ScenarioResult[] = [];
  let services;
  try {
    log(`bench:cache — ${duration} s per scenario after ${warmup} s of warm-up, ${connections} connections, seed scale ${scale}`);
    log(describeCode(code));
    services = await resolveServices(root, cleanup);
    log(`PostgreSQL ${new URL(services.databaseUrl).host}, Redis ${services.redisUrl ? new URL(services.redisUrl).host : 'none'} (from ${services.source})`);
    const databases = await createSeededDatabase(services.databaseUrl, scale, cleanup);
    const redisDb = services.redisUrl ? await pickEmptyDatabase(services.redisUrl) : null;
    if (services.redisUrl) log(`Redis scenarios use logical database ${redisDb} (empty), one key prefix per scenario`);
    const runId = randomBytes(3).toString('hex');

    const scenarios = SCENARIOS.filter((s) => !only || only.some((o) => s.name.toLowerCase().includes(o)));
    for (const [index, scenario] of scenarios.entries()) {
      if (scenario.cache === 'redis' && !services.redisUrl) {
        warn(`${scenario.name}: skipped, no Redis (set BENCH_REDIS_URL or TEST_REDIS_URL)`);
        continue;
      }
      log(`── scenario ${index + 1}/${scenarios.length}: ${scenario.name}`);
      const database = await databases.copy(`s${index + 1}`);
      const prefix = `bench-${runId}-s${index + 1}`;
      const redisUrl = scenario.cache === 'redis' ? redisUrlWithDb(services.redisUrl!, redisDb!) : undefined;
      const instances = await startInstances(scenario.instances, {
        name: `s${index + 1}`,
        root,
        cleanup,
        env: {
          DATABASE_URL: database.url,
          AUTO_MIGRATE: 'false',
          SEED_IF_EMPTY: 'false',
          RESPONSE_CACHE: scenario.cache === 'off' ? 'false' : 'true',
          REDIS_URL: redisUrl,
          CACHE_KEY_PREFIX: scenario.cache === 'redis' ? prefix : undefined,
          // A shorter entry TTL lets a run of a minute or two show the Redis key count level off.
          CACHE_TTL_SECONDS: process.env.BENCH_CACHE_TTL || undefined,
        },
      });
      const watch = redisUrl ? new KeyspaceWatch(services.redisUrl!, redisDb!, prefix) : null;
      try {
        const urls = instances.map((i) => i.graphqlUrl);
        const sessions = await prepareSessions(urls[0]!);
        const mix = buildMix(sessions);
        if (index === 0) {
          log(`  mix: ${Object.entries(mix.shares).sort((a, b) => b[1] - a[1]).map(([op, share]) => `${op} ${(share * 100).toFixed(1)}%`).join(', ')}`);
        }
        await watch?.start();
        if (warmup > 0) {
          log(`  warm-up ${warmup} s`);
          const warm = await runMix(urls, mix, { connections, duration: warmup });
          const warmErrors = warm.non2xx + warm.graphqlErrors + warm.connectionErrors + warm.timeouts;
          if (warmErrors) warn(`${scenario.name}: ${warmErrors} failed requests during warm-up`);
        }
        const before = counters(await scrapeAll(instances.map((i) => i.origin)));
        log(`  measuring ${duration} s`);
        const load = await runMix(urls, mix, { connections, duration });
        const after = counters(await scrapeAll(instances.map((i) => i.origin)));
        const cache = delta(after, before);
        const keyspace = watch ? await watch.stop() : null;
        const lookups = cache.hits + cache.misses + cache.bypass;
        const errors = load.non2xx + load.graphqlErrors + load.connectionErrors + load.timeouts;
        const result: ScenarioResult = {
          scenario,
          load,
          cache,
          hitRate: scenario.cache === 'off' ? null : lookups > 0 ? cache.hits / lookups : 0,
          sqlPerRequest: load.requests > 0 ? cache.sqlStatements / load.requests : 0,
          errors,
          keyspace,
        };
        results.push(result);
        report(result);
      } finally {
        // autocannon drops its sockets with requests still running: let them finish before SIGTERM, or
        // the shutdown closes the pool under them (see bench/README.md).
        await sleep(1000);
        await Promise.all(instances.map((i) => i.stop()));
        if (watch) {
          const removed = await watch.clear().catch(() => 0);
          if (removed) log(`  removed the scenario's ${removed} Redis keys`);
          await watch.close();
        }
        await database.drop();
      }
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
        fmt(r.sqlPerRequest, 2),
        r.errors === 0 ? '0' : `${r.errors} !!!`,
      ],
    };
  });
  console.log(`\nResponse cache, mixed load (${Math.round(READ_SHARE * 100)}% reads / ${100 - Math.round(READ_SHARE * 100)}% writes), ${duration} s per scenario, ${connections} connections, scale ${scale}.`);
  console.log(`Load generator and servers share the machine: compare ratios, not absolute numbers. ${describeCode(code)}.\n`);
  console.log(table(['scenario', 'req/s', '×baseline', 'p99 ms', '×baseline', 'hit rate', 'SQL/request', 'errors'], rows.map((x) => x.cells)));
  console.log('\n×baseline: 1-instance rows against "1 instance / cache off", 2-instance rows against "2 instances / cache off".');
  console.log('hit rate: cache hits / cacheable queries looked up (mutations and bypasses excluded); SQL/request: statements / all requests.');

  const keyspaces = results.filter((r) => r.keyspace);
  if (keyspaces.length) {
    console.log('\nRedis keys (DBSIZE of the scenario\'s logical database, sampled every second):');
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
          Object.entries(k!.byKind).map(([kind, n]) => `${kind}=${n}`).join(' '),
        ]),
      ),
    );
  }

  const totalErrors = results.reduce((a, r) => a + r.errors, 0);
  const noTtl = results.reduce((a, r) => a + (r.keyspace?.withoutTtl ?? 0), 0);
  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'cache-mix.json');
  writeFileSync(
    outFile,
    JSON.stringify(
      {
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
          sqlPerRequest: r.sqlPerRequest,
          errors: r.errors,
          errorDetail: {
            non2xx: r.load.non2xx,
            graphqlErrors: r.load.graphqlErrors,
            connectionErrors: r.load.connectionErrors,
            timeouts: r.load.timeouts,
          },
          operations: r.load.stats,
          cacheCounters: r.cache,
          redisKeys: r.keyspace,
        })),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nresults written to ${path.relative(process.cwd(), outFile)}`);
  if (results.length < SCENARIOS.length && !process.env.BENCH_SCENARIOS) warn(`only ${results.length} of ${SCENARIOS.length} scenarios ran`);
  if (noTtl > 0) warn(`${noTtl} Redis keys have no TTL: the key space is not bounded by expiry`);
  if (totalErrors > 0) {
    warn(`THE RUN HAD ${totalErrors} FAILED REQUESTS (non-2xx, GraphQL errors, connection errors or timeouts): see the per-scenario details above; the numbers are not trustworthy.`);
    return 1;
  }
  return 0;
}

function report(r: ScenarioResult): void {
  const { load, cache } = r;
  log(
    `  ${fmt(load.rps, 0)} req/s, p50 ${fmt(load.p50, 0)} ms, p99 ${fmt(load.p99, 0)} ms, ${load.requests} requests (${load.reads} reads, ${load.writes} writes), ` +
      `SQL ${fmt(r.sqlPerRequest, 2)}/request`,
  );
  if (r.scenario.cache !== 'off') {
    const layers = Object.entries(cache.hitsByLayer).map(([k, v]) => `${k} ${v}`).join(', ');
    const paths = Object.entries(cache.hitsByPath).map(([k, v]) => `${k} ${v}`).join(', ');
    log(`  cache: ${cache.hits} hits (${layers || 'none'}; path ${paths || '—'}), ${cache.misses} misses, ${cache.bypass} bypassed, hit rate ${fmt((r.hitRate ?? 0) * 100, 1)}%`);
    const ops = [...new Set([...Object.keys(cache.hitsByOperation), ...Object.keys(cache.missesByOperation)])].sort();
    log(
      `  hit rate by operation: ${ops
        .map((op) => {
          const h = cache.hitsByOperation[op] ?? 0;
          const m = cache.missesByOperation[op] ?? 0;
          return `${op} ${fmt((h / Math.max(1, h + m)) * 100, 0)}%`;
        })
        .join(', ')}`,
    );
    log(
      `  stores ${JSON.stringify(cache.stores)}, evictions ${JSON.stringify(cache.evictions)}, tags invalidated ${cache.invalidations}` +
        (cache.cacheErrors ? `, REDIS ERRORS ${cache.cacheErrors}` : ''),
    );
  }
  if (r.keyspace) {
    const k = r.keyspace;
    log(`  Redis keys: start ${k.start}, max ${k.max}, end ${k.end}; INFO keyspace keys=${k.infoKeys} expires=${k.infoExpires}; ${k.withoutTtl} of ${k.sampled} scanned keys without TTL`);
    log(`  DBSIZE each second (warm-up included): ${k.samples.join(' ')}`);
    if (k.largestTagSets.length) log(`  largest tag sets: ${k.largestTagSets.map((t) => `${t.key} ${t.members} members (${t.live} live)`).join(', ')}`);
  }
  if (r.errors > 0) {
    warn(
      `${r.scenario.name}: ${r.errors} FAILED REQUESTS — non-2xx ${load.non2xx}, GraphQL errors ${load.graphqlErrors}, connection errors ${load.connectionErrors}, timeouts ${load.timeouts}`,
    );
    for (const [op, s] of Object.entries(load.stats)) {
      if (s.non2xx || s.graphqlErrors) console.log(`    ${op}: ${s.non2xx} non-2xx, ${s.graphqlErrors} with errors of ${s.responses}; e.g. ${s.samples.join(' | ')}`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nbench:cache failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

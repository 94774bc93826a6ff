// One scenario of the mixed workload (90 % hot reads, 10 % agent writes that invalidate): a fresh copy of
// the seeded database, 1 or 2 deskgraph instances, sign-in, warm-up, then a measured window with
// /metrics read around it (and, for Redis, the key space watched). Shared by bench/cache-mix.ts
// (npm run bench:cache:mix) and bench/run.ts (npm run bench, scenario 6). The load comes from the
// load-generator process (load-worker.ts), never from this one.
import type { BenchDatabases } from './database.ts';
import { failures, type LoadGenerator, type LoadStats } from './load-client.ts';
import { counters, delta, scrapeAll, type CacheCounters } from './metrics.ts';
import { KeyspaceWatch, redisUrlWithDb, type KeyspaceReport } from './redis-watch.ts';
import { startInstances, type Instance } from './server.ts';
import { fmt, log, sleep, warn, type Cleanup } from './util.ts';
import { prepareSessions } from './sessions.ts';
import { buildMix } from './workload.ts';

type CacheMode = 'off' | 'memory' | 'redis';

/** Node arguments of the N+1 baseline: deskgraph with loader batching off. */
export const NAIVE_ARGS = ['--import', 'tsx', 'bench/lib/deskgraph-naive.ts'];

export interface MixScenario {
  name: string;
  instances: 1 | 2 | 3;
  cache: CacheMode;
  /** Loader batching off (bench/lib/deskgraph-naive.ts): the N+1 baseline. */
  naive?: boolean;
  /** The scenario whose throughput and p99 this one is compared with (cache-mix's ×baseline). */
  baseline?: string;
  /** More environment for the instances (e.g. CACHE_WARM=false), over the scenario's own. */
  env?: Record<string, string>;
  /**
   * Open loop: requests offered at this rate (per second, over all connections) whatever the answers'
   * pace, instead of each connection sending its next request as soon as the last is answered. Latency
   * at a load the server can carry, rather than the queue of a saturated one.
   */
  rate?: number;
  /** Connections for this scenario (an open-loop one needs more, so a slow answer does not hold the rate back). */
  connections?: number;
}

export interface MixContext {
  root: string;
  cleanup: Cleanup;
  databases: BenchDatabases;
  /** Base Redis URL and the empty logical database the Redis scenarios use; null without Redis. */
  redis: { url: string; db: number } | null;
  /** Makes key prefixes unique to this run. */
  runId: string;
  load: LoadGenerator;
  connections: number;
  duration: number;
  warmup: number;
  /** CACHE_TTL_SECONDS for the instances (undefined: the server's default). */
  cacheTtl?: string;
  /** Print the mix's operation shares (once per run). */
  printShares?: boolean;
}

export interface MixResult {
  scenario: MixScenario;
  load: LoadStats;
  cache: CacheCounters;
  hitRate: number | null;
  /**
   * The same without the hits that waited for the warmer's execution of their key (layer "warming"): the
   * share of client reads that found their entry already stored.
   */
  storedHitRate: number | null;
  /** deskgraph_sql_statements_total over the window / every request the load generator sent in it (the servers finish those in flight at the end before /metrics is read). */
  sqlPerRequest: number;
  errors: number;
  warmupErrors: number;
  keyspace: KeyspaceReport | null;
}

export interface MixMeasureContext {
  load: LoadGenerator;
  connections: number;
  duration: number;
  warmup: number;
  /** Print the mix's operation shares (once per run). */
  printShares?: boolean;
  /** Watches the Redis key space of the scenario (started before the warm-up, stopped after the window). */
  watch?: KeyspaceWatch | null;
  /** A proxy in front of the instances (HAProxy): the load goes there; /metrics are still read from each instance. */
  via?: string;
}

/**
 * Waits until the requests still in flight when the load generator closed its window have finished on the
 * server, so that counters read now include them: until `read` (a counter the server moves with every
 * request or statement) holds still for 100 ms, at most 10 s. Without a counter, a fixed pause.
 */
export async function quiesce(read: (() => Promise<number | null>) | null): Promise<void> {
  if (!read) return sleep(150);
  // No cap from the latencies seen: a window that completed nothing (the N+1 list) still has requests
  // running, and they may have started at its beginning.
  const deadline = performance.now() + 10_000;
  let last = await read();
  while (performance.now() < deadline) {
    await sleep(100);
    const now = await read();
    if (now === last) return;
    last = now;
  }
}

/** /metrics counters every request moves: statements, executed operations, cache hits. */
const activity = (urls: string[]) => async () => {
  const c = counters(await scrapeAll(urls));
  return c.sqlStatements + c.sqlObservations + c.hits;
};

/** Signs in, warms up and measures the mix on instances that are already running. */
export async function measureMix(scenario: MixScenario, instances: Pick<Instance, 'origin'>[], ctx: MixMeasureContext): Promise<MixResult> {
  const metricsUrls = instances.map((i) => i.origin);
  const urls = ctx.via ? [ctx.via] : metricsUrls;
  const sessions = await prepareSessions(`${urls[0]}/graphql`);
  const connections = scenario.connections ?? ctx.connections;
  if (ctx.printShares) {
    const mix = buildMix(sessions);
    log(
      `  mix: ${Object.entries(mix.shares)
        .sort((a, b) => b[1] - a[1])
        .map(([op, share]) => `${op} ${(share * 100).toFixed(1)}%`)
        .join(', ')}`,
    );
  }
  await ctx.watch?.start();
  let warmupErrors = 0;
  if (ctx.warmup > 0) {
    const warm = await ctx.load.mix({ urls, sessions, connections, duration: ctx.warmup, rate: scenario.rate });
    warmupErrors = failures(warm);
    if (warmupErrors) warn(`${scenario.name}: ${warmupErrors} failed requests during warm-up: ${warm.samples.join(' | ')}`);
    await quiesce(activity(metricsUrls));
  }
  const before = counters(await scrapeAll(metricsUrls));
  const load = await ctx.load.mix({ urls, sessions, connections, duration: ctx.duration, rate: scenario.rate });
  // Requests the load generator dropped at the end still finish on the server: let them land in the counters.
  await quiesce(activity(metricsUrls));
  const cache = delta(counters(await scrapeAll(metricsUrls)), before);
  const keyspace = ctx.watch ? await ctx.watch.stop() : null;
  const lookups = cache.hits + cache.misses + cache.bypass;
  return {
    scenario,
    load,
    cache,
    hitRate: scenario.cache === 'off' ? null : lookups > 0 ? cache.hits / lookups : 0,
    storedHitRate: scenario.cache === 'off' ? null : lookups > 0 ? (cache.hits - (cache.hitsByLayer.warming ?? 0)) / lookups : 0,
    sqlPerRequest: load.sent > 0 ? cache.sqlStatements / load.sent : 0,
    errors: failures(load),
    warmupErrors,
    keyspace,
  };
}

/** A fresh copy of the seeded database, fresh instances, the mix measured on them, everything removed after. */
export async function runMixScenario(scenario: MixScenario, index: number, ctx: MixContext): Promise<MixResult> {
  if (scenario.cache === 'redis' && !ctx.redis) throw new Error(`${scenario.name} needs Redis`);
  const database = await ctx.databases.copy(`m${index}`);
  const prefix = `bench-${ctx.runId}-m${index}`;
  const redisUrl = scenario.cache === 'redis' ? redisUrlWithDb(ctx.redis!.url, ctx.redis!.db) : undefined;
  const instances = await startInstances(scenario.instances, {
    name: `mix${index}`,
    root: ctx.root,
    cleanup: ctx.cleanup,
    ...(scenario.naive ? { args: NAIVE_ARGS } : {}),
    env: {
      DATABASE_URL: database.url,
      AUTO_MIGRATE: 'false',
      SEED_IF_EMPTY: 'false',
      RESPONSE_CACHE: scenario.cache === 'off' ? 'false' : 'true',
      REDIS_URL: redisUrl,
      CACHE_KEY_PREFIX: scenario.cache === 'redis' ? prefix : undefined,
      // A shorter entry TTL lets a run of a minute or two show the Redis key count level off.
      CACHE_TTL_SECONDS: ctx.cacheTtl,
      ...scenario.env,
    },
  });
  const watch = redisUrl ? new KeyspaceWatch(ctx.redis!.url, ctx.redis!.db, prefix) : null;
  try {
    return await measureMix(scenario, instances, { ...ctx, watch });
  } finally {
    // autocannon drops its sockets with requests still running: let them finish before SIGTERM, or the
    // shutdown closes the pool under them.
    await sleep(500);
    await Promise.all(instances.map((i) => i.stop()));
    if (watch) {
      const removed = await watch.dispose();
      if (removed) log(`  removed the scenario's ${removed} Redis keys`);
    }
    await database.drop();
  }
}

/** The log lines of one scenario: throughput, cache behaviour, Redis keys, failures. */
export function reportMix(r: MixResult): void {
  const { load, cache } = r;
  log(
    `  ${fmt(load.rps, 0)} req/s, p50 ${fmt(load.p50, 0)} ms, p99 ${fmt(load.p99, 0)} ms, ${load.requests} requests (${load.reads} reads, ${load.writes} writes), ` +
      `SQL ${fmt(r.sqlPerRequest, 2)}/request`,
  );
  if (r.scenario.cache !== 'off') {
    const layers = Object.entries(cache.hitsByLayer)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const paths = Object.entries(cache.hitsByPath)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    log(
      `  cache: ${cache.hits} hits (${layers || 'none'}; path ${paths || '—'}), ${cache.misses} misses, ${cache.bypass} bypassed, hit rate ${fmt((r.hitRate ?? 0) * 100, 1)}% (${fmt((r.storedHitRate ?? 0) * 100, 1)}% found stored)`,
    );
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
      `  stores ${JSON.stringify(cache.stores)}, evictions ${JSON.stringify(cache.evictions)} (L1, by invalidation: ${fmt((cache.evictions['l1/invalidated'] ?? 0) / Math.max(1, load.writes ?? 0), 1)} per write), ` +
        `warming runs ${JSON.stringify(cache.warms)}, tags invalidated ${cache.invalidations}` +
        (cache.cacheErrors ? `, REDIS ERRORS ${cache.cacheErrors}` : ''),
    );
  }
  if (r.keyspace) {
    const k = r.keyspace;
    log(
      `  Redis keys: start ${k.start}, max ${k.max}, end ${k.end}; INFO keyspace keys=${k.infoKeys} expires=${k.infoExpires}; ${k.withoutTtl} of ${k.sampled} scanned keys without TTL`,
    );
    log(`  DBSIZE each second (warm-up included): ${k.samples.join(' ')}`);
    if (k.largestTagSets.length)
      log(`  largest tag sets: ${k.largestTagSets.map((t) => `${t.key} ${t.members} members (${t.live} live)`).join(', ')}`);
  }
  if (r.errors > 0) {
    warn(
      `${r.scenario.name}: ${r.errors} FAILED REQUESTS — bad status ${load.badStatus}, GraphQL errors/bad bodies ${load.badBody}, connection errors ${load.connectionErrors}, timeouts ${load.timeouts}`,
    );
    for (const [op, s] of Object.entries(load.stats ?? {})) {
      if (s.non2xx || s.graphqlErrors)
        console.log(`    ${op}: ${s.non2xx} non-2xx, ${s.graphqlErrors} with errors of ${s.responses}; e.g. ${s.samples.join(' | ')}`);
    }
  }
}

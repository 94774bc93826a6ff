// npm run bench:fast-path — the issue's bar: "a cache hit for a repeated query must reach at least 0.5×
// the throughput of a bare node:http server returning the same bytes, measured in one run".
// Measures, one after the other with the same request and connections:
//   bare       a node:http server answering the hit's exact bytes and headers (bench/lib/bare-server.mjs)
//   fast path  deskgraph, memory cache: hits answered before GraphQL
//   no fast    deskgraph, memory cache, CACHE_FAST_PATH=false: hits through yoga + @envelop/response-cache
//   no cache   deskgraph, RESPONSE_CACHE=false: every request executed
//   Redis      deskgraph, Redis cache (when BENCH_REDIS_URL/TEST_REDIS_URL is set): hits from L1 after the first
// deskgraph runs on a seeded database on BENCH_DATABASE_URL/TEST_DATABASE_URL's server when one is set,
// else on the embedded PGlite (it migrates and seeds itself into a temporary DATA_DIR).
// The steps live in bench/fast-path/ (requests, measure, report).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSameAnswer, startBareServer } from './lib/bare.ts';
import { pgliteEnv, seededDatabaseEnv, seedPglite } from './lib/database.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb } from './lib/redis-watch.ts';
import type { Instance } from './lib/server.ts';
import { Cleanup, codeState, describeCode, envNumber, exitWith, log } from './lib/util.ts';
import { measure, prepare, type FastContext, type FastSettings, type Target } from './fast-path/measure.ts';
import { report } from './fast-path/report.ts';
import { capture, OPERATION, requestFor } from './fast-path/requests.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function settingsFromEnv(): FastSettings {
  return {
    duration: envNumber('BENCH_DURATION', 10, { min: 1 }),
    warmup: envNumber('BENCH_WARMUP', 2, { min: 0 }),
    connections: envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true }),
    withGet: process.env.BENCH_FAST_GET !== 'false',
    scale: envNumber('BENCH_FAST_SCALE', 0.1, { min: 0.01 }),
    rounds: envNumber('BENCH_FAST_ROUNDS', 3, { min: 1, integer: true }),
    redisBase: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? null,
  };
}

async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const cleanup = new Cleanup();
  const code = codeState(root);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-fast-'));
  cleanup.add('remove temporary DATA_DIR', () => rmSync(dataDir, { recursive: true, force: true }));
  const ctx: FastContext = { root, cleanup, settings, databaseEnv: {}, rows: [], expected: null };
  try {
    log(
      `bench:fast-path — ${settings.duration} s per measurement after ${settings.warmup} s of warm-up, ${settings.connections} connections, bare/fast path in ${settings.rounds} alternating slices, query ${OPERATION} as agent@acme.test`,
    );
    log(describeCode(code));
    ctx.databaseEnv = await databaseEnv(ctx, dataDir);
    const bare = await measureFastPathAndBare(ctx, dataDir);
    await measureVariant(
      ctx,
      'no fast path',
      { RESPONSE_CACHE: 'true', CACHE_FAST_PATH: 'false' },
      'graphql',
      'deskgraph CACHE_FAST_PATH=false (yoga + response-cache)',
    );
    await measureVariant(ctx, 'no cache', { RESPONSE_CACHE: 'false' }, null, 'deskgraph RESPONSE_CACHE=false');
    await measureRedis(ctx);
    await bare.stop();
  } finally {
    await cleanup.run();
  }
  return report(root, ctx.rows, settings, code);
}

// A real PostgreSQL when one is configured (starts in seconds, and makes the no-cache row meaningful),
// else the embedded PGlite, migrated and seeded in the temporary DATA_DIR before deskgraph starts.
async function databaseEnv(ctx: FastContext, dataDir: string): Promise<Record<string, string | undefined>> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? null;
  if (serverUrl) return seededDatabaseEnv(serverUrl, ctx.settings.scale, ctx.cleanup);
  log(`no BENCH_DATABASE_URL/TEST_DATABASE_URL: deskgraph uses the embedded PGlite (seeded at scale ${ctx.settings.scale})`);
  await seedPglite(dataDir, ctx.settings.scale);
  return pgliteEnv(dataDir);
}

/** (b) first: its hit is the bytes the bare server will send. */
async function measureFastPathAndBare(ctx: FastContext, dataDir: string): Promise<Instance> {
  const fast = await prepare(ctx, 'fast path', { RESPONSE_CACHE: 'true' }, 'fast');
  const expected = await capture(fast.instance.origin, requestFor('POST', fast.token));
  ctx.expected = expected;
  log(`  the hit: HTTP ${expected.status}, ${expected.body.length} bytes, headers ${JSON.stringify(expected.headers)}`);
  const bare = await startBareServer({ name: 'bare', root: ctx.root, cleanup: ctx.cleanup, dir: dataDir, answer: expected });
  assertSameAnswer(await capture(bare.origin, requestFor('POST', fast.token)), expected);
  // Each deskgraph figure right after a bare one, so drift on a shared machine hits both alike.
  const pair: Target[] = [
    { target: 'bare node:http', instance: bare, withMetrics: false },
    { target: 'deskgraph fast path (memory cache)', instance: fast.instance, withMetrics: true },
  ];
  await measure(ctx, pair, fast.token, 'POST');
  if (ctx.settings.withGet) await measure(ctx, pair, fast.token, 'GET');
  await fast.instance.stop();
  return bare;
}

/** One deskgraph variant alone, on POST. */
async function measureVariant(
  ctx: FastContext,
  name: string,
  env: Record<string, string | undefined>,
  expectHit: 'fast' | 'graphql' | null,
  label: string,
): Promise<void> {
  const { instance, token } = await prepare(ctx, name, env, expectHit);
  await measure(ctx, [{ target: label, instance, withMetrics: true }], token, 'POST');
  await instance.stop();
}

/** An empty logical database and a prefix of its own, so that the run leaves the shared Redis as it found it. */
async function measureRedis(ctx: FastContext): Promise<void> {
  const { redisBase } = ctx.settings;
  if (!redisBase || process.env.BENCH_FAST_REDIS === 'false') {
    log('  (Redis variant skipped: no BENCH_REDIS_URL/TEST_REDIS_URL, or BENCH_FAST_REDIS=false)');
    return;
  }
  const db = await pickEmptyDatabase(redisBase);
  const prefix = `bench-fast-${randomBytes(3).toString('hex')}`;
  const watch = new KeyspaceWatch(redisBase, db, prefix);
  try {
    await measureVariant(
      ctx,
      'Redis',
      { RESPONSE_CACHE: 'true', REDIS_URL: redisUrlWithDb(redisBase, db), CACHE_KEY_PREFIX: prefix },
      'fast',
      'deskgraph fast path (Redis cache)',
    );
  } finally {
    await watch.dispose();
  }
}

exitWith(main, 'bench:fast-path');

// npm run bench [-- --full] — issue 6: deskgraph against the ceiling, the N+1 baseline and the peers,
// in one process tree, on one machine, in one run, on the same data. See bench/README.md ("npm run bench").
//
//   1 ceiling      bench/lib/bare-server.mjs answering the exact bytes and headers of scenario 4's response
//   2 naive        deskgraph with loader batching off (bench/lib/deskgraph-naive.ts), no response cache
//   3 loaders      deskgraph as built (server/main.ts, graphql-jit), RESPONSE_CACHE=false; again with GRAPHQL_JIT=false
//   4 cached       deskgraph with the response cache (memory; Redis), persisted GET by hash
//   5 peers        bench/peers/<name>.ts (Apollo Server ± its cache, Mercurius ± graphql-jit ± mercurius-cache), when present
//   6 mix          the 90/10 read/write workload with invalidation, 1 and 2 instances (bench/lib/mix.ts)
//   + scaling      the nested list at three seed scales
//
// Three queries (bench/lib/queries.ts) for 1–5, as agent@acme.test. The load comes from another process
// (bench/lib/load-worker.ts); every response is checked; a failed request fails the run (exit 1).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededDatabase, type BenchDatabases } from './lib/database.ts';
import { failures, LoadGenerator, type FixedRequest, type LoadStats } from './lib/load-client.ts';
import { describeCommit, describeMachine, machineLine, type Commit, type Machine } from './lib/machine.ts';
import { counters, scrape } from './lib/metrics.ts';
import { measureMix, NAIVE_ARGS, quiesce, reportMix, runMixScenario, type MixResult, type MixScenario } from './lib/mix.ts';
import { manifest, persistedGetRequest, postRequest, QUERIES, type BenchQuery } from './lib/queries.ts';
import { PEERS } from './peers/peers.ts';
import { exchange, type RawResponse } from './lib/raw-http.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb } from './lib/redis-watch.ts';
import { startInstance, type Instance } from './lib/server.ts';
import { resolveServices, type Services } from './lib/services.ts';
import { barChart, COLORS, type Section } from './lib/svg.ts';
import { Cleanup, envNumber, fmt, log, sleep, table, warn } from './lib/util.ts';
import { LOGIN, PASSWORD } from './lib/operations.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();

// The peers and their labels come from bench/peers/peers.ts (written with the peers); a name given in
// BENCH_PEERS that is not listed there is still tried (and skipped when its file is missing).
const PEER_NAMES = PEERS.map((p) => p.name);
const peerInfo = (name: string) => PEERS.find((p) => p.name === name) ?? { name, label: name, cached: name.endsWith('-cache'), note: '' };
const USER = 'agent@acme.test';

// ── Settings ────────────────────────────────────────────────────────────────────────────────────────

interface Settings {
  preset: 'fast' | 'full';
  duration: number;
  warmup: number;
  /** Rounds each query's targets are measured in (each target gets duration / rounds per round). */
  rounds: number;
  /** Cap of the warm-up of slow targets (it doubles until every connection had an answer). */
  maxWarmup: number;
  /** Responses a slow target is measured over (instead of a time window). */
  slowAmount: number;
  connections: number;
  mainScale: number;
  scales: number[];
  peers: string[];
  /** full: every mix scenario on a fresh copy and fresh instances (as bench:cache:mix); fast: the instances of 1–4, one after the other. */
  freshMix: boolean;
  /** Seed the other scales while the servers start (fast) or each alone before (full: each seeding time is clean). */
  parallelSeed: boolean;
  redis: boolean;
}

function settingsFrom(argv: string[]): Settings {
  const unknown = argv.filter((a) => a !== '--full' && a !== '--fast');
  if (unknown.length) throw new Error(`unknown argument(s) ${unknown.join(' ')}: npm run bench [-- --full]`);
  const full = argv.includes('--full');
  const list = (name: string, fallback: number[]) => {
    const raw = process.env[name];
    if (!raw) return fallback;
    const values = raw.split(',').map((s) => Number(s.trim()));
    if (values.some((v) => !Number.isFinite(v) || v <= 0 || v > 64)) throw new Error(`${name} must be comma-separated seed scales (0 < scale ≤ 64), got ${JSON.stringify(raw)}`);
    return values;
  };
  const peersRaw = process.env.BENCH_PEERS;
  const peers = !peersRaw ? [...PEER_NAMES] : peersRaw === 'none' ? [] : peersRaw.split(',').map((s) => s.trim()).filter(Boolean);
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  return {
    preset: full ? 'full' : 'fast',
    duration: envNumber('BENCH_DURATION', full ? 10 : 1, { min: 0.5 }),
    warmup: envNumber('BENCH_WARMUP', full ? 3 : 0.5, { min: 0 }),
    rounds: envNumber('BENCH_ROUNDS', full ? 3 : 1, { min: 1, integer: true }),
    maxWarmup: full ? 20 : 4,
    // Two answers per connection (fast), four (full); autocannon spreads the count over the connections.
    slowAmount: (full ? 4 : 2) * connections,
    connections,
    mainScale: envNumber('BENCH_MAIN_SCALE', 1, { min: 0.01 }),
    scales: list('BENCH_SCALES', full ? [1, 4, 16] : [0.25, 1, 4]),
    peers,
    freshMix: process.env.BENCH_MIX_FRESH ? process.env.BENCH_MIX_FRESH === 'true' : full,
    parallelSeed: process.env.BENCH_SEED_PARALLEL ? process.env.BENCH_SEED_PARALLEL === 'true' : !full,
    redis: process.env.BENCH_REDIS !== 'false',
  };
}

/** The command line that reproduces this run: the BENCH_* variables set, then npm run bench. */
function reproduceCommand(settings: Settings): string {
  const vars = Object.entries(process.env)
    .filter(([k, v]) => v !== undefined && (/^BENCH_/.test(k) || k === 'TEST_DATABASE_URL' || k === 'TEST_REDIS_URL'))
    .map(([k, v]) => `${k}=${redact(v!)}`)
    .sort();
  return [...vars, 'npm run bench', ...(settings.preset === 'full' ? ['--', '--full'] : [])].join(' ');
}

function redact(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.protocol.startsWith('http') || url.protocol.startsWith('postgres') || url.protocol.startsWith('redis') ? url.toString() : value;
  } catch {
    return value;
  }
}

// ── Targets ─────────────────────────────────────────────────────────────────────────────────────────

type Kind = 'ceiling' | 'naive' | 'loaders' | 'cached' | 'peer' | 'peer-cached';

interface Target {
  key: string;
  scenario: 1 | 2 | 3 | 4 | 5;
  label: string;
  kind: Kind;
  /** How the query is sent. */
  form: 'GET hash' | 'POST document';
  instance: Instance | null;
  /** Where statements are counted: deskgraph's /metrics, a peer's /bench-stats, or nowhere (bare server). */
  sql: 'metrics' | 'bench-stats' | 'none';
  token: string | null;
  /** Fast-path hits are expected (cached deskgraph): the share is reported and must be near 1. */
  expectHits: boolean;
  /** Not measured, and why (peer file missing, no Redis). */
  skipped: string | null;
  /** Could not be measured because something went wrong (the run fails). */
  failed: string | null;
}

interface Row {
  section: 'queries' | 'scaling';
  query: string;
  queryLabel: string;
  target: string;
  scenario: number | null;
  label: string;
  kind: Kind;
  form: string;
  scale: number;
  stats: LoadStats | null;
  warmupFailures: number;
  sqlPerRequest: number | null;
  /** Share of measured responses that were fast-path cache hits (cached deskgraph only). */
  hitShare: number | null;
  /** req/s of each round's slice, when measured in several rounds. */
  slices: number[] | null;
  /** Body bytes of the checked response (the same for every response). */
  bodyBytes: number | null;
  ratioCeiling: number | null;
  ratioNaive: number | null;
  skipped: string | null;
  failed: string | null;
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────

function rawRequest(instance: Instance | { port: number }, request: FixedRequest) {
  return {
    method: request.method,
    target: request.path,
    headers: [['host', `127.0.0.1:${instance.port}`] as [string, string], ...Object.entries(request.headers)],
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}

async function login(graphqlUrl: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: LOGIN, variables: { email: USER, password: PASSWORD }, operationName: 'Login' }),
  });
  const text = await response.text();
  let token: string | undefined;
  try {
    token = (JSON.parse(text) as { data?: { login?: { token?: string } } }).data?.login?.token;
  } catch {
    // reported below
  }
  if (!response.ok || !token) throw new Error(`login as ${USER} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return token;
}

/** Parses and checks a response: 200, JSON, no errors, the query's shape; returns the data as canonical text. */
function checkResponse(response: RawResponse, query: BenchQuery, variables: Record<string, unknown> | null): string {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.decoded.toString('utf8').slice(0, 300)}`);
  if (response.headers['content-encoding']) throw new Error(`a ${response.headers['content-encoding']} body to a request without Accept-Encoding`);
  let parsed: { data?: unknown; errors?: unknown[] };
  try {
    parsed = JSON.parse(response.decoded.toString('utf8')) as typeof parsed;
  } catch {
    throw new Error(`not JSON: ${response.decoded.toString('utf8').slice(0, 300)}`);
  }
  if (parsed.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  query.check(parsed.data, variables);
  return JSON.stringify(parsed.data);
}

async function sqlTotal(target: { instance: Instance | null; sql: Target['sql'] }): Promise<{ statements: number; fastHits: number } | null> {
  if (!target.instance || target.sql === 'none') return null;
  if (target.sql === 'metrics') {
    const c = counters(await scrape(target.instance.origin));
    return { statements: c.sqlStatements, fastHits: c.hitsByPath.fast ?? 0 };
  }
  try {
    const response = await fetch(`${target.instance.origin}/bench-stats`);
    const body = (await response.json()) as { sqlStatements?: unknown };
    return typeof body.sqlStatements === 'number' ? { statements: body.sqlStatements, fastHits: 0 } : null;
  } catch {
    return null;
  }
}


// ── Main ────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<number> {
  const settings = settingsFrom(process.argv.slice(2));
  const cleanup = new Cleanup();
  const commit: Commit = describeCommit(root);
  const command = reproduceCommand(settings);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const rows: Row[] = [];
  const mixRows: (MixResult & { ratioNaive: number | null })[] = [];
  const problems: string[] = [];
  const skipped: string[] = [];
  const seeding: { scale: number; seconds: number; counts: Record<string, number>; parallel: boolean }[] = [];
  let services: Services | null = null;
  let machine: Machine | null = null;
  const work = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-run-'));
  cleanup.add('remove the temporary directory', () => rmSync(work, { recursive: true, force: true }));

  try {
    log(
      `npm run bench — ${settings.preset} preset: ${settings.duration} s measured per row${settings.rounds > 1 ? ` (in ${settings.rounds} rounds)` : ''} after ${settings.warmup} s of warm-up, ` +
        `${settings.connections} connections; seed scale ${settings.mainScale}, scaling at ${settings.scales.join(', ')}`,
    );
    log(`reproduce: ${command}`);
    log(`commit: ${commit.sha ?? 'not a git checkout'}${commit.subject ? ` (${commit.subject})` : ''}${commit.dirty.length ? ` + uncommitted changes in ${commit.dirty.join(', ')}` : ''}`);
    services = await resolveServices(root, cleanup);
    machine = await describeMachine(services.databaseUrl, settings.redis ? services.redisUrl : null);
    log(`machine: ${machineLine(machine)}`);
    log(`PostgreSQL ${new URL(services.databaseUrl).host}, Redis ${services.redisUrl && settings.redis ? new URL(services.redisUrl).host : 'none'} (from ${services.source})`);
    const redisBase = settings.redis ? services.redisUrl : null;

    // ── Data: one seeded template per scale (the main scale is one of them when listed). The main scale
    // first; in the fast preset the other scales are seeded while the servers start (the seed is one
    // Node thread and PostgreSQL: the second core is mostly free for starting servers), in the full one
    // each scale alone, so that its seeding time is clean.
    const scales = [...new Set([settings.mainScale, ...settings.scales])];
    const seedOne = async (scale: number, overlapped: boolean) => {
      const t = performance.now();
      const db = await createSeededDatabase(services!.databaseUrl, scale, cleanup);
      seeding.push({ scale, seconds: (performance.now() - t) / 1000, counts: { ...db.seed.counts }, parallel: overlapped });
      return db;
    };
    const seedTasks = new Map<number, Promise<BenchDatabases>>();
    log(`seeding scale ${settings.mainScale}${scales.length > 1 ? (settings.parallelSeed ? `, then ${scales.slice(1).join(', ')} while the servers start` : `, then ${scales.slice(1).join(', ')}`) : ''}`);
    const main = await seedOne(settings.mainScale, false);
    seedTasks.set(settings.mainScale, Promise.resolve(main));
    for (const scale of scales.slice(1)) {
      const task = settings.parallelSeed ? seedOne(scale, true) : Promise.resolve(await seedOne(scale, false));
      task.catch(() => {}); // awaited below; a failure must not become an unhandled rejection meanwhile
      seedTasks.set(scale, task);
    }

    const load = await LoadGenerator.start(root, cleanup);
    log(`load generator: a separate process (pid ${load.pid}), bench/lib/load-worker.ts`);

    // ── Servers for scenarios 2–5 (and the fast mix, and the scaling run): started together, measured one at a time.
    const reads = await main.copy('reads');
    const manifestFile = path.join(work, 'persisted-documents.json');
    writeFileSync(manifestFile, JSON.stringify(manifest(), null, 2) + '\n');
    const runId = randomBytes(3).toString('hex');
    const redisDb = redisBase ? await pickEmptyDatabase(redisBase) : null;
    const redisPrefix = `bench-${runId}-reads`;
    if (redisBase) {
      const watch = new KeyspaceWatch(redisBase, redisDb!, redisPrefix);
      cleanup.add('remove the Redis keys of the read scenarios', async () => {
        await watch.clear().catch(() => 0);
        await watch.close();
      });
    }
    const deskgraphEnv = (databaseUrl: string, extra: Record<string, string | undefined>) => ({
      DATABASE_URL: databaseUrl,
      AUTO_MIGRATE: 'false',
      SEED_IF_EMPTY: 'false',
      PERSISTED_OPERATIONS: 'allow',
      PERSISTED_OPERATIONS_MANIFEST: manifestFile,
      ...extra,
    });
    const off = { RESPONSE_CACHE: 'false' };
    const redisEnv = redisBase ? { RESPONSE_CACHE: 'true', REDIS_URL: redisUrlWithDb(redisBase, redisDb!), CACHE_KEY_PREFIX: redisPrefix } : null;

    type Spec = { key: string; start: () => Promise<Instance> };
    const specs: Spec[] = [
      { key: 'naive', start: () => startInstance({ name: 'naive', root, cleanup, args: NAIVE_ARGS, env: deskgraphEnv(reads.url, off), readyTimeoutMs: 180_000 }) },
      { key: 'loaders', start: () => startInstance({ name: 'loaders', root, cleanup, env: deskgraphEnv(reads.url, off), readyTimeoutMs: 180_000 }) },
      // What graphql-jit (GRAPHQL_JIT, on by default) is worth: the same server interpreting with graphql-js.
      { key: 'loaders-graphql-js', start: () => startInstance({ name: 'loaders-graphql-js', root, cleanup, env: deskgraphEnv(reads.url, { ...off, GRAPHQL_JIT: 'false' }), readyTimeoutMs: 180_000 }) },
      { key: 'cached-memory', start: () => startInstance({ name: 'cached-memory', root, cleanup, env: deskgraphEnv(reads.url, { RESPONSE_CACHE: 'true' }), readyTimeoutMs: 180_000 }) },
    ];
    if (redisEnv) {
      specs.push({ key: 'cached-redis', start: () => startInstance({ name: 'cached-redis', root, cleanup, env: deskgraphEnv(reads.url, redisEnv), readyTimeoutMs: 180_000 }) });
      // The second instance of the 2-instance mix (fast preset: the mix runs on these instances).
      if (!settings.freshMix) specs.push({ key: 'cached-redis-2', start: () => startInstance({ name: 'cached-redis#2', root, cleanup, env: deskgraphEnv(reads.url, redisEnv), readyTimeoutMs: 180_000 }) });
    }
    const peerSpecs: { name: string; file: string }[] = [];
    for (const name of settings.peers) {
      const file = `bench/peers/${name}.ts`;
      if (!existsSync(path.join(root, file))) {
        skipped.push(`scenario 5, ${name}: skipped: ${file} does not exist`);
        warn(`${name}: skipped: ${file} does not exist`);
        continue;
      }
      peerSpecs.push({ name, file });
      specs.push({
        key: `peer:${name}`,
        start: () =>
          startInstance({
            name,
            root,
            cleanup,
            args: ['--import', 'tsx', file],
            env: { DATABASE_URL: reads.url, PEER_CACHE: peerInfo(name).cached ? 'on' : 'off', REDIS_URL: undefined },
            readyTimeoutMs: 180_000,
          }),
      });
    }
    const scalingScales = settings.scales.filter((s) => s !== settings.mainScale);
    for (const scale of scalingScales) {
      // Nothing copies these templates: their servers use them directly (started once seeded).
      const url = async () => (await seedTasks.get(scale)!).templateUrl;
      specs.push({ key: `scale:${scale}:loaders`, start: async () => startInstance({ name: `loaders@${scale}`, root, cleanup, env: deskgraphEnv(await url(), off), readyTimeoutMs: 180_000 }) });
      if (settings.preset === 'full') {
        specs.push({ key: `scale:${scale}:naive`, start: async () => startInstance({ name: `naive@${scale}`, root, cleanup, args: NAIVE_ARGS, env: deskgraphEnv(await url(), off), readyTimeoutMs: 180_000 }) });
      }
    }
    log(`starting ${specs.length} servers: ${specs.map((s) => s.key).join(', ')}`);
    const startedAt = performance.now();
    const outcomes = await Promise.allSettled(specs.map((s) => s.start()));
    const instances = new Map<string, Instance>();
    const startFailures = new Map<string, string>();
    outcomes.forEach((o, i) => {
      const key = specs[i]!.key;
      if (o.status === 'fulfilled') instances.set(key, o.value);
      else startFailures.set(key, o.reason instanceof Error ? o.reason.message : String(o.reason));
    });
    log(`  ${instances.size} of ${specs.length} ready in ${fmt((performance.now() - startedAt) / 1000, 1)} s`);
    for (const task of seedTasks.values()) await task; // a failed seed stops the run here
    seeding.sort((a, b) => a.scale - b.scale);
    log(`seeding took ${seeding.map((x) => `${fmt(x.seconds, 1)} s for scale ${x.scale}${x.parallel ? ' (while servers started)' : ''}`).join(', ')}`);
    for (const [key, why] of startFailures) {
      if (!key.startsWith('peer:')) throw new Error(`${key} did not start: ${why}`);
      problems.push(`${key} did not start: ${why.split('\n')[0]}`);
      warn(`${key} did not start:\n${why}`);
    }

    // ── Targets, signed in.
    const targets: Target[] = [];
    const add = (t: Omit<Target, 'token' | 'failed'>) => targets.push({ ...t, token: null, failed: null });
    add({ key: 'ceiling', scenario: 1, label: '1 ceiling: bare node:http, same bytes as 4', kind: 'ceiling', form: 'GET hash', instance: null, sql: 'none', expectHits: false, skipped: null });
    add({ key: 'naive', scenario: 2, label: '2 naive: N+1 (batching off), no cache', kind: 'naive', form: 'POST document', instance: instances.get('naive')!, sql: 'metrics', expectHits: false, skipped: null });
    add({ key: 'loaders', scenario: 3, label: '3 deskgraph: loaders, no cache', kind: 'loaders', form: 'POST document', instance: instances.get('loaders')!, sql: 'metrics', expectHits: false, skipped: null });
    add({ key: 'loaders-graphql-js', scenario: 3, label: '3 same, graphql-js (GRAPHQL_JIT=false)', kind: 'loaders', form: 'POST document', instance: instances.get('loaders-graphql-js')!, sql: 'metrics', expectHits: false, skipped: null });
    add({ key: 'cached-memory', scenario: 4, label: '4 deskgraph: cache (memory), GET hash', kind: 'cached', form: 'GET hash', instance: instances.get('cached-memory')!, sql: 'metrics', expectHits: true, skipped: null });
    add({
      key: 'cached-redis',
      scenario: 4,
      label: '4 deskgraph: cache (Redis), GET hash',
      kind: 'cached',
      form: 'GET hash',
      instance: instances.get('cached-redis') ?? null,
      sql: 'metrics',
      expectHits: true,
      skipped: redisEnv ? null : 'skipped: no Redis (BENCH_REDIS_URL / TEST_REDIS_URL, or redis-server for the throwaway services)',
    });
    if (!redisEnv) skipped.push('scenario 4, Redis cache: skipped: no Redis');
    for (const name of settings.peers) {
      const spec = peerSpecs.find((p) => p.name === name);
      const failedToStart = startFailures.get(`peer:${name}`);
      targets.push({
        key: `peer:${name}`,
        scenario: 5,
        label: `5 ${peerInfo(name).label}`,
        kind: peerInfo(name).cached ? 'peer-cached' : 'peer',
        form: 'POST document',
        instance: instances.get(`peer:${name}`) ?? null,
        sql: 'bench-stats',
        token: null,
        expectHits: false,
        skipped: spec ? null : `skipped: bench/peers/${name}.ts does not exist`,
        failed: failedToStart ? `did not start: ${failedToStart.split('\n')[0]}` : null,
      });
    }
    await Promise.all(
      targets.map(async (t) => {
        if (!t.instance || t.skipped || t.failed) return;
        try {
          t.token = await login(`${t.instance.origin}/graphql`);
        } catch (error) {
          t.failed = error instanceof Error ? error.message : String(error);
          problems.push(`${t.key}: ${t.failed}`);
        }
      }),
    );
    const loaders = targets.find((t) => t.key === 'loaders')!;
    if (loaders.failed) throw new Error(`deskgraph (loaders) cannot sign in: ${loaders.failed}`);
    const ticketId = await (async () => {
      const list = await fetch(`${loaders.instance!.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${loaders.token}` },
        body: JSON.stringify({ query: '{ tickets(first: 1) { edges { node { id } } } }' }),
      });
      const id = ((await list.json()) as { data?: { tickets?: { edges?: { node: { id: string } }[] } } }).data?.tickets?.edges?.[0]?.node.id;
      if (!id) throw new Error(`${USER} sees no tickets: is the database seeded?`);
      return id;
    })();

    /**
     * Warm-up of one target. A slow target (the N+1 baseline on the list) gets a longer warm-up, doubled
     * until every connection has had an answer (at most maxWarmup), and is then measured by count rather
     * than by a window too short to mean something: until `slowAmount` responses are back.
     */
    interface Plan {
      t: Pick<Target, 'instance' | 'sql' | 'expectHits'> & { origin: string };
      job: { urls: string[]; requests: FixedRequest[]; expectStatus: number; expectBody: string; connections: number };
      counter: (() => Promise<number | null>) | null;
      warmupFailures: number;
      slow: boolean;
      slices: { stats: LoadStats; statements: number | null; fastHits: number | null }[];
    }
    const plan = (t: Plan['t'], request: FixedRequest, expectBody: string): Plan => ({
      t,
      job: { urls: [t.origin], requests: [request], expectStatus: 200, expectBody, connections: settings.connections },
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
    });
    const warmUp = async (p: Plan): Promise<void> => {
      let rate: number | null = null;
      let warmP50 = 0;
      for (let warmFor = settings.warmup, spent = 0; warmFor > 0 && spent < settings.maxWarmup; spent += warmFor, warmFor *= 2) {
        const warm = await load.fixed({ ...p.job, duration: Math.min(warmFor, settings.maxWarmup - spent) });
        p.warmupFailures += failures(warm);
        if (failures(warm)) warn(`${failures(warm)} failed responses during the warm-up: ${warm.samples.join(' | ')}`);
        await quiesce(p.counter);
        rate = warm.requests / warm.durationS;
        warmP50 = warm.p50;
        if (warm.requests >= settings.connections) break;
      }
      // Fewer responses than connections in a window, or a latency near the window: measure by count.
      p.slow = rate == null || rate * (settings.duration / settings.rounds) < settings.connections || (2 * warmP50) / 1000 > settings.duration / settings.rounds;
      if (p.slow) log(`    (a slow target: ${fmt(rate, 1)} req/s in the warm-up, measured until ${settings.slowAmount} responses are back)`);
    };
    /** One measured slice, with the statement counter read around it (after in-flight requests finished). */
    const measureSlice = async (p: Plan, duration: number): Promise<void> => {
      const before = await sqlTotal(p.t);
      const stats = await load.fixed({ ...p.job, duration, amount: p.slow ? settings.slowAmount : undefined });
      await quiesce(p.counter);
      const after = await sqlTotal(p.t);
      p.slices.push({
        stats,
        statements: before && after ? after.statements - before.statements : null,
        fastHits: before && after ? after.fastHits - before.fastHits : null,
      });
    };
    /** The slices of a target as one row's figures: totals, request-weighted latencies, worst max. */
    const result = (p: Plan): Pick<Row, 'stats' | 'warmupFailures' | 'sqlPerRequest' | 'hitShare' | 'slices'> => {
      const list = p.slices.map((x) => x.stats);
      const sum = (f: (s: LoadStats) => number) => list.reduce((a, s) => a + f(s), 0);
      const requests = sum((s) => s.requests);
      const weighted = (f: (s: LoadStats) => number) => (requests > 0 ? sum((s) => f(s) * s.requests) / requests : 0);
      const durationS = sum((s) => s.durationS);
      const stats: LoadStats = {
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
    };

    const describeRow = (r: Row) => {
      const s = r.stats!;
      const fails = failures(s) + r.warmupFailures;
      log(
        `    ${r.label}: ${fmt(s.rps, 0)} req/s, p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms, SQL/req ${r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, 2)}, ` +
          `${fmt(s.bytesPerResponse, 0)} B/resp${r.hitShare != null ? `, fast-path hits ${fmt(r.hitShare * 100, 1)}%` : ''}, load generator CPU ${fmt(s.generatorCpuMs / 10 / s.durationS, 0)}%` +
          (r.slices ? `, rounds ${r.slices.map((x) => fmt(x, 0)).join(' / ')} req/s` : '') +
          (fails ? `, ${fails} FAILED` : ''),
      );
      if (fails) warn(`${r.label} (${r.queryLabel}): ${fails} failed responses: ${s.samples.join(' | ')}`);
    };

    // ── Scenarios 1–5, query by query: every target of a query measured back to back.
    for (const query of QUERIES) {
      const variables = query.key === 'ticket' ? { id: ticketId } : null;
      log(`── ${query.label} (${query.operationName}${variables ? ` ${JSON.stringify(variables)}` : ''}) as ${USER}`);
      const requestOf = (t: Target): FixedRequest =>
        t.form === 'GET hash' ? persistedGetRequest(query, variables, t.token ?? '') : postRequest(query, variables, t.token ?? '');
      // The reference: deskgraph as built. Every other target must answer the same data.
      const reference = checkResponse(await exchange(loaders.instance!.port, rawRequest(loaders.instance!, requestOf(loaders))), query, variables);
      const expected = new Map<Target, string>();
      let ceilingSource = null as RawResponse | null;
      // Checked side by side (every target is its own server); measured one at a time below.
      await Promise.all(targets.map(async (t) => {
        if (t.skipped || t.failed || t.kind === 'ceiling') return;
        try {
          const request = rawRequest(t.instance!, requestOf(t));
          let response = await exchange(t.instance!.port, request);
          checkResponse(response, query, variables);
          if (t.expectHits) {
            // The fill is asynchronous: ask until /metrics counts a fast-path hit.
            let hit = false;
            for (let attempt = 0; attempt < 50 && !hit; attempt++) {
              const before = await sqlTotal(t);
              response = await exchange(t.instance!.port, request);
              hit = ((await sqlTotal(t))?.fastHits ?? 0) > (before?.fastHits ?? 0);
              if (!hit) await sleep(20);
            }
            if (!hit) throw new Error('never became a fast-path cache hit');
          } else {
            response = await exchange(t.instance!.port, request);
          }
          const data = checkResponse(response, query, variables);
          if (data !== reference) throw new Error(`answers other data than deskgraph: ${data.slice(0, 200)} … vs ${reference.slice(0, 200)} …`);
          expected.set(t, response.decoded.toString('utf8'));
          if (t.key === 'cached-memory') ceilingSource = response;
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          problems.push(`${t.key}, ${query.label}: ${why}`);
          warn(`${t.key}, ${query.label}: ${why}`);
          expected.delete(t);
          rows.push(emptyRow(query, t, settings.mainScale, null, `failed: ${why.split('\n')[0]!.slice(0, 200)}`));
        }
      }));
      // 1: the bare server answers the exact bytes and headers of 4's response.
      let bare: Instance | null = null;
      if (ceilingSource) {
        const bodyFile = path.join(work, `${query.key}.body`);
        writeFileSync(bodyFile, ceilingSource.body);
        const headers = Object.fromEntries(
          Object.entries(ceilingSource.headers).filter(([k]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k)),
        );
        bare = await startInstance({ name: `bare-${query.key}`, root, cleanup, args: ['bench/lib/bare-server.mjs'], readyPath: '/', env: { BARE_BODY_FILE: bodyFile, BARE_HEADERS: JSON.stringify(headers) } });
        const ceiling = targets.find((t) => t.kind === 'ceiling')!;
        const check = await exchange(bare.port, rawRequest(bare, persistedGetRequest(query, variables, '')));
        if (!check.body.equals(ceilingSource.body) || check.headers['content-type'] !== ceilingSource.headers['content-type']) {
          throw new Error('the bare server does not answer the same bytes and content-type as deskgraph');
        }
        expected.set(ceiling, check.body.toString('utf8'));
      } else {
        rows.push(emptyRow(query, targets.find((t) => t.kind === 'ceiling')!, settings.mainScale, null, 'failed: no response of scenario 4 to replay'));
      }
      // Warm every target up, then measure them in `rounds` rounds, the order reversed every other round,
      // so that drift on a shared machine falls on all alike. The ceiling and the cache are measured first,
      // side by side (their ratio is the issue's bar). Rows are listed in scenario order.
      const order = [...targets].sort((a, b) => rank(a) - rank(b));
      const plans = new Map<Target, Plan>();
      for (const t of order) {
        if (t.skipped || t.failed) continue;
        const body = expected.get(t);
        if (body === undefined) continue; // failed its check above (row already added)
        const instance = t.kind === 'ceiling' ? bare! : t.instance!;
        const request = t.kind === 'ceiling' ? persistedGetRequest(query, variables, ceilingToken(targets)) : requestOf(t);
        const p = plan({ ...t, instance: t.kind === 'ceiling' ? null : instance, origin: instance.origin }, request, body);
        await warmUp(p);
        plans.set(t, p);
      }
      for (let round = 0; round < settings.rounds; round++) {
        const turn = [...plans].filter(([, p]) => !p.slow || round === 0);
        if (round % 2 === 1) turn.reverse();
        for (const [, p] of turn) await measureSlice(p, settings.duration / settings.rounds);
      }
      for (const t of targets) {
        if (t.skipped || t.failed) {
          rows.push(emptyRow(query, t, settings.mainScale, t.skipped, t.failed ? `failed: ${t.failed}` : null));
          continue;
        }
        const p = plans.get(t);
        if (!p) continue;
        const row: Row = { ...emptyRow(query, t, settings.mainScale, null, null), ...result(p), bodyBytes: Buffer.byteLength(p.job.expectBody) };
        rows.push(row);
        describeRow(row);
      }
      await bare?.stop();
    }

    // ── Scaling: the nested list at each scale, deskgraph as built without cache (and naive with --full).
    const list = QUERIES.find((q) => q.key === 'list')!;
    log(`── scaling: ${list.label} at scale ${settings.scales.join(', ')}`);
    for (const scale of settings.scales) {
      const kinds: ('loaders' | 'naive')[] = settings.preset === 'full' ? ['naive', 'loaders'] : ['loaders'];
      let reference: string | null = null;
      for (const kind of kinds) {
        if (scale === settings.mainScale) {
          // The same server and data as scenario 2/3's list row: that row is this point.
          const same = rows.find((r) => r.section === 'queries' && r.query === list.key && r.target === kind);
          if (same) {
            rows.push({ ...same, section: 'scaling', target: `${kind}@${scale}`, label: `${kind === 'loaders' ? 'deskgraph: loaders, no cache' : 'naive: N+1, no cache'} @ scale ${scale} (the row of scenario ${kind === 'loaders' ? 3 : 2})` });
            continue;
          }
        }
        const instance = scale === settings.mainScale ? instances.get(kind)! : instances.get(`scale:${scale}:${kind}`)!;
        const t: Target = {
          ...targets.find((x) => x.key === kind)!,
          key: `${kind}@${scale}`,
          label: `${kind === 'loaders' ? 'deskgraph: loaders, no cache' : 'naive: N+1, no cache'}`,
          instance,
        };
        try {
          t.token = await login(`${instance.origin}/graphql`);
          const request = postRequest(list, null, t.token);
          await exchange(instance.port, rawRequest(instance, request));
          const response = await exchange(instance.port, rawRequest(instance, request));
          const data = checkResponse(response, list, null);
          if (reference !== null && data !== reference) throw new Error('naive and loaders answer different data');
          reference = data;
          const body = response.decoded.toString('utf8');
          const p = plan({ ...t, origin: instance.origin }, request, body);
          await warmUp(p);
          await measureSlice(p, settings.duration);
          const measured = result(p);
          const row: Row = { ...emptyRow(list, t, scale, null, null), section: 'scaling', ...measured, bodyBytes: Buffer.byteLength(body) };
          row.label = `${t.label} @ scale ${scale}`;
          rows.push(row);
          describeRow(row);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          problems.push(`scaling ${kind} @ ${scale}: ${why}`);
          rows.push({ ...emptyRow(list, t, scale, null, `failed: ${why.split('\n')[0]}`), section: 'scaling' });
        }
      }
    }
    // The scaling servers are done; the read servers stay for the fast mix.
    await Promise.all([...instances].filter(([k]) => k.startsWith('scale:') || k.startsWith('peer:')).map(([, i]) => i.stop()));

    // ── Scenario 6: the mix.
    const mixScenarios: (MixScenario & { uses: string[] })[] = [
      { name: 'mix: naive, no cache, 1 instance', instances: 1, cache: 'off', naive: true, uses: ['naive'] },
      { name: 'mix: loaders, no cache, 1 instance', instances: 1, cache: 'off', uses: ['loaders'] },
      { name: 'mix: memory cache, 1 instance', instances: 1, cache: 'memory', uses: ['cached-memory'] },
      ...(settings.preset === 'full' ? [{ name: 'mix: Redis cache, 1 instance', instances: 1 as const, cache: 'redis' as const, uses: ['cached-redis'] }] : []),
      ...(settings.preset === 'full' ? [{ name: 'mix: loaders, no cache, 2 instances', instances: 2 as const, cache: 'off' as const, uses: [] }] : []),
      { name: 'mix: Redis cache, 2 instances', instances: 2, cache: 'redis', uses: ['cached-redis', 'cached-redis-2'] },
    ];
    log(`── scenario 6: the mix (90 % reads, 10 % writes with invalidation)${settings.freshMix ? ', each on a fresh copy of the data and fresh instances' : ', on the servers of 2–4, one scenario after the other'}`);
    if (!settings.freshMix) {
      // The scenarios run on the copy scenarios 1–5 read (their checks are done): the writes of one
      // scenario stay for the next, and the cached instances keep what 4 cached (other documents).
      await Promise.all([...instances].filter(([k]) => !['naive', 'loaders', 'cached-memory', 'cached-redis', 'cached-redis-2'].includes(k)).map(([, i]) => i.stop()));
    } else {
      await Promise.all([...instances].map(([, i]) => i.stop()));
      await reads.drop();
    }
    for (const [index, scenario] of mixScenarios.entries()) {
      if (scenario.cache === 'redis' && !redisBase) {
        skipped.push(`scenario 6, ${scenario.name}: skipped: no Redis`);
        warn(`${scenario.name}: skipped: no Redis`);
        continue;
      }
      log(`  ${scenario.name}`);
      try {
        const result = settings.freshMix
          ? await runMixScenario(scenario, index + 1, {
              root,
              cleanup,
              databases: main,
              redis: redisBase ? { url: redisBase, db: redisDb! } : null,
              runId,
              load,
              connections: settings.connections,
              duration: settings.duration,
              warmup: settings.warmup,
              printShares: index === 0,
            })
          : await measureMix(scenario, scenario.uses.map((k) => instances.get(k)!), {
              load,
              connections: settings.connections,
              duration: settings.duration,
              warmup: settings.warmup,
              printShares: index === 0,
            });
        mixRows.push({ ...result, ratioNaive: null });
        reportMix(result);
        if (result.errors + result.warmupErrors > 0) problems.push(`${scenario.name}: ${result.errors + result.warmupErrors} failed requests`);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        problems.push(`${scenario.name}: ${why}`);
        warn(`${scenario.name}: ${why}`);
      }
    }
  } finally {
    await cleanup.run();
  }

  // ── Ratios, tables, files.
  for (const r of rows) {
    if (!r.stats || r.section !== 'queries') continue;
    const ceiling = rows.find((x) => x.section === 'queries' && x.query === r.query && x.kind === 'ceiling' && x.stats);
    const naive = rows.find((x) => x.section === 'queries' && x.query === r.query && x.kind === 'naive' && x.stats);
    r.ratioCeiling = ceiling ? r.stats.rps / ceiling.stats!.rps : null;
    r.ratioNaive = naive ? r.stats.rps / naive.stats!.rps : null;
  }
  const naiveMix = mixRows.find((m) => m.scenario.naive);
  for (const m of mixRows) m.ratioNaive = naiveMix ? m.load.rps / naiveMix.load.rps : null;
  for (const r of rows) {
    if (r.stats && r.stats.requests === 0) problems.push(`${r.label}, ${r.queryLabel}: no response completed in the window`);
    if (r.stats && failures(r.stats) + r.warmupFailures > 0) problems.push(`${r.label}, ${r.queryLabel}: ${failures(r.stats) + r.warmupFailures} failed responses`);
  }

  const seconds = (performance.now() - started) / 1000;
  const output = render(settings, rows, mixRows, seeding);
  console.log(`\n${output.text}`);
  console.log(`\nmachine: ${machine ? machineLine(machine) : '?'}`);
  console.log(`commit:  ${commit.sha ?? '?'}${commit.dirty.length ? ` + uncommitted changes in ${commit.dirty.join(', ')}` : ' (clean)'}`);
  console.log(`reproduce: ${command}`);
  console.log(`duration: ${fmt(seconds, 0)} s`);
  for (const s of skipped) console.log(`skipped: ${s}`);

  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const jsonFile = path.join(outDir, `${stamp}.json`);
  const svgFile = path.join(outDir, `${stamp}.svg`);
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        durationS: seconds,
        command,
        commit,
        machine,
        services: services?.source ?? null,
        settings,
        peers: PEERS.filter((p) => settings.peers.includes(p.name)),
        seeding,
        queries: QUERIES.map((q) => ({ key: q.key, label: q.label, document: q.document })),
        rows: rows.map(({ stats, ...r }) => ({ ...r, ...(stats ? { stats } : {}) })),
        mix: mixRows.map((m) => ({
          name: m.scenario.name,
          instances: m.scenario.instances,
          cache: m.scenario.cache,
          naive: m.scenario.naive ?? false,
          rps: m.load.rps,
          ratioNaive: m.ratioNaive,
          p50Ms: m.load.p50,
          p99Ms: m.load.p99,
          bytesPerResponse: m.load.bytesPerResponse,
          requests: m.load.requests,
          reads: m.load.reads,
          writes: m.load.writes,
          hitRate: m.hitRate,
          sqlPerRequest: m.sqlPerRequest,
          errors: m.errors,
          warmupErrors: m.warmupErrors,
          operations: m.load.stats,
          cacheCounters: m.cache,
          redisKeys: m.keyspace,
        })),
        skipped,
        problems,
      },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(svgFile, output.svg({ machine, commit, stamp, command }));
  console.log(`results: ${path.relative(process.cwd(), jsonFile)}, chart: ${path.relative(process.cwd(), svgFile)}`);
  if (problems.length) {
    warn(`THE RUN FAILED (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  return 0;
}

/** Measurement order: the ceiling and the cached rows first, side by side, then the rest in scenario order. */
function rank(t: Target): number {
  return t.kind === 'ceiling' ? 0 : t.kind === 'cached' ? 1 : 2 + t.scenario;
}

/** The bare server ignores the request; send it the same GET as 4 (with a token, as 4 has). */
function ceilingToken(targets: Target[]): string {
  return targets.find((t) => t.key === 'cached-memory')?.token ?? '';
}

function emptyRow(query: BenchQuery, t: Pick<Target, 'key' | 'scenario' | 'label' | 'kind' | 'form'>, scale: number, skipped: string | null, failed: string | null): Row {
  return {
    section: 'queries',
    query: query.key,
    queryLabel: query.label,
    target: t.key,
    scenario: t.scenario,
    label: t.label,
    kind: t.kind,
    form: t.form,
    scale,
    stats: null,
    warmupFailures: 0,
    sqlPerRequest: null,
    hitShare: null,
    slices: null,
    bodyBytes: null,
    ratioCeiling: null,
    ratioNaive: null,
    skipped,
    failed,
  };
}

// ── Report ──────────────────────────────────────────────────────────────────────────────────────────

const ratio = (x: number | null) =>
  x == null || !Number.isFinite(x) || x === 0 ? '—' : x >= 100 ? `${fmt(x, 0)}×` : x >= 10 ? `${fmt(x, 1)}×` : x >= 0.1 ? `${fmt(x, 2)}×` : `${fmt(x, 3)}×`;
const ms = (x: number) => (x < 10 ? fmt(x, 1) : fmt(x, 0));

function render(settings: Settings, rows: Row[], mixRows: (MixResult & { ratioNaive: number | null })[], seeding: { scale: number; seconds: number; counts: Record<string, number>; parallel: boolean }[]) {
  const out: string[] = [];
  const mainSeed = seeding.find((s) => s.scale === settings.mainScale);
  out.push(
    `Scenarios 1–5 at seed scale ${settings.mainScale}${mainSeed ? ` (${mainSeed.counts.tickets?.toLocaleString('en-US')} tickets, ${mainSeed.counts.comments?.toLocaleString('en-US')} comments)` : ''}, as ${USER}; ` +
      `${settings.duration} s per row${settings.rounds > 1 ? ` in ${settings.rounds} rounds taken in turn` : ''} after ${settings.warmup} s of warm-up, ${settings.connections} connections, load from a separate process.`,
  );
  const cells = (r: Row) => {
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
  };
  const header = ['query', 'scenario', 'req/s', '×ceiling', '×naive', 'p50 ms', 'p99 ms', 'SQL/req', 'B/resp', 'hits', 'failed'];
  out.push('', table(header, rows.filter((r) => r.section === 'queries').map(cells)));
  out.push(
    '',
    'SQL/req: statements over the measured window / requests sent (deskgraph: deskgraph_sql_statements_total from /metrics, fast-path hits run none;',
    'peers: their /bench-stats counter). B/resp: bytes read per response (status line, headers, body; no compression asked).',
    'hits: share of responses /metrics counted as fast-path cache hits. failed: non-200, other bytes than the checked response, errors, timeouts.',
  );

  if (mixRows.length) {
    out.push('', `Scenario 6, the mix: 90 % reads of 8 queries by 5 users, 10 % agent writes that invalidate; ${settings.freshMix ? 'each on a fresh copy and fresh instances' : 'on the instances above, one after the other (writes accumulate)'}.`);
    out.push(
      '',
      table(
        ['scenario', 'req/s', '×naive', 'p50 ms', 'p99 ms', 'hit rate', 'SQL/req', 'B/resp', 'reads/writes', 'failed'],
        mixRows.map((m) => [
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
        ]),
      ),
      '×ceiling does not apply: the mix has no single response a bare server could replay.',
    );
  }

  const scaling = rows.filter((r) => r.section === 'scaling');
  if (scaling.length) {
    out.push('', `Scaling: the nested list (50 tickets, last 5 comments each) at seed scale ${settings.scales.join(', ')}, no response cache.`);
    const first = new Map<string, Row>();
    out.push(
      '',
      table(
        ['scale', 'tickets', 'comments', 'server', 'req/s', 'p50 ms', '×p50', 'p99 ms', 'SQL/req', 'B/resp', 'seeded in'],
        scaling.map((r) => {
          const seed = seeding.find((s) => s.scale === r.scale);
          const base = first.get(r.target.split('@')[0]!) ?? (r.stats ? (first.set(r.target.split('@')[0]!, r), r) : undefined);
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
        }),
      ),
    );
    if (seeding.some((s) => s.parallel)) out.push('* seeded while the servers of 1–5 started (fast preset): that time is shared with them.');
  }

  // The issue's targets, for information (they do not fail the run).
  const q = (query: string, target: string) => rows.find((r) => r.section === 'queries' && r.query === query && r.target === target && r.stats);
  const verdicts: string[] = [];
  for (const query of QUERIES) {
    const cached = q(query.key, 'cached-memory');
    if (cached?.ratioCeiling != null) verdicts.push(`${query.label}: cached (memory) = ${ratio(cached.ratioCeiling)} the ceiling (target ≥ 0.5×: ${cached.ratioCeiling >= 0.5 ? 'met' : 'MISSED'})`);
    const loaders = q(query.key, 'loaders');
    const jit = q(query.key, 'peer:mercurius-jit');
    if (loaders && jit) {
      const x = loaders.stats!.rps / jit.stats!.rps;
      verdicts.push(`${query.label}: deskgraph uncached = ${ratio(x)} mercurius+jit (target ≥ 1×: ${x >= 1 ? 'met' : 'MISSED'})`);
    }
  }
  if (verdicts.length) out.push('', 'Targets from the issue (information; they do not fail the run):', ...verdicts.map((v) => `  ${v}`));

  const svg = (meta: { machine: Machine | null; commit: Commit; stamp: string; command: string }) => {
    const color = (k: Kind) => ({ ceiling: COLORS.ceiling, naive: COLORS.naive, loaders: COLORS.loaders, cached: COLORS.cached, peer: COLORS.peer, 'peer-cached': COLORS.peerCached })[k];
    const sections: Section[] = QUERIES.map((query) => ({
      title: `${query.label} — requests/s (ratio to the ceiling · p99)`,
      unit: 'requests per second',
      scale: 'log',
      bars: rows
        .filter((r) => r.section === 'queries' && r.query === query.key)
        .map((r) => ({
          label: r.label,
          value: r.stats?.rps ?? null,
          text: r.stats ? `${fmt(r.stats.rps, 0)}/s · ${ratio(r.ratioCeiling)} · p99 ${ms(r.stats.p99)} ms · SQL ${r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, 1)}` : (r.skipped ?? r.failed ?? '—'),
          color: color(r.kind),
        })),
    }));
    if (mixRows.length) {
      sections.push({
        title: 'the mix (90/10 read/write) — requests/s (ratio to naive · hit rate)',
        unit: 'requests per second',
        scale: 'log',
        bars: mixRows.map((m) => ({
          label: m.scenario.name.replace(/^mix: /, ''),
          value: m.load.rps,
          text: `${fmt(m.load.rps, 0)}/s · ${ratio(m.ratioNaive)} · ${m.hitRate == null ? 'no cache' : `hits ${fmt(m.hitRate * 100, 0)}%`} · SQL ${fmt(m.sqlPerRequest, 2)}`,
          color: m.scenario.naive ? COLORS.naive : m.scenario.cache === 'off' ? COLORS.loaders : COLORS.mix,
        })),
      });
    }
    if (scaling.length) {
      sections.push({
        title: 'scaling: nested list, no cache — p50 latency by seed scale',
        unit: 'p50 latency, ms',
        scale: 'linear',
        bars: scaling.map((r) => ({
          label: `${r.target.startsWith('naive') ? 'naive' : 'loaders'} @ scale ${r.scale}`,
          value: r.stats?.p50 ?? null,
          text: r.stats ? `${ms(r.stats.p50)} ms (p99 ${ms(r.stats.p99)}) · ${fmt(r.stats.rps, 0)}/s · SQL ${r.sqlPerRequest == null ? '?' : fmt(r.sqlPerRequest, 1)}` : (r.failed ?? '—'),
          color: r.target.startsWith('naive') ? COLORS.naive : COLORS.scaling,
        })),
      });
    }
    return barChart(
      `deskgraph benchmarks — ${meta.stamp}`,
      [
        `${settings.preset} preset, ${settings.duration} s per row, ${settings.connections} connections, seed scale ${settings.mainScale}; commit ${meta.commit.sha?.slice(0, 12) ?? '?'}${meta.commit.dirty.length ? ' + changes' : ''}`,
        ...(meta.machine ? machineLine(meta.machine).split('; ') : []),
        `reproduce: ${meta.command}`,
      ],
      sections,
    );
  };
  return { text: out.join('\n'), svg };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nnpm run bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

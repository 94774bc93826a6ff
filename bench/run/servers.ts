// The servers of scenarios 2–5, of the fast mix and of the scaling run: started together (their start
// overlaps the seeding of the other scales), then measured one at a time by the steps after.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NAIVE_ARGS } from '../lib/mix.ts';
import { manifest } from '../lib/queries.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb } from '../lib/redis-watch.ts';
import { startInstance, type Instance } from '../lib/server.ts';
import { fmt, log, warn } from '../lib/util.ts';
import type { SeededData } from './data.ts';
import { errorText, type RunContext } from './model.ts';
import { PROXIED_KEYS, SOLO_KEY, type ProxyRedis } from './proxies.ts';
import { peerInfo } from './settings.ts';

// A dozen servers start at once on a shared machine, beside the seeding: far slower than one alone.
const READY_TIMEOUT_MS = 180_000;

type Env = Record<string, string | undefined>;
type Spec = { key: string; start: () => Promise<Instance> };
type StartDeskgraph = (name: string, databaseUrl: string, extra: Env, args?: string[]) => Promise<Instance>;

export interface ServerSet {
  /** By key: naive, loaders, loaders-graphql-js, loaders-token-lookup, cached-memory, cached-redis[-2], peer:<name>, scale:<scale>:<kind>. */
  instances: Map<string, Instance>;
  /** Why a server did not start, by key. */
  startFailures: Map<string, string>;
  /** Peers whose file exists (the others are skipped). */
  peers: Set<string>;
  /** The copy of the main scale scenarios 1–5 read. */
  reads: { url: string; drop(): Promise<void> };
  /** The Redis logical database the Redis scenarios use; null without Redis. */
  redis: { url: string; db: number } | null;
  /** Makes key prefixes unique to this run. */
  runId: string;
}

export async function startServers(
  ctx: RunContext,
  data: SeededData,
  redisBase: string | null,
  proxyRedis: ProxyRedis | null,
): Promise<ServerSet> {
  const reads = await data.main.copy('reads');
  const manifestFile = path.join(ctx.work, 'persisted-documents.json');
  writeFileSync(manifestFile, JSON.stringify(manifest(), null, 2) + '\n');
  const runId = randomBytes(3).toString('hex');
  const redis = redisBase ? await readsRedis(ctx, redisBase, runId) : null;
  const start = deskgraphStarter(ctx, manifestFile);
  const peers = peerSpecs(ctx, reads.url);
  const proxied = redis && proxyRedis ? proxiedSpecs(ctx, start, reads.url, redis, proxyRedis, runId) : [];
  const specs = [
    ...deskgraphSpecs(ctx, start, reads.url, redis?.env ?? null),
    ...proxied,
    ...peers.specs,
    ...scalingSpecs(ctx, data, start),
  ];
  const { instances, startFailures } = await startAll(specs);
  return { instances, startFailures, peers: peers.present, reads, redis: redis && { url: redis.url, db: redis.db }, runId };
}

/** Peers may fail to start (reported, the run goes on); deskgraph's servers may not. */
export function acceptStartFailures(ctx: RunContext, servers: ServerSet): void {
  for (const [key, why] of servers.startFailures) {
    if (!key.startsWith('peer:')) throw new Error(`${key} did not start: ${why}`);
    ctx.findings.problems.push(`${key} did not start: ${why.split('\n')[0]}`);
    warn(`${key} did not start:\n${why}`);
  }
}

export async function stopInstances(servers: ServerSet, which: (key: string) => boolean): Promise<void> {
  await Promise.all([...servers.instances].filter(([k]) => which(k)).map(([, i]) => i.stop()));
}

/** An empty logical database and a prefix of their own, so the keys can be counted and removed after. */
async function readsRedis(ctx: RunContext, base: string, runId: string) {
  const db = await pickEmptyDatabase(base);
  const prefix = `bench-${runId}-reads`;
  const watch = new KeyspaceWatch(base, db, prefix);
  ctx.cleanup.add('remove the Redis keys of the read scenarios', async () => {
    await watch.dispose();
  });
  return { url: base, db, env: { RESPONSE_CACHE: 'true', REDIS_URL: redisUrlWithDb(base, db), CACHE_KEY_PREFIX: prefix } };
}

/**
 * The instances behind HAProxy (bench/run/proxies.ts): three on the chosen Redis, one alone on the run's
 * Redis. Each group has its own key prefix, hence its own bus: a write waits only for its own group's
 * acknowledgements, never for the instances of the other scenarios.
 */
function proxiedSpecs(
  ctx: RunContext,
  start: StartDeskgraph,
  url: string,
  redis: { url: string; db: number },
  proxyRedis: ProxyRedis,
  runId: string,
): Spec[] {
  const onRunRedis = { REDIS_URL: redisUrlWithDb(redis.url, redis.db) };
  const group = (name: string, redisEnv: Env) => {
    const prefix = `bench-${runId}-${name}`;
    if (redisEnv.REDIS_URL) {
      const watch = new KeyspaceWatch(redis.url, redis.db, prefix);
      ctx.cleanup.add(`remove the Redis keys of ${name}`, async () => void (await watch.dispose()));
    }
    return { RESPONSE_CACHE: 'true', ...redisEnv, CACHE_KEY_PREFIX: prefix };
  };
  const threeEnv = group('proxied', proxyRedis.kind === 'cluster' ? proxyRedis.env : onRunRedis);
  const soloEnv = group('solo', onRunRedis);
  return [
    ...PROXIED_KEYS.map((key, i) => ({ key, start: () => start(`proxied#${i + 1}`, url, threeEnv) })),
    { key: SOLO_KEY, start: () => start('proxied-solo', url, soloEnv) },
  ];
}

function deskgraphStarter(ctx: RunContext, manifestFile: string): StartDeskgraph {
  return (name, databaseUrl, extra, args) =>
    startInstance({
      name,
      root: ctx.root,
      cleanup: ctx.cleanup,
      ...(args ? { args } : {}),
      env: {
        DATABASE_URL: databaseUrl,
        AUTO_MIGRATE: 'false',
        SEED_IF_EMPTY: 'false',
        PERSISTED_OPERATIONS: 'allow',
        PERSISTED_OPERATIONS_MANIFEST: manifestFile,
        ...extra,
      },
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
}

function deskgraphSpecs(ctx: RunContext, start: StartDeskgraph, url: string, redisEnv: Env | null): Spec[] {
  const off = { RESPONSE_CACHE: 'false' };
  const specs: Spec[] = [
    { key: 'naive', start: () => start('naive', url, off, NAIVE_ARGS) },
    { key: 'loaders', start: () => start('loaders', url, off) },
    // What graphql-jit (GRAPHQL_JIT, on by default) is worth: the same server interpreting with graphql-js.
    { key: 'loaders-graphql-js', start: () => start('loaders-graphql-js', url, { ...off, GRAPHQL_JIT: 'false' }) },
    // What remembering token → viewer (VIEWER_CACHE, on by default) is worth: the peers look the token up
    // on every request, as this row does.
    { key: 'loaders-token-lookup', start: () => start('loaders-token-lookup', url, { ...off, VIEWER_CACHE: 'false' }) },
    { key: 'cached-memory', start: () => start('cached-memory', url, { RESPONSE_CACHE: 'true' }) },
  ];
  if (redisEnv) {
    specs.push({ key: 'cached-redis', start: () => start('cached-redis', url, redisEnv) });
    // The second instance of the 2-instance mix (fast preset: the mix runs on these instances).
    if (!ctx.settings.freshMix) specs.push({ key: 'cached-redis-2', start: () => start('cached-redis#2', url, redisEnv) });
  }
  // BENCH_ONLY=haproxy: the reference (loaders), the ceiling's source (memory) and the direct Redis row.
  return ctx.settings.onlyProxies ? specs.filter((s) => ['loaders', 'cached-memory', 'cached-redis'].includes(s.key)) : specs;
}

function peerSpecs(ctx: RunContext, url: string): { specs: Spec[]; present: Set<string> } {
  const specs: Spec[] = [];
  const present = new Set<string>();
  for (const name of ctx.settings.peers) {
    const file = `bench/peers/${name}.ts`;
    if (!existsSync(path.join(ctx.root, file))) {
      ctx.findings.skipped.push(`scenario 5, ${name}: skipped: ${file} does not exist`);
      warn(`${name}: skipped: ${file} does not exist`);
      continue;
    }
    present.add(name);
    // No REDIS_URL: the peers' caches are in process, compared with deskgraph's memory cache.
    const env = { DATABASE_URL: url, PEER_CACHE: peerInfo(name).cached ? 'on' : 'off', REDIS_URL: undefined };
    specs.push({
      key: `peer:${name}`,
      start: () =>
        startInstance({
          name,
          root: ctx.root,
          cleanup: ctx.cleanup,
          args: ['--import', 'tsx', file],
          env,
          readyTimeoutMs: READY_TIMEOUT_MS,
        }),
    });
  }
  return { specs, present };
}

function scalingSpecs(ctx: RunContext, data: SeededData, start: StartDeskgraph): Spec[] {
  const { settings } = ctx;
  const off = { RESPONSE_CACHE: 'false' };
  const specs: Spec[] = [];
  for (const scale of settings.scales.filter((s) => s !== settings.mainScale)) {
    // Nothing copies these templates: their servers use them directly (started once seeded).
    const url = async () => (await data.byScale.get(scale)!).templateUrl;
    specs.push({ key: `scale:${scale}:loaders`, start: async () => start(`loaders@${scale}`, await url(), off) });
    if (settings.preset === 'full')
      specs.push({ key: `scale:${scale}:naive`, start: async () => start(`naive@${scale}`, await url(), off, NAIVE_ARGS) });
  }
  return specs;
}

async function startAll(specs: Spec[]): Promise<Pick<ServerSet, 'instances' | 'startFailures'>> {
  log(`starting ${specs.length} servers: ${specs.map((s) => s.key).join(', ')}`);
  const startedAt = performance.now();
  const outcomes = await Promise.allSettled(specs.map((s) => s.start()));
  const instances = new Map<string, Instance>();
  const startFailures = new Map<string, string>();
  outcomes.forEach((o, i) => {
    const key = specs[i]!.key;
    if (o.status === 'fulfilled') instances.set(key, o.value);
    else startFailures.set(key, errorText(o.reason));
  });
  log(`  ${instances.size} of ${specs.length} ready in ${fmt((performance.now() - startedAt) / 1000, 1)} s`);
  return { instances, startFailures };
}

// The scale-out rows (issue 16): deskgraph instances behind HAProxy, the configuration of `npm run
// topology` (scripts/topology/haproxy.ts: round robin, health checks on /ready) without its stream
// routing and per-request log. Two proxies:
//   - 3 instances sharing one bus (the Redis target below): what the deployment of issue 16 costs, the
//     guarantee included (a write waits for every leased instance to acknowledge, server/CACHE.md);
//   - 1 instance on the run's Redis: the proxy's own cost, against scenario 4's direct Redis row.
// The Redis target of the 3 instances is a parameter (BENCH_PROXY_REDIS): a six-node Redis Cluster started
// here with scripts/topology/redis.ts, or the run's one Redis (own key prefix). The cluster is used only
// when redis-server is installed and this deskgraph reads REDIS_CLUSTER_NODES: without that, each instance
// would cache alone and the rows would measure something else.
import path from 'node:path';
import { findExecutable } from '../../scripts/topology/binaries.ts';
import { spawnHaproxy, waitForBackends, type ProxySpec } from '../../scripts/topology/haproxy.ts';
import { serverSupportsCluster } from '../../scripts/topology/instances.ts';
import { portIsFree, stopProcess } from '../../scripts/topology/processes.ts';
import { startRedisNodes, stopRedis } from '../../scripts/topology/redis.ts';
import type { RedisNode } from '../../scripts/topology/state.ts';
import type { Instance } from '../lib/server.ts';
import { log, warn } from '../lib/util.ts';
import type { Endpoint, RunContext } from './model.ts';

export const PROXIED_KEYS = ['proxied-1', 'proxied-2', 'proxied-3'];
/** The instance alone behind the second proxy. */
export const SOLO_KEY = 'proxied-solo';

/** Where the 3 instances' cache and bus live; `env` is what each instance is given besides its key prefix. */
export interface ProxyRedis {
  kind: 'cluster' | 'one Redis';
  /** For row labels. */
  label: string;
  env: Record<string, string>;
}

/** The two fronts, each with the instances whose /metrics count what it served. */
export interface Proxies {
  three: { front: Endpoint; behind: Instance[]; redis: ProxyRedis };
  solo: { front: Endpoint; behind: Instance[] };
}

const CLUSTER_SIZE = 6;

/**
 * Ports from BENCH_PORT_BASE: base…base+19 for the two proxies and their stats pages (the first free ones:
 * the range lies among the ephemeral ports, where a connection of this busy run may hold one for a
 * while), base+20… the cluster's nodes, base+40… their bus.
 */
const PROXY_PORTS = 20;
const clusterPorts = (base: number) => Array.from({ length: CLUSTER_SIZE }, (_, i) => ({ port: base + 20 + i, busPort: base + 40 + i }));

/**
 * Chooses the Redis of the 3 instances and starts it (the cluster); null (and a line in `skipped`) when the
 * rows cannot run: no HAProxy, or no Redis at all.
 */
export async function prepareProxyRedis(ctx: RunContext, redisUrl: string | null): Promise<ProxyRedis | null> {
  const { settings, findings } = ctx;
  const skip = (why: string) => {
    findings.skipped.push(`HAProxy rows: skipped: ${why}`);
    warn(`HAProxy rows: skipped: ${why}`);
    return null;
  };
  if (settings.proxyRedis === 'off') return skip('BENCH_PROXY_REDIS=off');
  if (!findExecutable('haproxy')) return skip('no haproxy (apt-get install haproxy)');
  if (!redisUrl) return skip('no Redis');
  const why = clusterUnavailable();
  if (settings.proxyRedis === 'cluster' && why) return skip(`BENCH_PROXY_REDIS=cluster, but ${why}`);
  if (settings.proxyRedis === 'auto' && why) {
    findings.skipped.push(`HAProxy rows on a Redis Cluster: skipped (${why}); the 3 instances share the run's one Redis instead`);
    warn(`HAProxy rows: ${why}: the 3 instances share the run's one Redis, not a cluster`);
  }
  if (settings.proxyRedis === 'one' || why) return { kind: 'one Redis', label: 'one Redis', env: { REDIS_URL: redisUrl } };
  return startCluster(ctx);
}

function clusterUnavailable(): string | null {
  if (!findExecutable('redis-server') || !findExecutable('redis-cli')) return 'redis-server/redis-cli are not installed';
  if (!serverSupportsCluster()) return 'this deskgraph does not read REDIS_CLUSTER_NODES yet';
  return null;
}

async function startCluster(ctx: RunContext): Promise<ProxyRedis> {
  const cluster = clusterPorts(ctx.settings.portBase);
  await requireFreePorts(cluster.flatMap((n) => [n.port, n.busPort]));
  const nodes: RedisNode[] = cluster.map(({ port, busPort }) => ({
    port,
    busPort,
    dir: path.join(ctx.work, 'redis', String(port)),
    log: path.join(ctx.work, 'redis', `${port}.log`),
    process: null,
  }));
  ctx.cleanup.add('stop the Redis Cluster', async () => void (await Promise.all(nodes.map((node) => stopRedis(node)))));
  const started = performance.now();
  await startRedisNodes(nodes, true, findExecutable('redis-server')!, findExecutable('redis-cli')!);
  const list = nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  log(`Redis Cluster (3 masters, 3 replicas) on ${list} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { kind: 'cluster', label: 'Redis Cluster', env: { REDIS_CLUSTER_NODES: list } };
}

/** Starts both proxies in front of instances that are already ready, and waits until their health checks see them UP. */
export async function startProxies(ctx: RunContext, redis: ProxyRedis, three: Instance[], solo: Instance): Promise<Proxies> {
  const free = await freePortsFrom(ctx.settings.portBase, PROXY_PORTS, 4);
  const front = async (name: string, at: { port: number; statsPort: number }, behind: Instance[]): Promise<Endpoint> => {
    const spec: ProxySpec = { ...at, servers: behind.map((i) => ({ name: i.name.replace(/\W/g, '_'), port: i.port })) };
    const files = { config: path.join(ctx.work, name, 'haproxy.cfg'), log: path.join(ctx.work, name, 'haproxy.log') };
    const process = spawnHaproxy(findExecutable('haproxy')!, spec, files, { streams: false, requestLog: false });
    // SIGUSR1: a soft stop (the load generator has closed its connections by then).
    ctx.cleanup.add(`stop ${name}`, async () => void (await stopProcess(process, 'SIGUSR1', 3000)));
    await waitForBackends(process, spec, files.log);
    const origin = `http://127.0.0.1:${at.port}`;
    return { name, port: at.port, origin, graphqlUrl: `${origin}/graphql` };
  };
  const proxies = {
    three: { front: await front('haproxy-3', { port: free[0]!, statsPort: free[1]! }, three), behind: three, redis },
    solo: { front: await front('haproxy-1', { port: free[2]!, statsPort: free[3]! }, [solo]), behind: [solo] },
  };
  log(`HAProxy: 3 instances (${redis.label}) on :${free[0]}, 1 instance (one Redis) on :${free[2]}`);
  return proxies;
}

async function freePortsFrom(base: number, range: number, count: number): Promise<number[]> {
  const free: number[] = [];
  for (let port = base; port < base + range && free.length < count; port++) if (await portIsFree(port)) free.push(port);
  if (free.length < count)
    throw new Error(`HAProxy rows: fewer than ${count} free ports in ${base}–${base + range - 1}: set BENCH_PORT_BASE`);
  return free;
}

async function requireFreePorts(list: number[]): Promise<void> {
  const taken: number[] = [];
  for (const port of list) if (!(await portIsFree(port))) taken.push(port);
  if (taken.length)
    throw new Error(`HAProxy rows: port(s) ${taken.join(', ')} already in use: set BENCH_PORT_BASE to a free range of 46 ports`);
}

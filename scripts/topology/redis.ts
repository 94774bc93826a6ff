// Redis: one node (`--redis single`), or a Redis Cluster of six nodes, three masters with a replica
// each, created with `redis-cli --cluster create … --cluster-replicas 1`. Nothing is persisted (a cache
// and a bus need no durability); a cluster's nodes.conf is, so a kept cluster comes back with its slots.
import { mkdirSync } from 'node:fs';
import { isRunning, run, spawnDetached, stopProcess, tail, TopologyError, waitUntil } from './processes.ts';
import type { RedisNode, TopologyState } from './state.ts';

/**
 * How long a cluster master may be unreachable before its replica takes over. Redis's default is 15 s;
 * short here so a failover (the consistency checker kills masters) is over in a few seconds, yet long
 * enough that a busy two-core machine does not fail nodes over by mistake.
 */
const CLUSTER_NODE_TIMEOUT_MS = 2000;

function cli(redisCli: string, port: number, ...args: string[]): string {
  return run(redisCli, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 }).trim();
}

function serverArgs(node: RedisNode, cluster: boolean): string[] {
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(node.port),
    '--dir',
    node.dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
  ];
  if (cluster) {
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS));
    args.push('--cluster-port', String(node.busPort));
  }
  return args;
}

export async function startRedis(state: TopologyState, redisServer: string, redisCli: string): Promise<void> {
  await startRedisNodes(state.redis.nodes, state.redis.mode === 'cluster', redisServer, redisCli);
}

/** Starts the nodes that are not running, waits for each to answer, and (cluster) creates the cluster. npm run bench uses it too. */
export async function startRedisNodes(nodes: RedisNode[], cluster: boolean, redisServer: string, redisCli: string): Promise<void> {
  for (const node of nodes) {
    if (isRunning(node.process)) continue;
    mkdirSync(node.dir, { recursive: true });
    const pid = spawnDetached(redisServer, serverArgs(node, cluster), { logFile: node.log, cwd: node.dir });
    // Redis retitles itself ("redis-server 127.0.0.1:<port>"), so only its name is stable.
    node.process = { pid, command: 'redis-server' };
  }
  for (const node of nodes) {
    await waitUntil(
      () => {
        if (!isRunning(node.process)) throw new TopologyError('it exited');
        return cli(redisCli, node.port, 'PING') === 'PONG';
      },
      15_000,
      () => `redis-server on port ${node.port} did not answer PING; the end of ${node.log}:\n${tail(node.log)}`,
    );
  }
  if (cluster) await createCluster(nodes, redisCli);
}

const clusterInfo = (redisCli: string, port: number) => cli(redisCli, port, 'CLUSTER', 'INFO');
const field = (info: string, name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? null;

/** Creates the cluster unless its slots are already assigned (a kept cluster), then waits until every node says ok. */
async function createCluster(nodes: RedisNode[], redisCli: string): Promise<void> {
  const ports = nodes.map((node) => node.port);
  if (field(clusterInfo(redisCli, ports[0]!), 'cluster_slots_assigned') !== '16384') {
    run(redisCli, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    });
  }
  await waitUntil(
    () =>
      ports.every((port) => {
        const info = clusterInfo(redisCli, port);
        return field(info, 'cluster_state') === 'ok' && field(info, 'cluster_known_nodes') === String(ports.length);
      }),
    30_000,
    () => `the Redis Cluster on ports ${ports.join(', ')} did not reach cluster_state:ok on every node`,
  );
}

export async function stopRedis(node: RedisNode): Promise<boolean> {
  return stopProcess(node.process, 'SIGTERM', 5000);
}

export interface RedisNodeStatus {
  port: number;
  up: boolean;
  /** master / replica (cluster or replication role), as the node reports it. */
  role: string | null;
  /** The cluster's state as this node sees it (ok / fail); null for a single node. */
  clusterState: string | null;
}

export function redisStatus(state: TopologyState, redisCli: string): RedisNodeStatus[] {
  return state.redis.nodes.map((node) => {
    if (!isRunning(node.process)) return { port: node.port, up: false, role: null, clusterState: null };
    try {
      const role = cli(redisCli, node.port, 'ROLE').split('\n')[0] ?? null;
      const clusterState = state.redis.mode === 'cluster' ? field(clusterInfo(redisCli, node.port), 'cluster_state') : null;
      return { port: node.port, up: true, role: role === 'slave' ? 'replica' : role, clusterState };
    } catch {
      return { port: node.port, up: false, role: null, clusterState: null };
    }
  });
}

/** host:port,… as REDIS_CLUSTER_NODES takes them. */
export const clusterNodes = (state: TopologyState) => state.redis.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');

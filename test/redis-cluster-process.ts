// A throwaway Redis Cluster of six redis-server processes (three masters, one replica each) on free
// loopback ports, for tests that kill its nodes: a shared cluster (TEST_REDIS_CLUSTER_NODES) must not see
// failovers other test files did not ask for. The node timeout is short, so a replica takes over in ~2 s.
import { spawnSync } from 'node:child_process';
import type { RedisTarget } from '../server/platform/redis-connection.ts';
import { freePort, startRedis, waitFor, type RedisProcess } from './processes.ts';

interface ClusterNode {
  readonly redis: RedisProcess;
  readonly port: number;
}

export interface RedisClusterProcess {
  readonly nodes: readonly ClusterNode[];
  readonly target: RedisTarget;
  /** The node that masters `key`'s slot now, and its replica's node. */
  ownerOf(key: string): { master: ClusterNode; replica: ClusterNode | null };
  /** Until every running node reports cluster_state:ok and a master for every slot. */
  whenHealthy(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterProcess> {
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 6; i += 1) {
    // The cluster bus port is given (the default, port + 10000, may be past 65535 for a free port).
    const busPort = await freePort();
    const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000'];
    const redis = await startRedis([...args, '--cluster-port', String(busPort)]);
    nodes.push({ redis, port: redis.port });
  }
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);

  const running = () => nodes.filter((node) => node.redis.pid() !== null);
  const byId = (): Map<string, { node: ClusterNode; master: string | null; slots: [number, number][] }> => {
    const table = new Map<string, { node: ClusterNode; master: string | null; slots: [number, number][] }>();
    for (const line of running()[0]!.redis.cli('CLUSTER', 'NODES').split('\n')) {
      const [id, address, flags, master, , , , state, ...slots] = line.trim().split(' ');
      const port = Number(address?.split('@')[0]?.split(':')[1]);
      const node = nodes.find((n) => n.port === port);
      if (!id || !node || state !== 'connected' || flags?.includes('fail')) continue;
      const ranges = slots.filter((s) => /^\d/.test(s)).map((s) => s.split('-').map(Number) as [number, number]);
      table.set(id, { node, master: master === '-' ? null : master!, slots: ranges.map(([a, b]) => [a, b ?? a]) });
    }
    return table;
  };

  const cluster: RedisClusterProcess = {
    nodes,
    target: { kind: 'cluster', nodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), tls: false },
    ownerOf(key) {
      const slot = Number(running()[0]!.redis.cli('CLUSTER', 'KEYSLOT', key));
      const table = byId();
      const [masterId, master] = [...table].find(([, n]) => n.slots.some(([a, b]) => slot >= a && slot <= b)) ?? [];
      if (!master) throw new Error(`no master serves slot ${slot}`);
      const replica = [...table.values()].find((n) => n.master === masterId)?.node ?? null;
      return { master: master.node, replica };
    },
    async whenHealthy(timeoutMs = 20_000) {
      await waitFor(
        async () => running().every((node) => /cluster_state:ok/.test(node.redis.cli('CLUSTER', 'INFO'))),
        timeoutMs,
        () => `the cluster did not become healthy: ${running()[0]?.redis.cli('CLUSTER', 'NODES')}`,
        100,
      );
    },
    async dispose() {
      await Promise.all(nodes.map((node) => node.redis.dispose()));
    },
  };
  await cluster.whenHealthy();
  return cluster;
}

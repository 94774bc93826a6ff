// The Redis servers the tests may use, as the server's own configuration would name them: the single
// Redis of TEST_REDIS_URL and the Redis Cluster of TEST_REDIS_CLUSTER_NODES (scripts/test-services.sh
// starts both). A test that runs "on every Redis" takes targets() and skips the ones not given.
import { Cluster, Redis } from 'ioredis';
import { parseNodes, type RedisTarget } from '../server/platform/redis-connection.ts';

const singleTarget: RedisTarget | null = process.env.TEST_REDIS_URL ? { kind: 'single', url: process.env.TEST_REDIS_URL } : null;

export const clusterTarget: RedisTarget | null = (() => {
  const list = process.env.TEST_REDIS_CLUSTER_NODES;
  if (!list) return null;
  const parsed = parseNodes(list);
  if ('bad' in parsed) throw new Error(`TEST_REDIS_CLUSTER_NODES: bad node "${parsed.bad}"`);
  return { kind: 'cluster', nodes: parsed.nodes, tls: false };
})();

/** [name, target] for each Redis given, for describe.each. */
export function targets(): [string, RedisTarget][] {
  const found: [string, RedisTarget][] = [];
  if (singleTarget) found.push(['single Redis', singleTarget]);
  if (clusterTarget) found.push(['Redis Cluster', clusterTarget]);
  return found;
}

/** A plain client of the target, for tests that look at keys. */
export function probeClient(target: RedisTarget): Redis | Cluster {
  return target.kind === 'single' ? new Redis(target.url, { maxRetriesPerRequest: 1 }) : new Cluster(target.nodes);
}

/** The environment a server process needs to use the target. */
export function targetEnv(target: RedisTarget): Record<string, string> {
  if (target.kind === 'single') return { REDIS_URL: target.url };
  return { REDIS_CLUSTER_NODES: target.nodes.map((node) => `${node.host}:${node.port}`).join(',') };
}

/** Deletes every key of a prefix (`<prefix>:…` and the hash-tagged `{<prefix>:…}…`), on every master of a cluster. */
export async function deleteTargetPrefix(target: RedisTarget, prefix: string): Promise<void> {
  const client = probeClient(target);
  try {
    const nodes = client instanceof Cluster ? (await waitReady(client), client.nodes('master')) : [client];
    for (const node of nodes) {
      for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          // One by one on a cluster: keys of different slots cannot share a command.
          for (const key of keys) await node.unlink(key);
        } while (cursor !== '0');
      }
    }
  } finally {
    client.disconnect();
  }
}

async function waitReady(cluster: Cluster): Promise<void> {
  if (cluster.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    cluster.once('ready', resolve);
    cluster.once('error', reject);
  });
}

// The faults injected while the workload runs, one function each. Every fault restores what it broke
// before it resolves, and returns what it did, with its times (ms since the run began) for the report.
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SpawnedInstance } from './instances.ts';
import type { Random } from './random.ts';
import { sleep } from './sessions.ts';

export const FAULT_KINDS = ['kill', 'redis-cut', 'replica-lag', 'redis-failover', 'redis-master-kill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultEvent {
  kind: FaultKind;
  target: string;
  start: number;
  end: number;
  note: string;
}

export interface FaultContext {
  random: Random;
  now(): number;
  /** Instances the checker started (kill and a cut link need them), else null. */
  spawned: SpawnedInstance[] | null;
  redisUrl?: string;
  replicaUrl?: string;
  redisClusterNodes?: string[];
  /**
   * With --urls, redis-cut kills only connections whose name contains this (the deployment's own mark,
   * e.g. its CACHE_KEY_PREFIX): a shared Redis also holds other deployments' connections.
   */
  redisClientMatch?: string;
  /** How long a cut link or a lagging replica lasts, and how long a killed instance stays down. */
  holdMs: number;
}

/** Which faults a run can inject, and why not the others (told to the user before the run). */
export function unsupported(kind: FaultKind, ctx: Omit<FaultContext, 'random' | 'now'>): string | null {
  if (kind === 'kill' && !ctx.spawned) return 'kill needs instances the checker started (not --urls)';
  if (kind === 'redis-cut' && !ctx.spawned && !ctx.redisUrl && !ctx.redisClusterNodes)
    return 'redis-cut with --urls needs --redis-url or --redis-cluster-nodes';
  if (kind === 'replica-lag' && !ctx.replicaUrl) return 'replica-lag needs --replica-url';
  if ((kind === 'redis-failover' || kind === 'redis-master-kill') && !ctx.redisClusterNodes) return `${kind} needs --redis-cluster-nodes`;
  return null;
}

export async function inject(kind: FaultKind, ctx: FaultContext): Promise<FaultEvent> {
  const start = ctx.now();
  const done = (target: string, note: string): FaultEvent => ({ kind, target, start, end: ctx.now(), note });
  switch (kind) {
    case 'kill': {
      const instance = ctx.random.pick(ctx.spawned!);
      await instance.kill();
      await sleep(ctx.holdMs);
      await instance.start();
      return done(instance.name, `SIGKILL, down ${ctx.holdMs} ms, restarted and ready`);
    }
    case 'redis-cut': {
      if (ctx.spawned) {
        const instance = ctx.random.pick(ctx.spawned);
        instance.redisLink.cut();
        await sleep(ctx.holdMs);
        instance.redisLink.restore();
        return done(instance.name, `its Redis link cut (connections reset, new ones refused) for ${ctx.holdMs} ms, then restored`);
      }
      return done(...(await killNamedConnections(ctx)));
    }
    case 'replica-lag': {
      await replicaDelay(ctx.replicaUrl!, "'2s'");
      await sleep(ctx.holdMs);
      await replicaDelay(ctx.replicaUrl!, null);
      return done('replica', `recovery_min_apply_delay = 2s for ${ctx.holdMs} ms, then reset`);
    }
    case 'redis-failover':
      return done(...(await clusterFailover(ctx, false)));
    case 'redis-master-kill':
      return done(...(await clusterFailover(ctx, true)));
  }
}

async function replicaDelay(url: string, value: string | null): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(value ? `ALTER SYSTEM SET recovery_min_apply_delay = ${value}` : 'ALTER SYSTEM RESET recovery_min_apply_delay');
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

const redisNode = (address: string) => {
  const url = address.includes('://') ? new URL(address) : new URL(`redis://${address}`);
  return new Redis({ host: url.hostname, port: Number(url.port || 6379), lazyConnect: true, maxRetriesPerRequest: 1 });
};

/**
 * With --urls: CLIENT KILL every connection of one instance, found by its name (`deskgraph:<instance>:…`,
 * containing --redis-client-match), grouped by the name without its last part (the connection's role).
 */
async function killNamedConnections(ctx: FaultContext): Promise<[string, string]> {
  const nodes = ctx.redisClusterNodes ?? [ctx.redisUrl!];
  const byInstance = new Map<string, { node: string; id: string }[]>();
  for (const node of nodes) {
    const client = redisNode(node);
    try {
      await client.connect();
      const list = (await client.call('CLIENT', 'LIST')) as string;
      for (const line of list.split('\n')) {
        const name = /\bname=(\S*)/.exec(line)?.[1] ?? '';
        const id = /\bid=(\d+)/.exec(line)?.[1];
        if (!id || !name.startsWith('deskgraph:') || !name.includes(ctx.redisClientMatch!)) continue;
        const instance = name.split(':').slice(0, -1).join(':') || name;
        byInstance.set(instance, [...(byInstance.get(instance) ?? []), { node, id }]);
      }
    } finally {
      client.disconnect();
    }
  }
  if (byInstance.size === 0)
    return ['none', 'no Redis connection named deskgraph:… found (instances do not name their connections yet): nothing cut'];
  const [instance, connections] = ctx.random.pick([...byInstance]);
  for (const { node, id } of connections) {
    const client = redisNode(node);
    try {
      await client.connect();
      await client.call('CLIENT', 'KILL', 'ID', id);
    } catch {
      // Gone already: it reconnected under another id.
    } finally {
      client.disconnect();
    }
  }
  return [instance, `CLIENT KILL of its ${connections.length} connection(s)`];
}

/** CLUSTER FAILOVER on a replica (its master steps down), or, opt-in, SHUTDOWN NOSAVE of a master. */
async function clusterFailover(ctx: FaultContext, killMaster: boolean): Promise<[string, string]> {
  const roles: { node: string; role: string }[] = [];
  for (const node of ctx.redisClusterNodes!) {
    const client = redisNode(node);
    try {
      await client.connect();
      const role = (await client.call('ROLE')) as [string, ...unknown[]];
      roles.push({ node, role: role[0] });
    } catch {
      // A node that is down plays no part.
    } finally {
      client.disconnect();
    }
  }
  const wanted = killMaster ? 'master' : 'slave';
  const candidates = roles.filter((r) => r.role === wanted);
  if (candidates.length === 0) return ['none', `no reachable ${killMaster ? 'master' : 'replica'} among the cluster nodes`];
  const { node } = ctx.random.pick(candidates);
  const client = redisNode(node);
  try {
    await client.connect();
    if (killMaster) {
      await client.call('SHUTDOWN', 'NOSAVE').catch(() => {});
      return [node, 'SHUTDOWN NOSAVE of a master (not restarted by the checker: its owner brings it back)'];
    }
    await client.call('CLUSTER', 'FAILOVER');
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const role = (await client.call('ROLE')) as [string];
      if (role[0] === 'master') return [node, 'CLUSTER FAILOVER: the replica became master'];
      await sleep(100);
    }
    return [node, 'CLUSTER FAILOVER sent; the replica was not master after 10 s'];
  } finally {
    client.disconnect();
  }
}

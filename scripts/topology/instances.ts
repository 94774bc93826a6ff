// The deskgraph instances: `node --import tsx server/main.ts` (as the multi-process tests start them),
// detached, each on its own port with its own log file, all pointed at the same primary, replica and Redis.
// The database is migrated and seeded once beforehand (seed.ts), so no instance prepares it at start.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../server/platform/config.ts';
import { LEAVE_ROTATION_MS } from './haproxy.ts';
import { postgresUrl } from './postgres.ts';
import { isRunning, spawnDetached, stopProcess, tail, TopologyError, waitUntil } from './processes.ts';
import { clusterNodes } from './redis.ts';
import { PROJECT_ROOT, type InstanceNode, type TopologyState } from './state.ts';

/**
 * Settings of the scale-out work the server may not read yet: passed all the same, so the topology needs no
 * change when it does, and cleared from our own environment like every other setting.
 */
const SCALE_OUT_VARIABLES = ['DATABASE_REPLICA_URLS', 'DATABASE_REPLICA_MAX_LAG_MS', 'REDIS_CLUSTER_NODES'];

/** Whether this deskgraph reads REDIS_CLUSTER_NODES: without it, instances given a cluster would each cache alone. */
export const serverSupportsCluster = () => CONFIG_VARIABLES.includes('REDIS_CLUSTER_NODES');

/** What every instance shares: the topology's databases and Redis, as a user would export them (README). */
export function topologyEnv(state: TopologyState): Record<string, string> {
  const { primary, replica, database } = state.postgres;
  return {
    DATABASE_URL: postgresUrl(primary, database),
    DATABASE_REPLICA_URLS: postgresUrl(replica, database),
    ...(state.redis.mode === 'cluster'
      ? { REDIS_CLUSTER_NODES: clusterNodes(state) }
      : { REDIS_URL: `redis://127.0.0.1:${state.redis.nodes[0]!.port}` }),
  };
}

function instanceEnv(state: TopologyState, instance: InstanceNode): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing of this shell's own deskgraph settings leaks in: every instance runs with exactly these.
  for (const name of [...CONFIG_VARIABLES, ...SCALE_OUT_VARIABLES]) delete env[name];
  return {
    ...env,
    ...topologyEnv(state),
    // Development mode: GraphiQL and introspection on, any document runs (production would run only the
    // client's persisted operations). The database was prepared once, before the instances start.
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(instance.port),
    AUTO_MIGRATE: 'false',
    SEED_IF_EMPTY: 'false',
    WEB_CLIENT: state.options.web ? 'dist' : 'off',
    // HAProxy appends X-Forwarded-For: per-address limits (login) then count the client, not the proxy.
    TRUST_PROXY_HOPS: '1',
    // A stopping instance stays in service until HAProxy's health checks have taken it out, so no request
    // routed to it meanwhile fails.
    SHUTDOWN_DELAY_MS: String(LEAVE_ROTATION_MS),
    LOG_LEVEL: 'info',
  };
}

export function startInstances(state: TopologyState): void {
  for (const instance of state.instances) {
    if (isRunning(instance.process)) continue;
    mkdirSync(path.dirname(instance.log), { recursive: true });
    const pid = spawnDetached(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      logFile: instance.log,
      cwd: PROJECT_ROOT,
      env: instanceEnv(state, instance),
    });
    instance.process = { pid, command: 'server/main.ts' };
  }
}

export interface Readiness {
  status: number;
  body: { status?: string; database?: string; cache?: string };
}

export async function readiness(port: number): Promise<Readiness | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: (await response.json()) as Readiness['body'] };
  } catch {
    return null;
  }
}

/** Waits until every instance answers /ready with 200 and a cache that is not degraded (Redis reached). */
export async function waitForInstances(state: TopologyState, timeoutMs: number): Promise<void> {
  await Promise.all(
    state.instances.map((instance) =>
      waitUntil(
        async () => {
          if (!isRunning(instance.process)) throw new TopologyError('it exited');
          const ready = await readiness(instance.port);
          return ready?.status === 200 && ready.body.cache !== 'degraded';
        },
        timeoutMs,
        () => `${instance.name} (port ${instance.port}) did not become ready; the end of ${instance.log}:\n${tail(instance.log)}`,
      ),
    ),
  );
}

export async function stopInstance(instance: InstanceNode): Promise<boolean> {
  // SIGINT, not SIGTERM: `down` stopped HAProxy first, so there is no rotation to leave (SHUTDOWN_DELAY_MS).
  // The server finishes requests in flight (SHUTDOWN_TIMEOUT_MS, 10 s by default), then exits.
  return stopProcess(instance.process, 'SIGINT', 12_000);
}

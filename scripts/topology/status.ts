// `npm run topology -- status`: each piece up or down, as it answers now (not as it was recorded), and
// the replica's replay lag. Exit code 0 when every piece is up.
import { findExecutable } from './binaries.ts';
import { backendStates, type ServerState } from './haproxy.ts';
import { readiness } from './instances.ts';
import { postgresUp, replicaStatus } from './postgres.ts';
import { isRunning } from './processes.ts';
import { redisStatus } from './redis.ts';
import { readState } from './state.ts';

type Log = (line: string) => void;

const mark = (up: boolean) => (up ? 'up  ' : 'DOWN');

function lagText(bytes: number | null, ms: number | null, streaming: boolean): string {
  if (bytes === null) return '';
  // pg_stat_replication keeps the last replay_lag for a while after the replica has caught up.
  const time = ms === null || bytes === 0 ? 'caught up' : `${Math.round(ms)} ms behind`;
  return `, ${streaming ? 'streaming' : 'NOT streaming'}, replay lag ${bytes} bytes (${time})`;
}

/** Prints the status; returns whether every piece is up (false when nothing was started). */
export async function status(dir: string, log: Log = console.log): Promise<boolean> {
  const state = readState(dir);
  if (!state) {
    log(`No topology recorded in ${dir}: \`npm run topology -- up\` starts one.`);
    return false;
  }
  log(
    `Topology in ${dir}: ${state.phase === 'kept' ? 'stopped, data kept' : state.phase === 'starting' ? 'up did not finish' : `up since ${state.startedAt}`}`,
  );
  const results: boolean[] = [];
  const line = (up: boolean, text: string) => {
    results.push(up);
    log(`  ${mark(up)}  ${text}`);
  };

  const primaryUp = await postgresUp(state.postgres.primary);
  line(primaryUp, `PostgreSQL primary  127.0.0.1:${state.postgres.primary.port}`);
  const replica = await replicaStatus(state);
  line(
    replica.up && (!primaryUp || replica.streaming),
    `PostgreSQL replica  127.0.0.1:${state.postgres.replica.port}${lagText(replica.lagBytes, replica.lagMs, replica.streaming)}`,
  );

  const redisCli = findExecutable('redis-cli');
  for (const node of redisCli ? redisStatus(state, redisCli) : []) {
    const detail = [node.role, node.clusterState && `cluster ${node.clusterState}`].filter(Boolean).join(', ');
    line(
      node.up && (node.clusterState === null || node.clusterState === 'ok'),
      `Redis               127.0.0.1:${node.port}${detail ? `  ${detail}` : ''}`,
    );
  }

  let seen: ServerState[] = [];
  if (state.haproxy) seen = isRunning(state.haproxy.process) ? await backendStates(state).catch(() => []) : [];
  for (const instance of state.instances) {
    const ready = isRunning(instance.process) ? await readiness(instance.port) : null;
    const balancer = seen.find((server) => server.name === instance.name)?.status;
    const detail = ready ? `ready: ${ready.body.status}, database ${ready.body.database}, cache ${ready.body.cache}` : 'not answering';
    line(
      ready?.status === 200,
      `${instance.name.padEnd(20)}http://127.0.0.1:${instance.port}  ${detail}${balancer ? `; HAProxy sees it ${balancer}` : ''}`,
    );
  }
  if (state.haproxy) {
    const up = isRunning(state.haproxy.process) && seen.length > 0;
    const inRotation = seen.filter((server) => server.status === 'UP').length;
    line(
      up,
      `HAProxy             http://127.0.0.1:${state.haproxy.port}${up ? `  ${inRotation} of ${seen.length} instances in rotation` : ''}`,
    );
  }
  return results.every(Boolean);
}

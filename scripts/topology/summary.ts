// What `up` prints when everything is ready: every URL, and the environment to export to point tools
// (psql, redis-cli, the benchmarks, the consistency checker) at the topology.
import path from 'node:path';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../prisma/seed/demo-accounts.ts';
import { topologyEnv } from './instances.ts';
import { postgresUrl } from './postgres.ts';
import { PROJECT_ROOT, type TopologyState } from './state.ts';

const shown = (file: string) => path.relative(PROJECT_ROOT, file) || file;

export function describeTopology(state: TopologyState): string {
  const { primary, replica, database } = state.postgres;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(18)}${value}`);
  if (state.haproxy) {
    const base = `http://127.0.0.1:${state.haproxy.port}`;
    row('GraphQL', `${base}/graphql   (through HAProxy, round robin)`);
    row('GraphiQL', `${base}/graphql   (open it in a browser)`);
    row('Web app', state.options.web ? `${base}/` : 'off (started with --web off)');
    row('Live stream', `${base}/graphql/stream`);
    row('HAProxy stats', `http://127.0.0.1:${state.haproxy.statsPort}/`);
  }
  for (const instance of state.instances) row(instance.name, `http://127.0.0.1:${instance.port}   log ${shown(instance.log)}`);
  row('PostgreSQL', `${postgresUrl(primary, database)}   (primary, log ${shown(primary.log)})`);
  row(
    '',
    `${postgresUrl(replica, database)}   (streaming replica${state.options.replicaDelayMs ? `, applies ${state.options.replicaDelayMs} ms late` : ''})`,
  );
  const redis = state.redis.nodes.map((node) => `127.0.0.1:${node.port}`);
  row(
    state.redis.mode === 'cluster' ? 'Redis Cluster' : 'Redis',
    state.redis.mode === 'cluster' ? `${redis.join(' ')}   (3 masters, 3 replicas)` : `redis://${redis[0]}`,
  );
  const env = { ...topologyEnv(state), ...(state.haproxy ? { DESKGRAPH_URL: `http://127.0.0.1:${state.haproxy.port}` } : {}) };
  lines.push('', 'To point tools at it:', ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`));
  if (state.haproxy) {
    const agent = DEMO_ACCOUNTS.find((account) => account.role === 'AGENT')!;
    lines.push('', `Sign in as ${agent.email} (or any demo account in the README), password "${DEMO_PASSWORD}".`);
  }
  lines.push(`State, data and logs: ${shown(state.dir)}/. Stop: npm run topology -- down (--keep keeps the data).`);
  return lines.join('\n');
}

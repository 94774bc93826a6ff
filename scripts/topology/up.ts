// `npm run topology -- up`: every piece in order, each step announced and timed, the state saved after
// each so that `down` can clean up after a step that failed. Refuses while a topology is running.
import { existsSync } from 'node:fs';
import { ensureClientBuilt } from '../build-client.ts';
import { requireBinaries } from './binaries.ts';
import { startHaproxy } from './haproxy.ts';
import { serverSupportsCluster, startInstances, waitForInstances } from './instances.ts';
import { postgresUrl, startPrimary, startReplica, waitForReplica } from './postgres.ts';
import { isRunning, portIsFree, TopologyError } from './processes.ts';
import { startRedis } from './redis.ts';
import { migrateAndSeed } from './seed.ts';
import { layout, readState, recordedProcesses, saveState, type TopologyOptions, type TopologyState } from './state.ts';
import { describeTopology } from './summary.ts';

type Log = (line: string) => void;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The state to start from: a new layout, or the one `down --keep` left. */
function startingState(options: TopologyOptions, dir: string, log: Log): TopologyState {
  const existing = readState(dir);
  if (!existing) return layout(options, dir);
  const running = recordedProcesses(existing).filter((entry) => isRunning(entry.process));
  if (running.length && existing.phase === 'starting') {
    throw new TopologyError(
      `a previous up did not finish, and some of it still runs (${running.map((entry) => entry.label).join(', ')}). ` +
        'Run `npm run topology -- down` to stop and remove it, then up again.',
    );
  }
  if (running.length) {
    throw new TopologyError(
      `the topology in ${dir} is already up (since ${existing.startedAt}: ${running.map((entry) => entry.label).join(', ')}). ` +
        '`npm run topology -- status` shows it; `npm run topology -- down` stops it.',
    );
  }
  if (existing.phase !== 'kept') {
    throw new TopologyError(
      `${dir} holds a topology that is not running and was not stopped with --keep (an up that failed, or processes that died). ` +
        'Run `npm run topology -- down` to remove it, then up again.',
    );
  }
  const { basePort, redis, instances } = existing.options;
  const differs = JSON.stringify(existing.options) !== JSON.stringify(options);
  log(
    `Starting the topology kept in ${dir}: base port ${basePort}, Redis ${redis}, ${plural(instances, 'instance')}` +
      (differs ? ' (as it was kept; the options given now differ and are ignored: `down` removes it to start afresh).' : '.'),
  );
  return { ...existing, phase: 'starting', startedAt: new Date().toISOString() };
}

function checkClusterSupport(state: TopologyState): void {
  if (state.redis.mode !== 'cluster' || state.instances.length === 0 || serverSupportsCluster()) return;
  throw new TopologyError(
    'this deskgraph does not read REDIS_CLUSTER_NODES yet: behind a Redis Cluster each instance would cache alone, and reads ' +
      'could be stale. Use --redis single, or --instances 0 to start PostgreSQL and the cluster only.',
  );
}

async function checkPorts(state: TopologyState): Promise<void> {
  const wanted = [
    ...(state.haproxy
      ? [
          { port: state.haproxy.port, what: 'HAProxy' },
          { port: state.haproxy.statsPort, what: "HAProxy's stats page" },
        ]
      : []),
    { port: state.postgres.primary.port, what: 'the PostgreSQL primary' },
    { port: state.postgres.replica.port, what: 'the PostgreSQL replica' },
    ...state.redis.nodes.flatMap((node) => [
      { port: node.port, what: 'Redis' },
      ...(node.busPort ? [{ port: node.busPort, what: "a Redis Cluster node's bus" }] : []),
    ]),
    ...state.instances.map((instance) => ({ port: instance.port, what: instance.name })),
  ];
  const taken: string[] = [];
  for (const { port, what } of wanted) if (!(await portIsFree(port))) taken.push(`${port} (for ${what})`);
  if (taken.length) {
    throw new TopologyError(`port${taken.length > 1 ? 's' : ''} already in use: ${taken.join(', ')}. Choose another --base-port.`);
  }
}

export async function up(options: TopologyOptions, dir: string, log: Log = console.log): Promise<TopologyState> {
  const state = startingState(options, dir, log);
  checkClusterSupport(state);
  const binaries = requireBinaries({ haproxy: state.haproxy !== null });
  await checkPorts(state);
  const { primary, replica, database } = state.postgres;
  const redisPorts = state.redis.nodes.map((node) => node.port);
  const steps: [string, () => Promise<unknown> | unknown][] = [
    [`PostgreSQL primary on port ${primary.port}`, () => startPrimary(state, binaries.postgresBin)],
    [
      `PostgreSQL replica on port ${replica.port}${existsSync(replica.dataDir) ? ' (kept)' : ' (pg_basebackup -R)'}`,
      () => startReplica(state, binaries.postgresBin),
    ],
    [
      state.redis.mode === 'cluster'
        ? `Redis Cluster on ports ${redisPorts[0]}-${redisPorts.at(-1)} (3 masters, 3 replicas)`
        : `Redis on port ${redisPorts[0]}`,
      () => startRedis(state, binaries.redisServer, binaries.redisCli),
    ],
    [
      `Migrating and seeding ${database} on the primary (scale ${state.options.seedScale})`,
      async () => {
        const result = await migrateAndSeed(postgresUrl(primary, database), state.options.seedScale);
        return result.seededTickets === null ? 'already seeded' : `${result.seededTickets} tickets`;
      },
    ],
    ['Waiting for the replica to replay it', () => waitForReplica(state, 30_000 + state.options.replicaDelayMs)],
  ];
  if (state.instances.length) {
    if (state.options.web) {
      steps.push([
        'Building the web client (when its sources changed)',
        async () => ((await ensureClientBuilt({ ifStale: true, log: () => {}, viteLogLevel: 'error' })).built ? 'built' : 'up to date'),
      ]);
    }
    steps.push([
      `${plural(state.instances.length, 'deskgraph instance')} on port${state.instances.length > 1 ? 's' : ''} ${state.instances.map((instance) => instance.port).join(', ')}`,
      async () => {
        startInstances(state);
        saveState(state);
        await waitForInstances(state, 90_000);
      },
    ]);
    steps.push([`HAProxy on port ${state.haproxy!.port}`, () => startHaproxy(state, binaries.haproxy)]);
  }

  saveState(state);
  // Ctrl-C mid-step: record what was started so far (each pid is in the state as soon as it exists), so down can stop it.
  const interrupted = () => {
    saveState(state);
    log('\nInterrupted. What started is still running: `npm run topology -- down` stops it.');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  for (const [index, [label, step]] of steps.entries()) {
    const started = performance.now();
    log(`[${index + 1}/${steps.length}] ${label} …`);
    try {
      const note = await step();
      log(`      ok, ${((performance.now() - started) / 1000).toFixed(1)} s${typeof note === 'string' ? ` (${note})` : ''}`);
    } finally {
      saveState(state);
    }
  }
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  state.phase = 'up';
  saveState(state);
  log('');
  log(`The topology is up (base port ${state.options.basePort}).`);
  log(describeTopology(state));
  return state;
}

// `npm run topology -- up|down|status [options]`: a PostgreSQL primary and streaming replica, a Redis
// Cluster (or one Redis), deskgraph instances and HAProxy in front, on loopback and non-default ports
// (README: "Running on several machines").
import path from 'node:path';
import { parseArgs } from 'node:util';
import { down } from './down.ts';
import { serverSupportsCluster } from './instances.ts';
import { TopologyError } from './processes.ts';
import { DEFAULT_DIR, lastPort, MAX_INSTANCES, readState, type RedisMode, type TopologyOptions } from './state.ts';
import { status } from './status.ts';
import { up } from './up.ts';

const DEFAULT_BASE_PORT = 58000;

const USAGE = `Usage: npm run topology -- up|down|status [options]

  up       start PostgreSQL (primary + streaming replica), Redis, the deskgraph instances and HAProxy;
           prints every URL and the environment to export
  status   each piece up or down, the replica's replay lag, what HAProxy's health checks see
  down     stop everything and remove the data (--keep: keep data and logs for the next up)

Options for up:
  --redis cluster|single  a Redis Cluster of 6 nodes, or one node (default: cluster when this
                          deskgraph reads REDIS_CLUSTER_NODES, else single)
  --instances N           deskgraph instances behind HAProxy, 0 to ${MAX_INSTANCES} (default 3; 0: PostgreSQL and Redis only)
  --base-port N           every port derives from it (default ${DEFAULT_BASE_PORT}): HAProxy N, its stats N+1,
                          PostgreSQL N+10 and N+11, Redis N+20…, instances N+30…,
                          the Redis Cluster's bus ports N+40…
  --seed-scale N          size of the demo data (default 0.1; see npm run db:seed -- --help)
  --web on|off            serve the web client, built first when stale (default on)
  --replica-delay-ms N    the replica applies changes N ms late (recovery_min_apply_delay), to see lag
Any command:
  --dir PATH              where the state, data and logs live (default .topology in the project)`;

class UsageError extends TopologyError {}

function integer(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      redis: { type: 'string' },
      instances: { type: 'string' },
      'base-port': { type: 'string' },
      'seed-scale': { type: 'string' },
      web: { type: 'string' },
      'replica-delay-ms': { type: 'string' },
      keep: { type: 'boolean' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) return { command: 'help' as const };
  if (!['up', 'down', 'status'].includes(command) || positionals.length > 1)
    throw new UsageError(`unknown command "${positionals.join(' ')}".`);
  const redis = (values.redis ?? (serverSupportsCluster() ? 'cluster' : 'single')) as RedisMode;
  if (!['cluster', 'single'].includes(redis)) throw new UsageError(`--redis must be cluster or single, got "${values.redis}".`);
  if (values.web !== undefined && !['on', 'off'].includes(values.web))
    throw new UsageError(`--web must be on or off, got "${values.web}".`);
  const seedScale = values['seed-scale'] === undefined ? 0.1 : Number(values['seed-scale']);
  if (!(seedScale > 0 && seedScale <= 64))
    throw new UsageError(`--seed-scale must be above 0 and at most 64, got "${values['seed-scale']}".`);
  const options: TopologyOptions = {
    redis,
    instances: integer('--instances', values.instances, 0, MAX_INSTANCES, 3),
    basePort: integer('--base-port', values['base-port'], 1024, 65535 - (lastPort(0) + 1), DEFAULT_BASE_PORT),
    seedScale,
    web: values.web !== 'off',
    replicaDelayMs: integer('--replica-delay-ms', values['replica-delay-ms'], 0, 600_000, 0),
  };
  return {
    command: command as 'up' | 'down' | 'status',
    options,
    keep: values.keep ?? false,
    dir: path.resolve(values.dir ?? DEFAULT_DIR),
  };
}

/** --dir's value, read again when reporting a failure (parse() may be what failed). */
function dirArgument(): string | undefined {
  const argv = process.argv;
  const at = argv.indexOf('--dir');
  return at >= 0 ? argv[at + 1] : argv.find((arg) => arg.startsWith('--dir='))?.slice('--dir='.length);
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (parsed.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.command === 'up') {
    await up(parsed.options, parsed.dir);
    return 0;
  }
  if (parsed.command === 'down') {
    await down(parsed.dir, parsed.keep);
    return 0;
  }
  return (await status(parsed.dir)) ? 0 : 1;
}

// Exits explicitly: the migration engine leaves a timer behind, and nothing started here must wait on us.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`topology: ${message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`topology failed: ${message}`);
    if (!(error instanceof TopologyError) && error instanceof Error) console.error(error.stack);
    if (process.argv.includes('up') && readState(path.resolve(dirArgument() ?? DEFAULT_DIR))?.phase === 'starting') {
      console.error('What started is still running: `npm run topology -- status` shows it, `npm run topology -- down` stops it.');
    }
    process.exit(1);
  },
);

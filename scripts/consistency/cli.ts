// `npm run check:consistency -- [options]`: the randomized, model-based hunt for read-your-writes
// violations (README, "Checking consistency"). Exit status: 0 no violation, 1 violations, 2 a usage or
// setup error.
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults.ts';
import { formatReport } from './report.ts';
import { runCheck, type RunOptions } from './runner.ts';

const USAGE = `Usage: npm run check:consistency -- [options]

Targets (one of):
  --instances N            start N deskgraph instances (default 3) on a fresh database of their own
  --database-url URL       PostgreSQL server for that database (default TEST_DATABASE_URL)
  --redis-url URL          Redis for the started instances (default TEST_REDIS_URL); with --urls, the
                           Redis whose connections redis-cut kills
  --urls A,B,...           instances already running (e.g. npm run topology -- up)
  --proxy-url URL          a balancer in front of them: about a third of the requests go through it
Workload:
  --ops N                  operations (default 3000)
  --duration S             stop after S seconds even if fewer ops ran (alone: run S seconds)
  --seed N                 PRNG seed (default random; printed, to replay the run's choices)
  --concurrency N          operations at once (default 8)
  --tickets N              tickets created per organization before the workload (default 10)
Faults (each injected once, spread over the run):
  --faults LIST            comma-separated: ${FAULT_KINDS.join(', ')}; default kill,redis-cut when
                           instances are started here, none with --urls; "none" for none
  --fault-hold MS          how long a link stays cut, a replica lags, a killed instance stays down (2000)
  --replica-url URL        a streaming replica to lag (replica-lag); instances started here also read from it
  --redis-cluster-nodes L  host:port,... of a Redis Cluster (redis-failover, redis-master-kill)
  --redis-client-match S   with --urls, redis-cut kills only connections named deskgraph:… containing S
                           (e.g. the deployment's CACHE_KEY_PREFIX): a shared Redis serves others too
  --allow-master-kill      redis-master-kill shuts a master down: only on a cluster you own
  --timeout MS             a request's timeout (default 10000)
  --keep-database          keep the database created for the run (printed), to inspect it afterwards`;

class UsageError extends Error {}

const started = performance.now();

function int(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      urls: { type: 'string' },
      'proxy-url': { type: 'string' },
      ops: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      tickets: { type: 'string' },
      faults: { type: 'string' },
      'fault-hold': { type: 'string' },
      'replica-url': { type: 'string' },
      'redis-cluster-nodes': { type: 'string' },
      'redis-client-match': { type: 'string' },
      'allow-master-kill': { type: 'boolean' },
      timeout: { type: 'string' },
      'keep-database': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new UsageError('');
  const urls = list(values.urls);
  const seed = int('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
  const durationS = values.duration === undefined ? undefined : int('duration', values.duration, 0, 1);
  const ops = values.ops === undefined && durationS !== undefined ? Infinity : int('ops', values.ops, 3000, 1);
  const faultNames = values.faults === 'none' ? [] : (list(values.faults) ?? (urls ? [] : ['kill', 'redis-cut']));
  for (const name of faultNames) {
    if (!(FAULT_KINDS as readonly string[]).includes(name))
      throw new UsageError(`--faults: unknown fault "${name}"; the faults are ${FAULT_KINDS.join(', ')}`);
  }
  if (faultNames.includes('redis-master-kill') && !values['allow-master-kill']) {
    throw new UsageError('redis-master-kill shuts a Redis master down: add --allow-master-kill, only for a cluster you own');
  }
  const replay = argv.filter((_, i) => argv[i] !== '--seed' && argv[i - 1] !== '--seed' && !argv[i]!.startsWith('--seed='));
  return {
    ops,
    seed,
    concurrency: int('concurrency', values.concurrency, 8, 1, 64),
    faults: faultNames as FaultKind[],
    durationMs: durationS === undefined ? undefined : durationS * 1000,
    instances: int('instances', values.instances, 3, 1),
    databaseUrl: values['database-url'] ?? env.TEST_DATABASE_URL,
    redisUrl: values['redis-url'] ?? env.TEST_REDIS_URL,
    urls,
    proxyUrl: values['proxy-url'],
    replicaUrl: values['replica-url'],
    redisClusterNodes: list(values['redis-cluster-nodes']),
    redisClientMatch: values['redis-client-match'],
    // Every list of the run's tickets must fit on one page (100).
    ticketsPerOrg: int('tickets', values.tickets, 10, 1, 30),
    sessionsPerAccount: 2,
    keepDatabase: values['keep-database'] ?? false,
    keepLogs: true,
    timeoutMs: int('timeout', values.timeout, 10_000, 100),
    faultHoldMs: int('fault-hold', values['fault-hold'], 2000),
    command: ['npm run check:consistency --', ...replay, '--seed', String(seed)].join(' '),
    log: (line) => console.error(`[check ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`),
  };
}

async function main(): Promise<number> {
  let options: RunOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(message ? `check:consistency: ${message}\n\n${USAGE}` : USAGE);
    return message ? 2 : 0;
  }
  console.error(`[check] seed ${options.seed}`);
  const summary = await runCheck(options);
  console.log(formatReport(summary));
  return summary.violations.length > 0 ? 1 : 0;
}

// Ctrl-C exits through process.exit, so the 'exit' handler of instances.ts kills the servers started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

// Exits explicitly: a driver or a proxy socket left open must not keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check:consistency failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);

// One run: targets (started here, or given), sessions, the run's tickets, then the workload with the
// faults spread over it, then a final sweep that reads every ticket and list on every target once all
// writes have ended (what it finds stale is a lost write), and the summary.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadClientHashes } from './documents.ts';
import { inject, unsupported, type FaultEvent, type FaultKind } from './faults.ts';
import { createDatabase, deletePrefix, spawnInstances, type SpawnedInstance } from './instances.ts';
import { Model } from './model.ts';
import { Random } from './random.ts';
import { readDashboard, readList, readTicket, dashboardBaseline } from './reads.ts';
import { percentile, type RunSummary } from './report.ts';
import { Caller, signIn, Targets } from './sessions.ts';
import { Transporter, type Target } from './transport.ts';
import { World } from './world.ts';
import { addComment, bulkUpdateTickets, createTicket, updateTicket } from './writes.ts';

export interface RunOptions {
  ops: number;
  seed: number;
  concurrency: number;
  faults: FaultKind[];
  /** Stop after this long even if fewer ops ran. */
  durationMs?: number;
  /** Spawn mode: how many instances, on which PostgreSQL server and Redis. */
  instances: number;
  databaseUrl?: string;
  /** A database already migrated and seeded (the test's copy of its template): used as is, never dropped. */
  preparedDatabaseUrl?: string;
  redisUrl?: string;
  /** URL mode: running instances, and a balancer in front of them. */
  urls?: string[];
  proxyUrl?: string;
  replicaUrl?: string;
  redisClusterNodes?: string[];
  /** With --urls: the mark in the Redis connection names of the instances under test. */
  redisClientMatch?: string;
  ticketsPerOrg: number;
  sessionsPerAccount: number;
  timeoutMs: number;
  /** Keep the database created for the run (spawn mode), for a post-mortem. */
  keepDatabase?: boolean;
  /** Write the started instances' output to a directory of its own (named in the log), for a post-mortem. */
  keepLogs?: boolean;
  faultHoldMs: number;
  /** The command line that replays the run, printed in the report. */
  command: string;
  log: (line: string) => void;
}

const ORGS = ['acme', 'globex'];

type Step = (world: World, random: Random, org: string) => Promise<string>;
const STEPS: readonly (readonly [Step, number])[] = [
  [updateTicket, 20],
  [createTicket, 5],
  [addComment, 10],
  [bulkUpdateTickets, 5],
  [readTicket, 30],
  [readList, 22],
  [readDashboard, 8],
];

export async function runCheck(options: RunOptions): Promise<RunSummary> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await run(options, cleanups);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => options.log(`cleanup: ${String(error)}`));
  }
}

async function run(options: RunOptions, cleanups: (() => Promise<void>)[]): Promise<RunSummary> {
  const { log } = options;
  let spawned: SpawnedInstance[] | null = null;
  let instanceTargets: Target[];
  if (options.urls?.length) {
    instanceTargets = options.urls.map((base, i) => ({ name: `u${i + 1}`, base: base.replace(/\/+$/, '') }));
  } else {
    if (!options.redisUrl) throw new Error('spawning instances needs --redis-url (or TEST_REDIS_URL)');
    let databaseUrl = options.preparedDatabaseUrl;
    if (!databaseUrl) {
      if (!options.databaseUrl) throw new Error('spawning instances needs --database-url (or TEST_DATABASE_URL), or --urls');
      const database = await createDatabase(options.databaseUrl, log);
      if (options.keepDatabase) log(`keeping the database: ${database.url}`);
      else cleanups.push(database.drop);
      databaseUrl = database.url;
    }
    const keyPrefix = `consistency-${randomBytes(4).toString('hex')}`;
    const redisUrl = options.redisUrl;
    cleanups.push(() => deletePrefix(redisUrl, keyPrefix));
    const logDir = options.keepLogs ? mkdtempSync(path.join(tmpdir(), 'deskgraph-consistency-')) : undefined;
    if (logDir) log(`instance logs (LOG_LEVEL=warn) in ${logDir}`);
    // With --replica-url the instances read from that streaming replica too (same database name: it
    // replicates the whole server), so replica-lag meets the read routing under test.
    const env = options.replicaUrl ? { DATABASE_REPLICA_URLS: sameDatabase(options.replicaUrl, databaseUrl) } : undefined;
    const started = await spawnInstances({ count: options.instances, databaseUrl, redisUrl, keyPrefix, logDir, env });
    spawned = started;
    cleanups.push(async () => {
      await Promise.all(started.map((i) => i.kill()));
      await Promise.all(started.map((i) => i.redisLink.close()));
    });
    instanceTargets = spawned.map((i) => ({ name: i.name, base: i.base }));
    log(`started ${spawned.length} instances: ${instanceTargets.map((t) => `${t.name} ${t.base}`).join(', ')}`);
  }
  const proxy = options.proxyUrl ? { name: 'proxy', base: options.proxyUrl.replace(/\/+$/, '') } : null;
  const targets = new Targets(instanceTargets, proxy);
  const transporter = new Transporter(loadClientHashes(), options.timeoutMs);
  const caller = new Caller(transporter, targets);
  const setupRandom = new Random(options.seed);
  const sessions = await signIn(caller, setupRandom, options.sessionsPerAccount);
  const staff = new Map(ORGS.map((org) => [org, sessions.filter((s) => s.org === org && s.role !== 'CUSTOMER').map((s) => s.userId)]));
  for (const [org, ids] of staff) staff.set(org, [...new Set(ids)]);
  const runTag = `cc-${options.seed.toString(36)}-${randomBytes(3).toString('hex')}`;
  // Lists are read as one page of 100: creates in flight may overshoot the cap by the concurrency.
  const world = new World(new Model(), caller, sessions, staff, runTag, Math.max(options.ticketsPerOrg, 95 - options.concurrency));
  for (const org of ORGS) world.model.setDashboardBase(org, await dashboardBaseline(world, setupRandom, org));
  await parallel(ORGS.length * options.ticketsPerOrg, Math.min(options.concurrency, 4), (n) =>
    createTicket(world, Random.forOperation(options.seed ^ 0x5eed, n), ORGS[n % ORGS.length]!),
  );
  log(
    `run tag ${runTag}: ${world.model.ticketIds().length} tickets created; workload of ${options.ops} ops, concurrency ${options.concurrency}`,
  );

  const faultContext = {
    spawned,
    redisUrl: options.redisUrl,
    replicaUrl: options.replicaUrl,
    redisClusterNodes: options.redisClusterNodes,
    redisClientMatch: options.redisClientMatch,
    holdMs: options.faultHoldMs,
  };
  const skippedFaults = options.faults.map((kind) => unsupported(kind, faultContext)).filter((why): why is string => why !== null);
  const faults = options.faults.filter((kind) => unsupported(kind, faultContext) === null);
  const faultEvents: FaultEvent[] = [];
  const faultRuns: Promise<void>[] = [];
  const opsBefore = new Map(world.stats.ops);
  const started = caller.now();
  const deadline = options.durationMs ? started + options.durationMs : Infinity;
  let completed = 0;
  // Fault k of n starts once k/(n+1) of the ops have run (or of the time, with --duration alone).
  const progress = () => (Number.isFinite(options.ops) ? completed / options.ops : (caller.now() - started) / (deadline - started));
  let nextFault = 0;
  const maybeInjectFault = () => {
    while (nextFault < faults.length && progress() >= (nextFault + 1) / (faults.length + 1)) {
      const kind = faults[nextFault++]!;
      log(`fault ${kind} at op ${completed}`);
      const random = Random.forOperation(options.seed ^ 0xfa17, nextFault);
      faultRuns.push(
        inject(kind, { ...faultContext, random, now: () => caller.now() }).then(
          (event) => void faultEvents.push(event),
          (error: unknown) => log(`fault ${kind} failed: ${String(error)}`),
        ),
      );
    }
  };
  const stop = () => caller.now() > deadline;
  await parallel(
    options.ops,
    options.concurrency,
    async (n) => {
      const random = Random.forOperation(options.seed, n);
      const step = random.weighted(STEPS);
      await step(world, random, random.pick(ORGS));
      completed++;
      maybeInjectFault();
    },
    stop,
  );
  await Promise.all(faultRuns);
  if (spawned) for (const instance of spawned) await instance.start();
  await finalSweep(world, targets.all(), options.seed);
  world.drain();
  const elapsedMs = caller.now() - started;

  const opsByKind: Record<string, number> = {};
  for (const [kind, n] of world.stats.ops) {
    const during = n - (opsBefore.get(kind) ?? 0);
    if (during > 0) opsByKind[kind] = during;
  }
  return {
    seed: options.seed,
    command: options.command,
    targets: targets.all().map((t) => `${t.name} ${t.base}`),
    elapsedMs,
    ops: completed,
    opsByKind,
    transports: Object.fromEntries(world.stats.transports),
    retries: Object.fromEntries(caller.retries),
    readsChecked: world.stats.readsChecked,
    readFailures: world.stats.readFailures,
    indeterminateWrites: world.stats.indeterminateWrites,
    faults: faultEvents,
    skippedFaults,
    p50: percentile(world.stats.latencies, 50),
    p99: percentile(world.stats.latencies, 99),
    notes: world.stats.notes,
    violations: world.violations,
  };
}

/** After the workload: every ticket and an unfiltered list of each organization, from every target. */
async function finalSweep(world: World, targets: Target[], seed: number): Promise<void> {
  const random = Random.forOperation(seed ^ 0xf1a1, 0);
  for (const [round, target] of targets.entries()) {
    for (const org of ORGS) {
      const staff = world.sessionsOf(org, ['AGENT'])[0]!;
      for (const ticketId of world.model.ticketIds(org)) {
        await readTicket(world, random, org, {
          ticketId,
          session: staff,
          byNode: false,
          via: round % 2 ? 'plain-post' : 'persisted-get',
          phase: 'final',
          target,
        });
      }
      for (const session of world.sessionsOf(org, ['AGENT', 'CUSTOMER'])) {
        await readList(world, random, org, { session, filter: {}, via: 'persisted-get', phase: 'final', target });
      }
    }
  }
}

/** Runs task(0..count-1) with at most `concurrency` at once, until stop() says so. */
async function parallel(count: number, concurrency: number, task: (n: number) => Promise<unknown>, stop = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !stop()) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

/** `server`'s URL pointed at the database `database`'s URL names. */
function sameDatabase(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = new URL(database).pathname;
  return url.toString();
}

// npm run bench [-- --full] — issue 6: deskgraph against the ceiling, the N+1 baseline and the peers,
// in one process tree, on one machine, in one run, on the same data. See bench/README.md ("npm run bench").
//
//   1 ceiling      bench/lib/bare-server.mjs answering the exact bytes and headers of scenario 4's response
//   2 naive        deskgraph with loader batching off (bench/lib/deskgraph-naive.ts), no response cache
//   3 loaders      deskgraph as built (server/main.ts, graphql-jit), RESPONSE_CACHE=false; again with GRAPHQL_JIT=false
//   4 cached       deskgraph with the response cache (memory; Redis), persisted GET by hash
//   5 peers        bench/peers/<name>.ts (Apollo Server ± its cache, Mercurius ± graphql-jit ± mercurius-cache), when present
//   6 mix          the 90/10 read/write workload with invalidation, 1 and 2 instances (bench/lib/mix.ts)
//   + HAProxy      4 and 6 through HAProxy: 1 instance, and 3 on one bus (a Redis Cluster when the server reads one) (bench/run/proxies.ts)
//   + scaling      the nested list at three seed scales
//
// Three queries (bench/lib/queries.ts) for 1–5, as agent@acme.test. The load comes from another process
// (bench/lib/load-worker.ts); every response is checked; a failed request fails the run (exit 1).
// The steps live in bench/run/: settings, data (seeding), servers, targets, scenarios (1–5), scaling,
// mix (6), and report/chart/output for what is printed and written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadGenerator } from './lib/load-client.ts';
import { describeCommit, describeMachine, machineLine } from './lib/machine.ts';
import { resolveServices } from './lib/services.ts';
import { Cleanup, exitWith, log } from './lib/util.ts';
import { awaitSeeds, seedScales } from './run/data.ts';
import { Meter } from './run/measure.ts';
import { runMix } from './run/mix.ts';
import type { RunContext } from './run/model.ts';
import { finish, type RunInfo } from './run/output.ts';
import { prepareProxyRedis, PROXIED_KEYS, SOLO_KEY, startProxies } from './run/proxies.ts';
import { runScaling } from './run/scaling.ts';
import { runQueryScenarios } from './run/scenarios.ts';
import { acceptStartFailures, startServers, stopInstances } from './run/servers.ts';
import { reproduceCommand, settingsFrom, type Settings } from './run/settings.ts';
import { signInTargets } from './run/targets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();

async function main(): Promise<number> {
  const ctx = createContext(settingsFrom(process.argv.slice(2)));
  const start = describeStart(ctx.settings);
  let info: RunInfo;
  try {
    info = { ...start, ...(await prepareServices(ctx, start)) };
    const redisBase = ctx.settings.redis ? info.services.redisUrl : null;
    const data = await seedScales(ctx, info.services.databaseUrl);
    const load = await startLoadGenerator(ctx);
    // The cluster (if any) before the servers: the 3 instances behind HAProxy connect to it at start.
    const proxyRedis = await prepareProxyRedis(ctx, redisBase);
    const servers = await startServers(ctx, data, redisBase, proxyRedis);
    await awaitSeeds(ctx, data);
    acceptStartFailures(ctx, servers);
    const at = (key: string) => servers.instances.get(key)!;
    const proxies = proxyRedis && servers.redis ? await startProxies(ctx, proxyRedis, PROXIED_KEYS.map(at), at(SOLO_KEY)) : null;
    const signedIn = await signInTargets(ctx, servers, proxies);
    const meter = new Meter(ctx.settings, load);
    await runQueryScenarios(ctx, meter, signedIn);
    if (!ctx.settings.onlyProxies) await runScaling(ctx, meter, signedIn, servers);
    // The scaling servers and the peers are done; the read servers stay for the fast mix.
    await stopInstances(servers, (k) => k.startsWith('scale:') || k.startsWith('peer:'));
    await runMix(ctx, load, servers, data, proxies);
  } finally {
    await ctx.cleanup.run();
  }
  return finish(ctx, info, (performance.now() - started) / 1000);
}

function createContext(settings: Settings): RunContext {
  const cleanup = new Cleanup();
  const work = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-run-'));
  cleanup.add('remove the temporary directory', () => rmSync(work, { recursive: true, force: true }));
  return { root, settings, cleanup, work, findings: { rows: [], mixRows: [], problems: [], skipped: [], seeding: [] } };
}

/** What the run is, fixed before anything starts: the commit, the command that reproduces it, the file stamp. */
function describeStart(settings: Settings): Pick<RunInfo, 'commit' | 'command' | 'stamp'> {
  const commit = describeCommit(root);
  const command = reproduceCommand(settings);
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return { commit, command, stamp };
}

async function prepareServices(
  ctx: RunContext,
  { commit, command }: Pick<RunInfo, 'commit' | 'command'>,
): Promise<Pick<RunInfo, 'services' | 'machine'>> {
  const { settings } = ctx;
  log(
    `npm run bench — ${settings.preset} preset: ${settings.duration} s measured per row${settings.rounds > 1 ? ` (in ${settings.rounds} rounds)` : ''} after ${settings.warmup} s of warm-up, ` +
      `${settings.connections} connections; seed scale ${settings.mainScale}, scaling at ${settings.scales.join(', ')}`,
  );
  log(`reproduce: ${command}`);
  log(
    `commit: ${commit.sha ?? 'not a git checkout'}${commit.subject ? ` (${commit.subject})` : ''}${commit.dirty.length ? ` + uncommitted changes in ${commit.dirty.join(', ')}` : ''}`,
  );
  const services = await resolveServices(root, ctx.cleanup);
  const machine = await describeMachine(services.databaseUrl, settings.redis ? services.redisUrl : null);
  log(`machine: ${machineLine(machine)}`);
  log(
    `PostgreSQL ${new URL(services.databaseUrl).host}, Redis ${services.redisUrl && settings.redis ? new URL(services.redisUrl).host : 'none'} (from ${services.source})`,
  );
  return { services, machine };
}

async function startLoadGenerator(ctx: RunContext): Promise<LoadGenerator> {
  const load = await LoadGenerator.start(root, ctx.cleanup);
  log(`load generator: a separate process (pid ${load.pid}), bench/lib/load-worker.ts`);
  return load;
}

exitWith(main, 'npm run bench');

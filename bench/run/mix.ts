// Scenario 6, the mix (bench/lib/mix.ts): fast preset on the servers of 2–4, one scenario after the
// other; --full on a fresh copy and fresh instances each, as bench:cache:mix runs it.
import type { LoadGenerator } from '../lib/load-client.ts';
import { measureMix, reportMix, runMixScenario, type MixResult, type MixScenario } from '../lib/mix.ts';
import { log, warn } from '../lib/util.ts';
import type { SeededData } from './data.ts';
import { errorText, type RunContext } from './model.ts';
import { PROXIED_KEYS, SOLO_KEY, type Proxies } from './proxies.ts';
import { stopInstances, type ServerSet } from './servers.ts';
import type { Settings } from './settings.ts';

/** `uses`: the keys of the instances of 1–4 a scenario runs on when the mix is not fresh. */
type Scenario = MixScenario & { uses: string[] };

const MIX_INSTANCES = ['naive', 'loaders', 'cached-memory', 'cached-redis', 'cached-redis-2'];

function mixScenarios(settings: Settings): Scenario[] {
  const full = settings.preset === 'full';
  return [
    { name: 'mix: naive, no cache, 1 instance', instances: 1, cache: 'off', naive: true, uses: ['naive'] },
    { name: 'mix: loaders, no cache, 1 instance', instances: 1, cache: 'off', uses: ['loaders'] },
    { name: 'mix: memory cache, 1 instance', instances: 1, cache: 'memory', uses: ['cached-memory'] },
    ...(full ? [{ name: 'mix: Redis cache, 1 instance', instances: 1 as const, cache: 'redis' as const, uses: ['cached-redis'] }] : []),
    ...(full ? [{ name: 'mix: loaders, no cache, 2 instances', instances: 2 as const, cache: 'off' as const, uses: [] }] : []),
    { name: 'mix: Redis cache, 2 instances', instances: 2, cache: 'redis', uses: ['cached-redis', 'cached-redis-2'] },
  ];
}

export async function runMix(
  ctx: RunContext,
  load: LoadGenerator,
  servers: ServerSet,
  data: SeededData,
  proxies: Proxies | null,
): Promise<void> {
  const { settings } = ctx;
  if (proxies) await runProxiedMix(ctx, load, proxies);
  await stopInstances(servers, (k) => PROXIED_KEYS.includes(k) || k === SOLO_KEY);
  if (settings.onlyProxies) return;
  log(
    `── scenario 6: the mix (90 % reads, 10 % writes with invalidation)${settings.freshMix ? ', each on a fresh copy of the data and fresh instances' : ', on the servers of 2–4, one after the other'}`,
  );
  if (!settings.freshMix) {
    // The scenarios run on the copy scenarios 1–5 read (their checks are done): the writes of one
    // scenario stay for the next, and the cached instances keep what 4 cached (other documents).
    await stopInstances(servers, (k) => !MIX_INSTANCES.includes(k));
  } else {
    await stopInstances(servers, () => true);
    await servers.reads.drop();
  }
  for (const [index, scenario] of mixScenarios(settings).entries()) {
    if (scenario.cache === 'redis' && !servers.redis) {
      ctx.findings.skipped.push(`scenario 6, ${scenario.name}: skipped: no Redis`);
      warn(`${scenario.name}: skipped: no Redis`);
      continue;
    }
    log(`  ${scenario.name}`);
    await recordMix(ctx, scenario.name, () => measureScenario(ctx, load, servers, data, scenario, index));
  }
}

/**
 * The mix through HAProxy, in both presets on the instances of scenario 4's HAProxy rows (not fresh: they
 * run first, on the copy 1–5 read). Each group has a bus of its own, so the writes of the 3-instance row
 * wait for the acknowledgements of exactly those 3 instances, and the 1-instance row's for none.
 */
async function runProxiedMix(ctx: RunContext, load: LoadGenerator, proxies: Proxies): Promise<void> {
  log('── scenario 6 through HAProxy: the mix on 1 instance, then on 3 instances sharing one bus');
  const { settings } = ctx;
  const rows: { scenario: MixScenario; group: Proxies['solo'] }[] = [
    { scenario: { name: 'mix: Redis cache, 1 instance behind HAProxy', instances: 1, cache: 'redis' }, group: proxies.solo },
    {
      scenario: { name: `mix: 3 instances behind HAProxy (${proxies.three.redis.label})`, instances: 3, cache: 'redis' },
      group: proxies.three,
    },
  ];
  for (const [index, { scenario, group }] of rows.entries()) {
    log(`  ${scenario.name}`);
    const measuring = {
      load,
      connections: settings.connections,
      duration: settings.duration,
      warmup: settings.warmup,
      via: group.front.origin,
    };
    await recordMix(ctx, scenario.name, () => measureMix(scenario, group.behind, { ...measuring, printShares: index === 0 }));
  }
}

/** Measures one mix row into the findings; a failure becomes a problem, and the next row still runs. */
async function recordMix(ctx: RunContext, name: string, measure: () => Promise<MixResult>): Promise<void> {
  const { findings } = ctx;
  try {
    const result = await measure();
    findings.mixRows.push({ ...result, ratioNaive: null });
    reportMix(result);
    if (result.errors + result.warmupErrors > 0) findings.problems.push(`${name}: ${result.errors + result.warmupErrors} failed requests`);
  } catch (error) {
    findings.problems.push(`${name}: ${errorText(error)}`);
    warn(`${name}: ${errorText(error)}`);
  }
}

function measureScenario(
  ctx: RunContext,
  load: LoadGenerator,
  servers: ServerSet,
  data: SeededData,
  scenario: Scenario,
  index: number,
): Promise<MixResult> {
  const { settings } = ctx;
  const measuring = {
    load,
    connections: settings.connections,
    duration: settings.duration,
    warmup: settings.warmup,
    printShares: index === 0,
  };
  if (!settings.freshMix)
    return measureMix(
      scenario,
      scenario.uses.map((k) => servers.instances.get(k)!),
      measuring,
    );
  return runMixScenario(scenario, index + 1, {
    ...measuring,
    root: ctx.root,
    cleanup: ctx.cleanup,
    databases: data.main,
    redis: servers.redis,
    runId: servers.runId,
  });
}

// The targets of scenarios 1–5 on the servers that started, each signed in as USER; deskgraph as built
// (loaders) must sign in, as every other target is compared with its answers.
import { errorText, type RunContext, type Target } from './model.ts';
import type { Proxies } from './proxies.ts';
import { firstTicketId, login } from './requests.ts';
import type { ServerSet } from './servers.ts';
import { peerInfo } from './settings.ts';

export interface SignedIn {
  targets: Target[];
  /** Deskgraph as built: the reference every other target's data must equal. */
  loaders: Target;
  ticketId: string;
}

export async function signInTargets(ctx: RunContext, servers: ServerSet, proxies: Proxies | null): Promise<SignedIn> {
  const targets = [...deskgraphTargets(ctx, servers), ...proxiedTargets(proxies), ...peerTargets(ctx, servers)];
  await Promise.all(
    targets.map(async (t) => {
      if (!t.instance || t.skipped || t.failed) return;
      try {
        t.token = await login(`${t.instance.origin}/graphql`);
      } catch (error) {
        t.failed = errorText(error);
        ctx.findings.problems.push(`${t.key}: ${t.failed}`);
      }
    }),
  );
  const loaders = targets.find((t) => t.key === 'loaders')!;
  if (loaders.failed) throw new Error(`deskgraph (loaders) cannot sign in: ${loaders.failed}`);
  return { targets, loaders, ticketId: await firstTicketId(loaders.instance!, loaders.token) };
}

function deskgraphTargets(ctx: RunContext, servers: ServerSet): Target[] {
  const at = (key: string) => servers.instances.get(key) ?? null;
  const make = (t: Omit<Target, 'token' | 'failed' | 'skipped'>, skipped: string | null = null): Target => ({
    ...t,
    token: null,
    failed: null,
    skipped,
  });
  const noRedis = servers.redis ? null : 'skipped: no Redis (BENCH_REDIS_URL / TEST_REDIS_URL, or redis-server for the throwaway services)';
  if (!servers.redis) ctx.findings.skipped.push('scenario 4, Redis cache: skipped: no Redis');
  // BENCH_ONLY=haproxy starts only the servers the HAProxy rows are compared with (and the reference, loaders).
  const notStarted = (key: string) => (servers.instances.has(key) || !ctx.settings.onlyProxies ? null : 'skipped: BENCH_ONLY=haproxy');
  const rows = [
    make({
      key: 'ceiling',
      scenario: 1,
      label: '1 ceiling: bare node:http, same bytes as 4',
      kind: 'ceiling',
      form: 'GET hash',
      instance: null,
      sql: 'none',
      expectHits: false,
    }),
    make({
      key: 'naive',
      scenario: 2,
      label: '2 naive: N+1 (batching off), no cache',
      kind: 'naive',
      form: 'POST document',
      instance: at('naive'),
      sql: 'metrics',
      expectHits: false,
    }),
    make({
      key: 'loaders',
      scenario: 3,
      label: '3 deskgraph: loaders, no cache',
      kind: 'loaders',
      form: 'POST document',
      instance: at('loaders'),
      sql: 'metrics',
      expectHits: false,
    }),
    make({
      key: 'loaders-graphql-js',
      scenario: 3,
      label: '3 same, graphql-js (GRAPHQL_JIT=false)',
      kind: 'loaders',
      form: 'POST document',
      instance: at('loaders-graphql-js'),
      sql: 'metrics',
      expectHits: false,
    }),
    make({
      key: 'loaders-token-lookup',
      scenario: 3,
      label: '3 same, token looked up per request (VIEWER_CACHE=false)',
      kind: 'loaders',
      form: 'POST document',
      instance: at('loaders-token-lookup'),
      sql: 'metrics',
      expectHits: false,
    }),
    make({
      key: 'cached-memory',
      scenario: 4,
      label: '4 deskgraph: cache (memory), GET hash',
      kind: 'cached',
      form: 'GET hash',
      instance: at('cached-memory'),
      sql: 'metrics',
      expectHits: true,
    }),
    make(
      {
        key: 'cached-redis',
        scenario: 4,
        label: '4 deskgraph: cache (Redis), GET hash',
        kind: 'cached',
        form: 'GET hash',
        instance: at('cached-redis'),
        sql: 'metrics',
        expectHits: true,
      },
      noRedis,
    ),
  ];
  return rows.map((t) => (t.skipped || t.kind === 'ceiling' ? t : { ...t, skipped: notStarted(t.key) }));
}

/** Scenario 4 through HAProxy: one instance (the proxy's cost), three on one bus (the scale-out). */
function proxiedTargets(proxies: Proxies | null): Target[] {
  if (!proxies) return [];
  const cached = { scenario: 4 as const, kind: 'cached' as const, form: 'GET hash' as const, sql: 'metrics' as const, expectHits: true };
  const rest = { token: null, failed: null, skipped: null };
  return [
    {
      ...cached,
      ...rest,
      key: 'haproxy-1',
      label: '4 same as cache (Redis), 1 instance behind HAProxy',
      instance: proxies.solo.front,
      behind: proxies.solo.behind,
    },
    {
      ...cached,
      ...rest,
      key: 'haproxy-3',
      label: `4 cache, 3 instances behind HAProxy (${proxies.three.redis.label})`,
      instance: proxies.three.front,
      behind: proxies.three.behind,
    },
  ];
}

function peerTargets(ctx: RunContext, servers: ServerSet): Target[] {
  return ctx.settings.peers.map((name) => {
    const failedToStart = servers.startFailures.get(`peer:${name}`);
    const info = peerInfo(name);
    return {
      key: `peer:${name}`,
      scenario: 5,
      label: `5 ${info.label}`,
      kind: info.cached ? 'peer-cached' : 'peer',
      form: 'POST document',
      instance: servers.instances.get(`peer:${name}`) ?? null,
      sql: 'bench-stats',
      token: null,
      expectHits: false,
      skipped: servers.peers.has(name) ? null : `skipped: bench/peers/${name}.ts does not exist`,
      failed: failedToStart ? `did not start: ${failedToStart.split('\n')[0]}` : null,
    };
  });
}

// npm run bench:live — live updates at scale: BENCH_LIVE_SUBSCRIBERS (1,000) SSE subscriptions spread
// over 2 deskgraph instances sharing PostgreSQL and Redis, as five seeded viewers (agents, an admin and
// customers of two organizations, so subscribers share visibility scopes and thus groups), subscribed to
// ticketChanged for a set of tickets and to ticketsChanged. A writer updates those tickets' titles on
// instance 1 at BENCH_LIVE_WRITES_PER_SECOND (5) for BENCH_LIVE_SECONDS (20); each title carries a
// stamp, so every delivery's update→delivery latency is measured at the subscriber (from the moment the
// write was sent). Prints latency p50/p99, deliveries per second, memory per subscriber, re-executions
// per write against the number of groups, and failed or missed deliveries.
//   BENCH_DATABASE_URL/TEST_DATABASE_URL and BENCH_REDIS_URL/TEST_REDIS_URL are required.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededDatabaseEnv } from './lib/database.ts';
import { describeMachine, machineLine } from './lib/machine.ts';
import { scrapeAll, total } from './lib/metrics.ts';
import { ACCOUNTS, LOGIN, PASSWORD } from './lib/operations.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb } from './lib/redis-watch.ts';
import { startInstances, type Instance } from './lib/server.ts';
import { graphql } from './lib/sessions.ts';
import { Cleanup, codeState, describeCode, envNumber, exitWith, fmt, log, sleep } from './lib/util.ts';
import { planSubscribers, type Viewer } from './live/plan.ts';
import { stamp, SubscriberPool } from './live/subscribers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UPDATE = 'mutation BenchWrite($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const OPEN_CONCURRENCY = 50;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function liveTotals(instances: Instance[]) {
  const samples = await scrapeAll(instances.map((i) => i.origin));
  return {
    rss: total(samples, 'deskgraph_process_resident_memory_bytes'),
    heap: total(samples, 'deskgraph_nodejs_heap_size_used_bytes'),
    subscriptions: total(samples, 'deskgraph_live_subscriptions'),
    groups: total(samples, 'deskgraph_live_groups'),
    runs: total(samples, 'deskgraph_live_executions_total'),
    deliveries: total(samples, 'deskgraph_live_deliveries_total'),
  };
}

async function signIn(url: string): Promise<Viewer[]> {
  return Promise.all(
    ACCOUNTS.map(async ({ email }) => {
      const login = await graphql(url, LOGIN, { email, password: PASSWORD }, null, 'Login');
      const list = await graphql(
        url,
        'query Discover { tickets(first: 20) { edges { node { id } } } }',
        null,
        login.login.token,
        'Discover',
      );
      return {
        email,
        token: login.login.token as string,
        staff: login.login.user.role !== 'CUSTOMER',
        organization: login.login.user.organization.slug as string,
        tickets: (list.tickets.edges as { node: { id: string } }[]).map((e) => e.node.id),
      };
    }),
  );
}

async function main(): Promise<number> {
  const subscriberCount = envNumber('BENCH_LIVE_SUBSCRIBERS', 1000, { min: 1, integer: true });
  const rate = envNumber('BENCH_LIVE_WRITES_PER_SECOND', 5, { min: 0.1 });
  const seconds = envNumber('BENCH_LIVE_SECONDS', 20, { min: 1 });
  const coalesce = process.env.BENCH_LIVE_COALESCE_MS ?? '25 (default)';
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisBase = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (!databaseUrl || !redisBase) {
    throw new Error(
      'bench:live needs a PostgreSQL and a Redis shared by its two instances: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a postgresql:// URL and BENCH_REDIS_URL (or TEST_REDIS_URL) to a redis:// URL.',
    );
  }
  const cleanup = new Cleanup();
  try {
    log(
      `npm run bench:live  (BENCH_LIVE_SUBSCRIBERS=${subscriberCount} BENCH_LIVE_WRITES_PER_SECOND=${rate} BENCH_LIVE_SECONDS=${seconds}; LIVE_COALESCE_MS ${coalesce})`,
    );
    log(`machine: ${machineLine(await describeMachine(databaseUrl, redisBase))}`);
    log(`${describeCode(codeState(root))}`);
    const dbEnv = await seededDatabaseEnv(databaseUrl, envNumber('BENCH_SCALE', 0.1, { min: 0.01 }), cleanup);
    const db = await pickEmptyDatabase(redisBase);
    const prefix = `bench-live-${randomBytes(3).toString('hex')}`;
    const keys = new KeyspaceWatch(redisBase, db, prefix);
    cleanup.add('remove Redis keys', async () => void (await keys.dispose()));
    const instances = await startInstances(2, {
      name: 'live',
      root,
      cleanup,
      env: {
        ...dbEnv,
        RESPONSE_CACHE: 'true',
        REDIS_URL: redisUrlWithDb(redisBase, db),
        CACHE_KEY_PREFIX: prefix,
        // Five viewers hold the thousand subscriptions: the per-token limit is raised for the run.
        LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN: '10000',
        LIVE_MAX_SUBSCRIPTIONS: '100000',
        LIVE_COALESCE_MS: process.env.BENCH_LIVE_COALESCE_MS,
      },
    });

    const viewers = await signIn(instances[0]!.graphqlUrl);
    const plan = planSubscribers(viewers, instances, subscriberCount);
    log(`  written tickets: ${plan.written.length}; subscriptions: ${plan.describe}`);

    const sentAt = new Map<number, number>();
    const ackedAt = new Map<number, number>();
    const pool = new SubscriberPool(sentAt);
    await sleep(1000);
    const before = await liveTotals(instances);
    const opening = performance.now();
    for (let i = 0; i < plan.specs.length; i += OPEN_CONCURRENCY) {
      await Promise.all(plan.specs.slice(i, i + OPEN_CONCURRENCY).map((spec) => pool.open(spec)));
    }
    const opened = pool.subscribers.filter((s) => s.opened).length;
    log(`  ${opened}/${plan.specs.length} subscriptions open in ${fmt((performance.now() - opening) / 1000, 1)} s`);
    await sleep(2000);
    const subscribed = await liveTotals(instances);

    // The writer: one update every 1/rate s on instance 1, on the written tickets in turn.
    const writes = Math.round(rate * seconds);
    const writesTo = new Map<string, number[]>();
    const ackMs: number[] = [];
    let failedWrites = 0;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let n = 0; n < writes; n++) {
      const due = started + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const target = plan.written[n % plan.written.length]!;
      writesTo.set(target.id, [...(writesTo.get(target.id) ?? []), n]);
      const sent = performance.now();
      sentAt.set(n, sent);
      pending.push(
        graphql(
          instances[0]!.graphqlUrl,
          UPDATE,
          { input: { id: target.id, title: `Bench ticket ${stamp(n)}` } },
          target.writer,
          'BenchWrite',
        ).then(
          () => {
            ackedAt.set(n, performance.now());
            ackMs.push(performance.now() - sent);
          },
          () => void (failedWrites += 1),
        ),
      );
    }
    await Promise.all(pending);
    const writing = (performance.now() - started) / 1000;
    await sleep(2000); // stragglers
    const after = await liveTotals(instances);

    // Missed: a ticketChanged subscriber that never saw a write to its ticket (writes to one ticket are
    // seconds apart, far beyond the coalescing window, so each should arrive).
    let expected = 0;
    let missed = 0;
    let staleAtEnd = 0;
    for (const s of pool.subscribers) {
      if (!s.opened || !s.spec.ticket) continue;
      const mine = writesTo.get(s.spec.ticket) ?? [];
      expected += mine.length;
      missed += mine.filter((n) => !s.seen.has(n)).length;
      if (mine.length > 0 && !s.seen.has(mine[mine.length - 1]!)) staleAtEnd += 1;
    }
    const failures = pool.subscribers.filter((s) => s.failure);
    pool.close();
    let closedTotals = await liveTotals(instances);
    for (let i = 0; i < 50 && closedTotals.subscriptions > 0; i++) {
      await sleep(100);
      closedTotals = await liveTotals(instances);
    }

    const sorted = pool.latencies.map((d) => d.at - d.sent).sort((a, b) => a - b);
    // From the write's response instead (the commit is behind it): what the live path adds to a write.
    const sinceAck = pool.latencies
      .filter((d) => ackedAt.has(d.write))
      .map((d) => d.at - ackedAt.get(d.write)!)
      .sort((a, b) => a - b);
    const ackSorted = [...ackMs].sort((a, b) => a - b);
    const runs = after.runs - subscribed.runs;
    const lines = [
      '',
      `bench:live — ${opened} subscribers on 2 instances (shared PostgreSQL + Redis), ${writes} writes in ${fmt(writing, 1)} s on instance 1`,
      `  update→delivery latency   p50 ${fmt(percentile(sorted, 50))} ms   p99 ${fmt(percentile(sorted, 99))} ms   max ${fmt(sorted.at(-1))} ms   (${sorted.length} deliveries measured at the client)`,
      `  …after the write's answer p50 ${fmt(percentile(sinceAck, 50))} ms   p99 ${fmt(percentile(sinceAck, 99))} ms   (negative: the event came before the mutation's response)`,
      `  the write itself (ack)    p50 ${fmt(percentile(ackSorted, 50))} ms   p99 ${fmt(percentile(ackSorted, 99))} ms`,
      `  deliveries per second     ${fmt(sorted.length / writing, 0)} at the client; ${fmt((after.deliveries - subscribed.deliveries) / writing, 0)} queued by the servers`,
      `  memory per subscriber     RSS ${fmt((subscribed.rss - before.rss) / opened / 1024, 1)} KiB, heap ${fmt((subscribed.heap - before.heap) / opened / 1024, 1)} KiB (both instances, before/after subscribing)`,
      `  re-executions per write   ${fmt(runs / writes, 1)} (${runs} in all) — groups: ${subscribed.groups} across the 2 instances, for ${opened} subscribers`,
      `  failed / missed           ${plan.specs.length - opened} failed to open, ${failures.length - (plan.specs.length - opened)} broke, ${failedWrites} writes failed; ticketChanged: ${missed} of ${expected} expected deliveries missed, ${staleAtEnd} subscribers stale at the end`,
      `  after closing             ${closedTotals.subscriptions} subscriptions, ${closedTotals.groups} groups left on the servers`,
      `  target (issue 18): p99 < 50 ms at 1,000 subscribers — ${(percentile(sorted, 99) ?? Infinity) < 50 ? 'met' : 'NOT met'} in this run`,
    ];
    for (const line of lines) log(line);
    for (const f of failures.slice(0, 3)) log(`  failure: ${f.failure}`);
    return failedWrites > 0 || opened < plan.specs.length ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

exitWith(main, 'bench:live');

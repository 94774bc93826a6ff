// npm run bench:ab -- DIR [DIR…] — deskgraph uncached from one or more checkouts (worktrees with the same
// node_modules) against Mercurius + JIT, on one seeded database, in alternating rounds: which change made
// the uncached path faster, and how much CPU deskgraph and PostgreSQL spend per request. The peer runs
// from the first checkout. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL (a database is created and dropped).
//   AB_QUERIES (list,ticket; also dashboard)  AB_SECONDS (4) per round  AB_ROUNDS (3)  AB_CONNECTIONS (16)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { seededDatabaseEnv } from './lib/database.ts';
import { runFixed } from './lib/load.ts';
import { postgresCpuSeconds, processCpuSeconds } from './lib/proc-cpu.ts';
import { postRequest, QUERIES, type BenchQuery } from './lib/queries.ts';
import { startInstance, type Instance } from './lib/server.ts';
import { Cleanup, envNumber, exitWith, log } from './lib/util.ts';
import { firstTicketId, login } from './run/requests.ts';

interface Target {
  name: string;
  instance: Instance;
}

interface Tally {
  request: ReturnType<typeof postRequest>;
  body: string;
  responses: number;
  seconds: number;
  serverCpu: number;
  postgresCpu: number;
}

function queriesFromEnv(): BenchQuery[] {
  const keys = (process.env.AB_QUERIES ?? 'list,ticket').split(',').map((k) => k.trim());
  return keys.map((key) => {
    const query = QUERIES.find((q) => q.key === key);
    if (!query) throw new Error(`AB_QUERIES: "${key}" is not one of ${QUERIES.map((q) => q.key).join(', ')}`);
    return query;
  });
}

async function startTargets(roots: string[], env: Record<string, string | undefined>, cleanup: Cleanup): Promise<Target[]> {
  const targets: Target[] = [];
  for (const [i, root] of roots.entries()) {
    const instance = await startInstance({
      name: `ab${i}`,
      root,
      cleanup,
      env: { ...env, RESPONSE_CACHE: 'false' },
      readyTimeoutMs: 120_000,
    });
    targets.push({ name: `deskgraph ${root}`, instance });
  }
  const peer = await startInstance({
    name: 'mercurius-jit',
    root: roots[0]!,
    cleanup,
    args: ['--import', 'tsx', 'bench/peers/mercurius-jit.ts'],
    env: { DATABASE_URL: env.DATABASE_URL, PEER_CACHE: 'off', REDIS_URL: undefined },
    readyTimeoutMs: 120_000,
  });
  return [...targets, { name: 'Mercurius + JIT', instance: peer }];
}

/** Signs in, checks the answer, warms up one second: the request and the bytes every response must equal. */
async function prepare(target: Target, query: BenchQuery): Promise<Tally> {
  const token = await login(target.instance.graphqlUrl);
  const variables = query.key === 'ticket' ? { id: await firstTicketId(target.instance, token) } : null;
  const request = postRequest(query, variables, token);
  const response = await fetch(`${target.instance.origin}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const body = await response.text();
  query.check((JSON.parse(body) as { data?: unknown }).data, variables);
  await runFixed(target.instance.origin, request, body, { connections: 16, duration: 1 });
  return { request, body, responses: 0, seconds: 0, serverCpu: 0, postgresCpu: 0 };
}

async function main(): Promise<number> {
  const roots = process.argv.slice(2).map((dir) => path.resolve(dir));
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!roots.length || !serverUrl) {
    console.error('usage: BENCH_DATABASE_URL=postgresql://… npm run bench:ab -- DIR [DIR…]  (checkouts of deskgraph)');
    return 2;
  }
  for (const root of roots) if (!existsSync(path.join(root, 'server/main.ts'))) throw new Error(`${root} is not a deskgraph checkout`);
  const seconds = envNumber('AB_SECONDS', 4, { min: 0.5 });
  const rounds = envNumber('AB_ROUNDS', 3, { min: 1, integer: true });
  const connections = envNumber('AB_CONNECTIONS', 16, { min: 1, integer: true });
  const queries = queriesFromEnv();
  const cleanup = new Cleanup();
  try {
    const targets = await startTargets(roots, await seededDatabaseEnv(serverUrl, 1, cleanup), cleanup);
    for (const query of queries) {
      const tallies: Tally[] = [];
      for (const target of targets) tallies.push(await prepare(target, query));
      for (let round = 1; round <= rounds; round++) {
        log(`${query.label}: round ${round} of ${rounds}`);
        for (const [i, target] of targets.entries()) {
          const tally = tallies[i]!;
          const pid = target.instance.child.pid!;
          const [server0, postgres0] = [processCpuSeconds(pid), postgresCpuSeconds()];
          const r = await runFixed(target.instance.origin, tally.request, tally.body, { connections, duration: seconds });
          if (r.non2xx + r.mismatches + r.connectionErrors + r.timeouts > 0)
            throw new Error(`${target.name}: failed responses in round ${round}`);
          tally.serverCpu += processCpuSeconds(pid) - server0;
          tally.postgresCpu += postgresCpuSeconds() - postgres0;
          tally.responses += r.requests;
          tally.seconds += seconds;
        }
      }
      report(query, targets, tallies);
    }
  } finally {
    await cleanup.run();
  }
  return 0;
}

function report(query: BenchQuery, targets: Target[], tallies: Tally[]): void {
  const peer = tallies.at(-1)!;
  const peerRate = peer.responses / peer.seconds;
  console.log(`\n${query.label}, uncached:`);
  for (const [i, target] of targets.entries()) {
    const t = tallies[i]!;
    const rate = t.responses / t.seconds;
    const perRequest = (cpu: number) => (cpu >= 0 ? `${((1000 * cpu) / t.responses).toFixed(2)} ms` : '?');
    console.log(
      `  ${target.name}: ${rate.toFixed(1)} req/s, ${(rate / peerRate).toFixed(2)}× Mercurius + JIT; CPU per request: server ${perRequest(t.serverCpu)}, PostgreSQL ${perRequest(t.postgresCpu)}`,
    );
  }
  console.log('  (PostgreSQL: every postgres process on the machine; a backend that closed during a round is not counted)');
}

exitWith(main, 'bench:ab');

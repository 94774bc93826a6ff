// Starting one deskgraph variant until its answers are cache hits, and measuring targets with the same
// request and connections: with several targets (bare server and fast path) the time is cut into slices
// taken in turn (A B A B …), so drift on a shared machine (other processes, thermal) hits every target
// alike; the figures are totals over the slices.
import { combineSlices, runFixed, type LoadResult } from '../lib/load.ts';
import { counters, delta, scrape, type CacheCounters } from '../lib/metrics.ts';
import { PASSWORD } from '../lib/operations.ts';
import { startInstance, type Instance } from '../lib/server.ts';
import { graphql } from '../lib/sessions.ts';
import { fmt, log, retryUntil, sleep, type Cleanup } from '../lib/util.ts';
import { capture, OPERATION, requestFor, type Captured, type Method } from './requests.ts';
import { processCpuSeconds } from '../lib/proc-cpu.ts';

export interface FastSettings {
  duration: number;
  warmup: number;
  connections: number;
  withGet: boolean;
  scale: number;
  /** Slices the bare server and the fast path alternate in. */
  rounds: number;
  redisBase: string | null;
}

export interface FastContext {
  root: string;
  cleanup: Cleanup;
  settings: FastSettings;
  /** Where every deskgraph variant finds its data (a seeded PostgreSQL copy, or PGlite). */
  databaseEnv: Record<string, string | undefined>;
  rows: Row[];
  /** The fast-path hit the bare server replays; every row's bytes are compared with it. */
  expected: Captured | null;
}

type Measured = LoadResult & { mismatches: number };

export interface Row {
  target: string;
  method: Method;
  load: Measured;
  cache: CacheCounters | null;
  sameBytes: boolean | null;
  contentType: string;
  /** req/s of each slice, when interleaved. */
  slices: number[];
  /** The server process's CPU time (user + system, /proc) per request over its slices, µs. */
  cpuUsPerRequest: number | null;
}

export interface Target {
  target: string;
  instance: Instance;
  withMetrics: boolean;
}

/** Starts deskgraph, signs in, repeats the query until it is a hit (when cached). */
export async function prepare(
  ctx: FastContext,
  name: string,
  env: Record<string, string | undefined>,
  expectHit: 'fast' | 'graphql' | null,
) {
  log(`── ${name}: starting deskgraph`);
  const instance = await startInstance({
    name,
    root: ctx.root,
    cleanup: ctx.cleanup,
    env: { ...ctx.databaseEnv, ...env },
    readyTimeoutMs: 120_000,
  });
  const login = await graphql(
    instance.graphqlUrl,
    `mutation { login(email: "agent@acme.test", password: "${PASSWORD}") { token } }`,
    null,
    null,
  );
  const token = login.login.token as string;
  if (expectHit) {
    for (const method of ['POST', 'GET'] as Method[]) {
      const hit = await retryUntil(async () => {
        const before = counters(await scrape(instance.origin));
        const got = await capture(instance.origin, requestFor(method, token));
        if (got.status !== 200) throw new Error(`${name}: ${method} answered ${got.status}: ${got.body.toString().slice(0, 300)}`);
        return (delta(counters(await scrape(instance.origin)), before).hitsByPath[expectHit] ?? 0) > 0;
      });
      if (!hit) throw new Error(`${name}: ${method} ${OPERATION} never became a ${expectHit}-path cache hit`);
    }
  }
  return { instance, token };
}

/** Each target's own answer: what every response of its load must equal. */
async function ownAnswers(targets: Target[], request: ReturnType<typeof requestFor>, method: Method): Promise<Map<Target, Captured>> {
  const captured = new Map<Target, Captured>();
  for (const t of targets) {
    const own = await capture(t.instance.origin, request);
    if (own.status !== 200 || own.body.includes('"errors"'))
      throw new Error(`${t.target}: ${method} answered ${own.status}: ${own.body.toString().slice(0, 300)}`);
    captured.set(t, own);
  }
  return captured;
}

export async function measure(ctx: FastContext, targets: Target[], token: string, method: Method): Promise<Row[]> {
  const { warmup, connections, duration, rounds } = ctx.settings;
  const request = requestFor(method, token);
  const captured = await ownAnswers(targets, request, method);
  const body = (t: Target) => captured.get(t)!.body.toString('utf8');
  for (const t of targets) if (warmup > 0) await runFixed(t.instance.origin, request, body(t), { connections, duration: warmup });
  const slices = targets.length > 1 ? rounds : 1;
  const slice = duration / slices;
  const parts = new Map<Target, Measured[]>(targets.map((t) => [t, []]));
  const befores = new Map<Target, CacheCounters | null>();
  for (const t of targets) befores.set(t, t.withMetrics ? counters(await scrape(t.instance.origin)) : null);
  log(
    `  ${method}: ${targets.map((t) => t.target).join(' / ')}: ${duration} s each${slices > 1 ? `, in ${slices} alternating slices of ${fmt(slice, 1)} s` : ''}`,
  );
  // What each request costs the server, whatever the load generator got from the machine: CPU seconds of
  // the server's process (all its threads) around its own slices only.
  const cpu = new Map<Target, number>(targets.map((t) => [t, 0]));
  for (let round = 0; round < slices; round++) {
    for (const t of targets) {
      const pid = t.instance.child.pid ?? 0;
      const before = processCpuSeconds(pid);
      parts.get(t)!.push(await runFixed(t.instance.origin, request, body(t), { connections, duration: slice }));
      cpu.set(t, cpu.get(t)! + processCpuSeconds(pid) - before);
    }
  }
  const out: Row[] = [];
  for (const t of targets) out.push(await recordRow(ctx, t, method, parts.get(t)!, befores.get(t) ?? null, captured.get(t)!, cpu.get(t)!));
  // autocannon drops its sockets with requests still running: let them finish before a SIGTERM.
  await sleep(Math.min(5000, Math.max(500, 2 * Math.max(...out.map((r) => r.load.p99)))));
  return out;
}

async function recordRow(
  ctx: FastContext,
  t: Target,
  method: Method,
  list: Measured[],
  before: CacheCounters | null,
  own: Captured,
  cpuSeconds: number,
): Promise<Row> {
  const { expected } = ctx;
  const load = combineSlices(list);
  const cpuUsPerRequest = cpuSeconds > 0 && load.requests > 0 ? (cpuSeconds * 1e6) / load.requests : null;
  const cache = before ? delta(counters(await scrape(t.instance.origin)), before) : null;
  const row: Row = {
    target: t.target,
    method,
    load,
    cache,
    sameBytes: expected ? expected.body.equals(own.body) && expected.headers['content-type'] === own.headers['content-type'] : null,
    contentType: own.headers['content-type'] ?? '',
    slices: list.map((p) => p.rps),
    cpuUsPerRequest,
  };
  ctx.rows.push(row);
  const hits = cache
    ? `, hits ${
        Object.entries(cache.hitsByPath)
          .map(([k, v]) => `${k} ${v}`)
          .join(' ') || '0'
      }, misses ${cache.misses}`
    : '';
  const perSlice = list.length > 1 ? ` (slices: ${list.map((p) => fmt(p.rps, 0)).join(', ')})` : '';
  log(
    `    ${t.target}: ${fmt(load.rps, 0)} req/s${perSlice}, p99 ${fmt(load.p99, 0)} ms, server CPU ${cpuUsPerRequest == null ? '—' : fmt(cpuUsPerRequest, 1)} µs/request${hits}${load.mismatches ? `, ${load.mismatches} BODY MISMATCHES` : ''}`,
  );
  return row;
}

// One profiled case: deskgraph started under `node --cpu-prof`, signed in, its answer checked, warmed
// up, loaded for the window, then stopped with SIGINT (deskgraph's clean shutdown exits the process,
// which is when V8 writes the profile). The window's bounds are taken on process.hrtime, the clock the
// profile's timestamps are on, so start-up, warm-up and shutdown are left out of the figures.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runFixed, type LoadResult } from '../lib/load.ts';
import { counters, scrape } from '../lib/metrics.ts';
import { startInstance, type Instance } from '../lib/server.ts';
import { log, retryUntil, sleep, type Cleanup } from '../lib/util.ts';
import { firstTicketId, login } from '../run/requests.ts';
import { breakdown, type Breakdown, type CpuProfile } from './analyze.ts';
import { variablesOf, type ProfileCase } from './cases.ts';

export interface ProfileSettings {
  seconds: number;
  warmup: number;
  connections: number;
  /** Microseconds between samples (node --cpu-prof-interval). */
  intervalUs: number;
  top: number;
}

export interface CaseContext {
  root: string;
  cleanup: Cleanup;
  settings: ProfileSettings;
  /** DATABASE_URL and friends, plus the persisted-operations manifest. */
  env: Record<string, string | undefined>;
  /** Where the .cpuprofile files go. */
  outDir: string;
}

export interface CaseResult {
  profileCase: ProfileCase;
  load: LoadResult & { mismatches: number };
  /** Share of the window's requests answered on the expected cache path; null when uncached. */
  hitShare: number | null;
  profileFile: string;
  breakdown: Breakdown;
}

type Request = ReturnType<ProfileCase['request']>;

async function send(origin: string, request: Request): Promise<{ status: number; body: string }> {
  const response = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: 'body' in request ? request.body : undefined,
  });
  return { status: response.status, body: await response.text() };
}

/** The answer every response of the load must equal, after checking it is the query's right answer. */
async function expectedAnswer(origin: string, c: ProfileCase, request: Request, ticketId: string): Promise<string> {
  const { status, body } = await send(origin, request);
  if (status !== 200) throw new Error(`${c.label}: HTTP ${status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as { data?: unknown; errors?: unknown[] };
  if (parsed.errors?.length) throw new Error(`${c.label}: GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  c.query.check(parsed.data, variablesOf(c.query, ticketId));
  return body;
}

const hitsOn = async (origin: string, hitPath: string) => counters(await scrape(origin)).hitsByPath[hitPath] ?? 0;

/** Sends the request until it is answered on the expected path (a cache fills asynchronously). */
async function untilHit(instance: Instance, c: ProfileCase, request: Request, hitPath: string): Promise<void> {
  const hit = await retryUntil(async () => {
    const before = await hitsOn(instance.origin, hitPath);
    await send(instance.origin, request);
    return (await hitsOn(instance.origin, hitPath)) > before;
  });
  if (!hit) throw new Error(`${c.label}: never became a ${hitPath}-path cache hit`);
}

/** SIGINT, and the exit that writes the profile; a non-zero exit (requests cut off) fails the case. */
async function stopForProfile(instance: Instance, c: ProfileCase): Promise<void> {
  const { child } = instance;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  child.kill('SIGINT');
  const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
  await instance.stop();
  if (code !== 0) throw new Error(`${c.label}: deskgraph did not stop cleanly on SIGINT (${code}):\n${instance.output()}`);
}

const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * --cpu-prof writes one profile per thread (tsx's module hooks run in a thread of their own), named
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main thread's is thread 0. It is moved to
 * `target`; the others are dropped.
 */
function takeMainThreadProfile(dir: string, target: string, label: string): CpuProfile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.split('.')[4] === '0');
  if (!main) throw new Error(`${label}: no main-thread profile in ${dir} (found ${files.join(', ') || 'none'})`);
  renameSync(path.join(dir, main), target);
  rmSync(dir, { recursive: true, force: true });
  return JSON.parse(readFileSync(target, 'utf8')) as CpuProfile;
}

export async function profileCase(ctx: CaseContext, c: ProfileCase): Promise<CaseResult> {
  const { seconds, warmup, connections, intervalUs, top } = ctx.settings;
  const profileFile = path.join(ctx.outDir, `${c.key}.cpuprofile`);
  const profileDir = path.join(ctx.outDir, `${c.key}.tmp`);
  rmSync(profileFile, { force: true });
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  log(`── ${c.label}: starting deskgraph under --cpu-prof`);
  const instance = await startInstance({
    name: c.key,
    root: ctx.root,
    cleanup: ctx.cleanup,
    env: { ...ctx.env, ...c.env },
    args: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${intervalUs}`, '--import', 'tsx', 'server/main.ts'],
    readyTimeoutMs: 120_000,
  });
  const token = await login(instance.graphqlUrl);
  const ticketId = await firstTicketId(instance, token);
  const request = c.request(token, ticketId);
  if (c.expectHit) await untilHit(instance, c, request, c.expectHit);
  const expectBody = await expectedAnswer(instance.origin, c, request, ticketId);
  const fail = (what: string, r: LoadResult & { mismatches: number }) => {
    const bad = r.non2xx + r.mismatches + r.connectionErrors + r.timeouts;
    if (bad > 0)
      throw new Error(
        `${c.label}: ${bad} failed responses during the ${what} (non-2xx ${r.non2xx}, other bodies ${r.mismatches}, connection errors ${r.connectionErrors}, timeouts ${r.timeouts})`,
      );
  };
  if (warmup > 0) fail('warm-up', await runFixed(instance.origin, request, expectBody, { connections, duration: warmup }));
  const hitsBefore = c.expectHit ? await hitsOn(instance.origin, c.expectHit) : 0;
  log(`  ${warmup} s of warm-up done; profiling ${seconds} s of load, ${connections} connections`);
  const from = hrtimeUs();
  const load = await runFixed(instance.origin, request, expectBody, { connections, duration: seconds });
  const to = hrtimeUs();
  fail('profiled window', load);
  const hitShare = c.expectHit
    ? Math.min(1, ((await hitsOn(instance.origin, c.expectHit)) - hitsBefore) / Math.max(1, load.requests))
    : null;
  // A profile of misses must not be read as one of hits (a hit is counted before its response is written).
  if (hitShare != null && hitShare < 0.99)
    throw new Error(`${c.label}: only ${(100 * hitShare).toFixed(1)} % of the window's requests were ${c.expectHit}-path hits`);
  // autocannon drops its sockets with requests still running: let them finish before stopping.
  await sleep(Math.min(5000, Math.max(500, 2 * load.p99)));
  await stopForProfile(instance, c);
  const profile = takeMainThreadProfile(profileDir, profileFile, c.label);
  if (profile.startTime > from || profile.endTime < to)
    throw new Error(`${c.label}: the profile (${profile.startTime}–${profile.endTime} µs) does not cover the load (${from}–${to} µs)`);
  return { profileCase: c, load, hitShare, profileFile, breakdown: breakdown(profile, ctx.root, from, to, top) };
}

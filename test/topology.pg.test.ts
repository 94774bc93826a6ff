// `npm run topology` as a user runs it: up (PostgreSQL primary + streaming replica, Redis, three
// instances, HAProxy), requests through HAProxy that reach every instance, status, a second up that
// refuses, and down, which leaves nothing running. Then the Redis Cluster start: six nodes, three
// masters with a replica each. Needs Debian's postgresql, redis-server and haproxy (CI installs them);
// runs in the postgres project (TEST_DATABASE_URL), on its own ports (base 31500 and 31550: below the kernel's ephemeral range, 32768–60999 here, so an outgoing connection cannot hold one of them).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable, findPostgresBin } from '../scripts/topology/binaries.ts';
import { serverSupportsCluster } from '../scripts/topology/instances.ts';
import { backendStates, SERVED_BY_HEADER } from '../scripts/topology/haproxy.ts';
import { readState, type TopologyState } from '../scripts/topology/state.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { waitFor } from './processes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const available = Boolean(findPostgresBin() && findExecutable('redis-server') && findExecutable('redis-cli') && findExecutable('haproxy'));

const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

interface Run {
  code: number | null;
  output: string;
}

/** Runs `npm run topology -- …` (the CLI through tsx, as npm would) and collects its output. */
function topology(...args: [...string[], Record<string, string>] | string[]): Promise<Run> {
  const env = typeof args.at(-1) === 'object' ? (args.pop() as Record<string, string>) : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/topology/cli.ts', ...(args as string[])], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function succeeded(run: Run, what: string): string {
  if (run.code !== 0) throw new Error(`topology ${what} exited with ${run.code}:\n${run.output}`);
  return run.output;
}

async function sendGraphQL(base: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  // HAProxy's own answers (502, 503, 504) are HTML pages: say which, rather than fail to parse them.
  let body: { data?: any; errors?: unknown[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok || body.errors) throw new Error(`HTTP ${response.status}: ${text}`);
  return { data: body.data, servedBy: response.headers.get(SERVED_BY_HEADER) };
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Sum of one metric's samples whose labels include `label`. */
function metricSum(text: string, name: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Whether anything answers HTTP on the port. */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

const dirs: string[] = [];
function topologyDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskgraph-topology-'));
  dirs.push(dir);
  return dir;
}

// The two topologies use their own ports and directories, and mostly wait on servers starting: side by side.
describe.skipIf(!available).concurrent('npm run topology', () => {
  afterAll(async () => {
    // Whatever a failed assertion left running is stopped; down removes each directory.
    for (const dir of dirs) if (existsSync(dir)) await topology('down', '--dir', dir);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('up starts PostgreSQL with a replica, Redis, three instances and HAProxy; requests through HAProxy reach every instance; down stops it all', async () => {
    const dir = topologyDir();
    const output = succeeded(await topology('up', '--redis', 'single', '--base-port', '31500', '--seed-scale', '0.02', '--dir', dir), 'up');
    const state = readState(dir) as TopologyState;
    expect(state.phase).toBe('up');
    const proxy = `http://127.0.0.1:${state.haproxy!.port}`;
    const { primary, replica } = state.postgres;
    const primaryUrl = `postgresql://postgres@127.0.0.1:${primary.port}/deskgraph`;
    const replicaUrl = `postgresql://postgres@127.0.0.1:${replica.port}/deskgraph`;
    // Every URL is printed, and the environment to export.
    for (const expected of [
      `${proxy}/graphql`,
      'http://127.0.0.1:31530',
      'http://127.0.0.1:31532',
      primaryUrl,
      replicaUrl,
      'redis://127.0.0.1:31520',
    ]) {
      expect(output).toContain(expected);
    }
    expect(output).toContain(`export DATABASE_REPLICA_URLS=${replicaUrl}`);

    // Through HAProxy: a login, then a query nine times, round robin over the three instances.
    const { data } = await sendGraphQL(
      proxy,
      'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      {
        email: 'agent@acme.test',
        password: DEMO_PASSWORD,
      },
    );
    const token = data.login.token as string;
    const servedBy: string[] = [];
    for (let i = 0; i < 9; i++) {
      const result = await sendGraphQL(proxy, 'query TopologyTickets { tickets(first: 1) { totalCount } }', {}, token);
      expect(result.data.tickets.totalCount).toBeGreaterThan(0);
      servedBy.push(result.servedBy!);
    }
    expect(new Set(servedBy)).toEqual(new Set(['deskgraph-1', 'deskgraph-2', 'deskgraph-3']));
    // Each instance counted the operation itself (a cache hit or a miss each time): the header is not HAProxy's word alone.
    for (const instance of state.instances) {
      const metrics = await (await fetch(`http://127.0.0.1:${instance.port}/metrics`)).text();
      const answered = ['deskgraph_cache_hits_total', 'deskgraph_cache_misses_total'].map((name) =>
        metricSum(metrics, name, 'operation="TopologyTickets"'),
      );
      expect(answered[0]! + answered[1]!, instance.name).toBe(3);
    }
    // The web client and GraphiQL are served through it too.
    const page = await fetch(`${proxy}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    // The replica streams from the primary: in recovery, with the seeded rows.
    const [standby] = await sql<{ recovery: boolean }>(replicaUrl, 'SELECT pg_is_in_recovery() AS recovery');
    expect(standby!.recovery).toBe(true);
    const count = 'SELECT count(*)::int AS n FROM "Ticket"';
    expect((await sql<{ n: number }>(replicaUrl, count))[0]!.n).toBe((await sql<{ n: number }>(primaryUrl, count))[0]!.n);

    const status = succeeded(await topology('status', '--dir', dir), 'status');
    expect(status).toMatch(/PostgreSQL replica .*streaming, replay lag \d+ bytes/);
    expect(status).toContain('3 of 3 instances in rotation');
    expect(status).not.toContain('DOWN');

    // An instance that stops leaves the rotation, and no request fails meanwhile. It stays in service while
    // its /ready answers 503 (SHUTDOWN_DELAY_MS), then stops accepting: four clients send requests from the
    // signal until it no longer accepts connections, and a moment past that. Paced: the token's rate limit.
    const stopped = state.instances[2]!;
    process.kill(stopped.process!.pid, 'SIGTERM');
    let sending = true;
    const failures: string[] = [];
    const servedWhileStopping = new Set<string>();
    const client = async () => {
      while (sending) {
        try {
          const result = await sendGraphQL(proxy, 'query TopologyTickets { tickets(first: 1) { totalCount } }', {}, token);
          expect(result.data.tickets.totalCount).toBeGreaterThan(0);
          servedWhileStopping.add(result.servedBy!);
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitFor(
      async () => !(await answers(stopped.port)),
      30_000,
      () => `${stopped.name} still accepts connections`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    sending = false;
    await Promise.all(clients);
    // HAProxy's log lines of 5xx answers say which instance each failure came from, and how it ended.
    const proxied5xx = readFileSync(state.haproxy!.log, 'utf8')
      .split('\n')
      .filter((line) => / 5\d\d /.test(line));
    expect(failures, proxied5xx.slice(-10).join('\n')).toEqual([]);
    expect(servedWhileStopping).toEqual(new Set(['deskgraph-1', 'deskgraph-2', 'deskgraph-3']));
    await waitFor(
      async () => (await backendStates(state)).find((server) => server.name === stopped.name)?.status === 'DOWN',
      10_000,
      () => `HAProxy still routes to ${stopped.name}`,
    );
    const afterStop = new Set<string>();
    for (let i = 0; i < 6; i++) afterStop.add((await sendGraphQL(proxy, '{ viewer { id } }', {}, token)).servedBy!);
    expect(afterStop).toEqual(new Set(['deskgraph-1', 'deskgraph-2']));
    const degraded = await topology('status', '--dir', dir);
    expect(degraded.code).toBe(1);
    expect(degraded.output).toContain('2 of 3 instances in rotation');

    const again = await topology('up', '--redis', 'single', '--base-port', '31500', '--dir', dir);
    expect(again.code).toBe(1);
    expect(again.output).toContain('is already up');

    succeeded(await topology('down', '--dir', dir), 'down');
    expect(existsSync(dir)).toBe(false);
    for (const port of [state.haproxy!.port, ...state.instances.map((instance) => instance.port)])
      expect(await answers(port), `port ${port}`).toBe(false);
    await expect(sql(primaryUrl, 'SELECT 1')).rejects.toThrow();
    const after = await topology('status', '--dir', dir);
    expect(after.code).toBe(1);
    expect(after.output).toContain('No topology recorded');
  }, 150_000);

  it('up names the package of a missing binary before starting anything', async () => {
    const dir = topologyDir();
    const run = await topology('up', '--redis', 'single', '--base-port', '31500', '--dir', dir, { PATH: '/nonexistent' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('apt-get install redis-server');
    expect(readState(dir)).toBeNull();
  });

  it('up --redis cluster starts six Redis nodes as one cluster: three masters, each with a replica', async () => {
    const dir = topologyDir();
    // Instances only when this deskgraph reads REDIS_CLUSTER_NODES; the cluster itself starts either way.
    const instances = serverSupportsCluster() ? '1' : '0';
    succeeded(
      await topology(
        'up',
        '--redis',
        'cluster',
        '--instances',
        instances,
        '--base-port',
        '31550',
        '--seed-scale',
        '0.02',
        '--web',
        'off',
        '--dir',
        dir,
      ),
      'up',
    );
    const state = readState(dir) as TopologyState;
    expect(state.redis.nodes.map((node) => node.port)).toEqual([31570, 31571, 31572, 31573, 31574, 31575]);
    const status = succeeded(await topology('status', '--dir', dir), 'status');
    expect(status.match(/master, cluster ok/g)).toHaveLength(3);
    expect(status.match(/replica, cluster ok/g)).toHaveLength(3);
    if (state.haproxy) {
      // Once the server reads REDIS_CLUSTER_NODES: its cache is on the cluster, and a query through HAProxy works.
      expect(status).toMatch(/deskgraph-1 .*cache ok/);
      const login = await sendGraphQL(`http://127.0.0.1:${state.haproxy.port}`, LOGIN, {
        email: 'agent@acme.test',
        password: DEMO_PASSWORD,
      });
      const result = await sendGraphQL(
        `http://127.0.0.1:${state.haproxy.port}`,
        '{ tickets(first: 1) { totalCount } }',
        {},
        login.data.login.token,
      );
      expect(result.data.tickets.totalCount).toBeGreaterThan(0);
    }
    succeeded(await topology('down', '--dir', dir), 'down');
    expect(existsSync(dir)).toBe(false);
  }, 120_000);
});

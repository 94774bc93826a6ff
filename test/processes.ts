// Real processes for the multi-instance tests (*.pg.test.ts): deskgraph servers started as children
// (`node --import tsx server/main.ts`, exactly as deployed), a throwaway redis-server that a test may
// kill, restart, pause or freeze, and a small HTTP client for both. Every child is killed by
// stopAll() (call it in afterAll) and, as a last resort, when the test worker exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { TEST_SERVER_ENV } from './server-env.ts';
import type { RedisTarget } from '../server/platform/redis-connection.ts';
import { deleteTargetPrefix, targetEnv } from './redis-targets.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {}
  }
});

/** A port nobody listens on right now: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until check() returns a truthy value, or throws with describe()'s text after timeoutMs. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  describe: () => string,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`${describe()}${last ? `\nlast error: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** Keeps the tail of a child's output, for error messages. */
class OutputTail {
  private text = '';
  constructor(private readonly max = 20_000) {}
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.max) this.text = this.text.slice(-this.max);
  }
  toString(): string {
    return this.text;
  }
}

async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    child.kill('SIGCONT'); // in case a test froze it
    child.kill('SIGTERM');
  } catch {}
  const timer = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

// ---- GraphQL over HTTP ------------------------------------------------------------------------------

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, any>;
}

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  body: { data?: T | null; errors?: GraphQLError[]; extensions?: Record<string, any> };
}

export interface Client {
  readonly name: string;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResult<T>>;
  login(email: string): Promise<string>;
  /** GET /ready: its status and JSON body. */
  ready(): Promise<{ status: number; body: { status: string; database: string; cache: string } }>;
  /** GET /metrics as Prometheus text. */
  metricsText(): Promise<string>;
  /** Sum of every series of a metric (optionally only those whose labels include `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

function httpClient(name: string, base: string): Client {
  const gql: Client['gql'] = async (query, variables, token) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let body: GraphQLResult['body'];
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${name}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
    }
    return { status: response.status, body } as GraphQLResult<any>;
  };
  const client: Client = {
    name,
    base,
    gql,
    async login(email) {
      const result = await gql<{ login: { token: string } }>(
        'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
        { email, password: DEMO_PASSWORD },
      );
      const token = result.body.data?.login.token;
      if (!token) throw new Error(`${name}: login ${email} failed: HTTP ${result.status} ${JSON.stringify(result.body.errors)}`);
      return token;
    },
    async ready() {
      const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, body: (await response.json()) as any };
    },
    async metricsText() {
      const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
      return response.text();
    },
    async metric(metricName, labels = {}) {
      return sumMetric(await client.metricsText(), metricName, labels);
    },
  };
  return client;
}

/** Sums the samples of one metric in Prometheus text format whose labels include `labels`. */
function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

// ---- deskgraph servers --------------------------------------------------------------------------------

export interface ServerProcessOptions {
  name: string;
  databaseUrl: string;
  /** A single Redis's URL, or `redis`: a target as test/redis-targets.ts names them (a Redis Cluster). */
  redisUrl?: string;
  redis?: RedisTarget;
  keyPrefix: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** How long to wait for /ready to say cache "ok". */
  readyTimeoutMs?: number;
}

export interface ServerProcess extends Client {
  readonly port: number;
  readonly pid: number;
  /** stdout and stderr so far (tail), for error messages. */
  output(): string;
  stop(): Promise<void>;
  /** Sends a signal to the process (SIGTERM to test shutdown). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited, with its exit code (null when a signal ended it). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServer(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ...TEST_SERVER_ENV,
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    ...(options.redis ? targetEnv(options.redis) : options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    CACHE_KEY_PREFIX: options.keyPrefix,
    LOG_LEVEL: 'warn',
    CACHE_REDIS_TIMEOUT_MS: '200',
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const output = new OutputTail();
  child.stdout!.on('data', (chunk) => output.push(chunk));
  child.stderr!.on('data', (chunk) => output.push(chunk));
  let exit: string | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `exited with ${signal ?? code}`;
      children.delete(child);
      resolve({ code, signal });
    }),
  );

  const client = httpClient(options.name, `http://127.0.0.1:${port}`);
  const server: ServerProcess = {
    ...client,
    port,
    pid: child.pid!,
    output: () => output.toString(),
    stop: () => stopChild(child),
    signal: (signal) => void child.kill(signal),
    exited: () => exited,
  };
  try {
    await waitFor(
      async () => {
        if (exit) throw new Error(exit);
        const ready = await client.ready();
        return ready.status === 200 && ready.body.cache === 'ok';
      },
      options.readyTimeoutMs ?? 30_000,
      () => `server ${options.name} (port ${port}) did not become ready with cache "ok"${exit ? ` (${exit})` : ''}; its output:\n${output}`,
      100,
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return server;
}

// ---- a throwaway redis-server ---------------------------------------------------------------------------

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** The current process id (changes on restart); null while stopped. */
  pid(): number | null;
  /** Starts redis-server on the port (again, empty: no persistence) and waits for PING. */
  start(): Promise<void>;
  /** Stops it: SIGTERM (default) or SIGKILL; resolves once the process is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Freezes / thaws the process: connections stay open, nothing is answered meanwhile. */
  freeze(): void;
  thaw(): void;
  /** Runs redis-cli against it; returns stdout (throws on a non-zero exit). */
  cli(...args: string[]): string;
  output(): string;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

/** @param extraArgs more redis-server options (a cluster node's, test/redis-cluster-process.ts). */
export async function startRedis(extraArgs: readonly string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'deskgraph-redis-'));
  const output = new OutputTail();
  let child: ChildProcess | null = null;

  const cli = (...args: string[]): string => {
    const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr || result.stdout || result.error}`);
    return result.stdout.trim();
  };

  const redis: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid! : null),
    async start() {
      if (redis.pid()) throw new Error('redis-server is already running');
      const started = spawn(
        'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--daemonize',
          'no',
          ...extraArgs,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      children.add(started);
      started.stdout!.on('data', (chunk) => output.push(chunk));
      started.stderr!.on('data', (chunk) => output.push(chunk));
      started.once('exit', () => children.delete(started));
      await waitFor(
        async () => {
          if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
          return cli('PING') === 'PONG';
        },
        10_000,
        () => `redis-server on port ${port} did not answer PING; its output:\n${output}`,
        50,
      );
    },
    async stop(signal = 'SIGTERM') {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.kill('SIGCONT');
      current.kill(signal);
      const timer = setTimeout(() => current.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      children.delete(current);
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    cli,
    output: () => output.toString(),
    async dispose() {
      await redis.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

/** Stops every child this module started (servers and redis-servers) that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** A key prefix of our own, so parallel test files on one Redis never meet. */
export function uniquePrefix(label: string): string {
  return `it-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

// ---- a TCP proxy, to cut one instance off from Redis while the others keep it ---------------------------

type ProxyMode = 'pass' | 'hold' | 'cut';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /**
   * pass: forward both ways. hold: accept and keep bytes without forwarding (a network that stalls;
   * they are forwarded on the next pass). cut: reset every connection, dropping held bytes, and reset
   * new ones (a partition: what was in flight is lost).
   */
  setMode(mode: ProxyMode): void;
  connections(): number;
  /** Connections with bytes held (not forwarded) towards the target, while in hold. */
  heldConnections(): number;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  type Pair = { client: Socket; upstream: Socket; toUpstream: Buffer[]; toClient: Buffer[] };
  let mode: ProxyMode = 'pass';
  const pairs = new Set<Pair>();
  const end = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };
  const server = createServer((client) => {
    if (mode === 'cut') return void client.resetAndDestroy();
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [] };
    pairs.add(pair);
    client.on('data', (chunk) => (mode === 'pass' ? upstream.write(chunk) : pair.toUpstream.push(chunk)));
    upstream.on('data', (chunk) => (mode === 'pass' ? client.write(chunk) : pair.toClient.push(chunk)));
    for (const socket of [client, upstream]) {
      socket.on('error', () => end(pair));
      socket.on('close', () => end(pair));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'cut') {
          pairs.delete(pair);
          pair.client.resetAndDestroy();
          pair.upstream.destroy();
        } else if (next === 'pass') {
          for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
          for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
        }
      }
    },
    connections: () => pairs.size,
    heldConnections: () => [...pairs].filter((pair) => pair.toUpstream.length > 0).length,
    async close() {
      for (const pair of [...pairs]) end(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Deletes every key under a prefix (entries, tag sets, counters), so a shared Redis keeps nothing of a test. */
export async function deletePrefix(redis: string | RedisTarget, prefix: string): Promise<void> {
  await deleteTargetPrefix(typeof redis === 'string' ? { kind: 'single', url: redis } : redis, prefix);
}

// ---- assertions shared by the multi-process tests ----------------------------------------------

export const hit = (result: GraphQLResult<any>) => result.body.extensions?.responseCache?.hit as boolean | undefined;

/** A value no earlier write can have produced. */
export const fresh = (label: string) => `${label} ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** The data of a successful response, or an error that shows the whole response. */
export function ok<T>(result: GraphQLResult<T>, what: string): T {
  if (result.status !== 200 || result.body.errors?.length || !result.body.data) {
    throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
  }
  return result.body.data;
}

/** Repeats a query until it is answered from the cache (the first run fills it, asynchronously). */
export async function warm<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  token: string,
  timeoutMs = 5000,
): Promise<GraphQLResult<T>> {
  let last: GraphQLResult<T> | null = null;
  return waitFor(
    async () => {
      last = await client.gql<T>(query, variables, token);
      ok(last, `${client.name} warm`);
      return hit(last) === true ? last : null;
    },
    timeoutMs,
    () => `${client.name}: no cache hit within ${timeoutMs} ms: ${JSON.stringify((last as GraphQLResult<T> | null)?.body).slice(0, 400)}`,
    25,
  );
}

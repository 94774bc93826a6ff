// Instances the checker starts itself: a fresh PostgreSQL database of its own (migrated and seeded),
// and N deskgraph servers as child processes (`node --import tsx server/main.ts`, as deployed), each
// reaching Redis through a TCP proxy of its own so one instance's link can be cut. An instance can be
// killed (SIGKILL) and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { applyMigrations } from '../../prisma/migrations.ts';
import { seedDatabase } from '../../prisma/seed/seed-database.ts';
import { openDatabase } from '../../server/platform/database.ts';
import { adminQuery, withDatabase } from '../postgres-admin.ts';
import { sleep } from './sessions.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** Every server still running, killed if the checker exits without cleaning up (an error, Ctrl-C). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Small enough to seed in seconds; the checker works on tickets of its own anyway. */
const SEED_SCALE = 0.05;

export interface SpawnedInstance {
  readonly name: string;
  readonly base: string;
  readonly redisLink: TcpProxy;
  running(): boolean;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** Starts it (again) on its port and waits until /ready says the database and the cache are ok. */
  start(): Promise<void>;
  output(): string;
}

/** Creates a database of our own on the server of `serverUrl`, migrated and seeded; drop() removes it. */
export async function createDatabase(serverUrl: string, log: (line: string) => void): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `deskgraph_consistency_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl, name);
  const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  try {
    const database = await openDatabase({ kind: 'postgres', url, poolSize: 4, connectTimeoutMs: 5000 });
    try {
      await applyMigrations(database.adapterFactory);
      await seedDatabase(database.prisma, { scale: SEED_SCALE, seed: 1 });
    } finally {
      await database.close();
    }
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  log(`database ${name} created, migrated and seeded (scale ${SEED_SCALE})`);
  return { url, drop };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  count: number;
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
  /** Each instance's output is appended to <logDir>/<name>.log (kept across restarts), for a post-mortem. */
  logDir?: string;
}

export async function spawnInstances(options: SpawnOptions): Promise<SpawnedInstance[]> {
  const redis = new URL(options.redisUrl);
  const instances: SpawnedInstance[] = [];
  for (let i = 1; i <= options.count; i++) {
    const link = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    const proxied = new URL(options.redisUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = new URL(link.url).port;
    instances.push(serverProcess(`i${i}`, await freePort(), link, { ...options, redisUrl: proxied.toString() }));
  }
  // One at a time: two cores, and each start loads the whole server.
  for (const instance of instances) await instance.start();
  return instances;
}

function serverProcess(name: string, port: number, redisLink: TcpProxy, options: SpawnOptions): SpawnedInstance {
  let child: ChildProcess | null = null;
  let output = '';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    CACHE_KEY_PREFIX: options.keyPrefix,
    AUTO_MIGRATE: 'false',
    SEED_IF_EMPTY: 'false',
    WEB_CLIENT: 'off',
    LOG_LEVEL: 'warn',
    // The checker's sessions send far more than a person would.
    RATE_LIMIT_TOKEN_PER_MINUTE: '0',
    ...options.env,
  };
  const base = `http://127.0.0.1:${port}`;
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  return {
    name,
    base,
    redisLink,
    running,
    async kill() {
      const current = child;
      if (!current || !running()) return;
      if (options.logDir) appendFileSync(path.join(options.logDir, `${name}.log`), `--- ${new Date().toISOString()} ${name} SIGKILL\n`);
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.kill('SIGKILL');
      await exited;
    },
    async start() {
      if (running()) return;
      const started = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      live.add(started);
      started.once('exit', () => live.delete(started));
      const logFile = options.logDir ? path.join(options.logDir, `${name}.log`) : null;
      if (logFile) appendFileSync(logFile, `--- ${new Date().toISOString()} ${name} started on ${base}\n`);
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (logFile) appendFileSync(logFile, chunk);
      };
      started.stdout!.on('data', keep);
      started.stderr!.on('data', keep);
      const until = Date.now() + 60_000;
      for (;;) {
        if (started.exitCode !== null) throw new Error(`instance ${name} exited with ${started.exitCode}:\n${output}`);
        try {
          const ready = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) });
          const body = (await ready.json()) as { cache?: string };
          if (ready.status === 200 && body.cache === 'ok') return;
        } catch {}
        if (Date.now() > until) throw new Error(`instance ${name} (${base}) not ready within 60 s:\n${output}`);
        await sleep(100);
      }
    },
    output: () => output,
  };
}

/** Deletes every key under the run's prefix, so a shared Redis keeps nothing of it. */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

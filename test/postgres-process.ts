// A throwaway PostgreSQL cluster for the fault tests: initdb into a temp directory, the postmaster as a
// child of this process on a free loopback port (so a test may stop, restart or freeze it without
// touching the shared test server), and a copy of the test template's data in it.
// When this process runs as root, the cluster runs as the postgres user (PostgreSQL refuses root).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from './processes.ts';

export interface PostgresProcess {
  readonly port: number;
  /** The server URL (database "postgres"). */
  readonly url: string;
  /** The URL of a database on it. */
  databaseUrl(name: string, port?: number): string;
  pid(): number | null;
  /** Starts the postmaster and waits until it accepts connections. */
  start(): Promise<void>;
  /** fast: SIGINT (rolls back open transactions, disconnects clients); immediate: SIGQUIT. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Runs SQL on a database of this cluster with a fresh connection. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(database: string, sql: string, values?: unknown[]): Promise<T[]>;
  /** Copies a database from another server into a new database here (pg_dump | psql). */
  copyFrom(sourceUrl: string, name: string): void;
  output(): string;
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (!latest) throw new Error(`no PostgreSQL under ${root}: apt-get install postgresql`);
  return path.join(root, latest, 'bin');
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root but there is no postgres user');
  return { uid, gid };
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGQUIT');
    } catch {}
  }
});

export async function startPostgres(): Promise<PostgresProcess> {
  const bin = binDir();
  const user = postgresUser();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'deskgraph-pg-'));
  const data = path.join(dir, 'data');
  chmodSync(dir, 0o755);
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  let text = '';
  const push = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  const init = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    {
      ...asUser,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error}`);

  let child: ChildProcess | null = null;
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const databaseUrl = (name: string, viaPort = port) => `postgresql://postgres@127.0.0.1:${viaPort}/${name}`;

  const query: PostgresProcess['query'] = async (database, sql, values) => {
    const client = new pg.Client({ connectionString: databaseUrl(database), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  const cluster: PostgresProcess = {
    port,
    url,
    databaseUrl,
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid! : null),
    async start() {
      if (cluster.pid()) throw new Error('postgres is already running');
      const started = spawn(
        path.join(bin, 'postgres'),
        ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=50'],
        { ...asUser, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      running.add(started);
      started.stdout!.on('data', push);
      started.stderr!.on('data', push);
      started.once('exit', () => running.delete(started));
      await waitFor(
        async () => {
          if (started.exitCode !== null) throw new Error(`postgres exited with ${started.exitCode}`);
          await query('postgres', 'SELECT 1');
          return true;
        },
        20_000,
        () => `postgres on port ${port} did not accept connections; its output:\n${text}`,
        100,
      );
    },
    async stop(mode = 'fast') {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.kill('SIGCONT');
      current.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      running.delete(current);
    },
    query,
    copyFrom(sourceUrl, name) {
      spawnSync('psql', ['-q', '-d', url, '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
      // --no-owner: the template belongs to whoever built it; here everything belongs to postgres.
      const dump = spawnSync('pg_dump', ['--no-owner', '--no-privileges', '-d', sourceUrl], {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      });
      if (dump.status !== 0) throw new Error(`pg_dump failed: ${dump.stderr}`);
      const load = spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl(name)], {
        input: dump.stdout,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (load.status !== 0) throw new Error(`psql load failed: ${load.stderr}`);
    },
    output: () => text,
    async dispose() {
      await cluster.stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

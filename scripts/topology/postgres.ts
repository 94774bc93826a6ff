// The PostgreSQL primary and its streaming replica: initdb for the primary, `pg_basebackup -R` (with a
// replication slot, so the primary keeps the WAL a paused replica still needs) for the replica, each
// postmaster started detached on its loopback port. Under root both run as the postgres user.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { postgresUser } from './binaries.ts';
import { isRunning, run, spawnDetached, stopProcess, tail, TopologyError, waitUntil, type RunAs } from './processes.ts';
import type { PostgresNode, TopologyState } from './state.ts';

const SLOT = 'topology_replica';

export const postgresUrl = (node: PostgresNode, database: string) => `postgresql://postgres@127.0.0.1:${node.port}/${database}`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The postgres user must reach its directories: owned by it, and every parent searchable. */
function prepareDirectory(dir: string, as: RunAs | null): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(path.dirname(dir), 0o755);
  if (!as) return;
  chownSync(dir, as.uid, as.gid);
  if (spawnSync('test', ['-w', dir], { ...as }).status !== 0) {
    throw new TopologyError(
      `PostgreSQL runs as the postgres user, who cannot reach ${dir}: a parent directory is not searchable by others. ` +
        'Give a --dir it can reach (e.g. under /tmp), or chmod o+x the parent directories.',
    );
  }
}

/** Settings for both servers (the replica copies the primary's file, then overrides its port). */
function serverSettings(port: number): string {
  return [
    '',
    '# deskgraph topology (scripts/topology/postgres.ts)',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    // TCP only: a socket path under a deep project directory can exceed the 107-byte limit.
    "unix_socket_directories = ''",
    'max_connections = 200',
    // Throwaway local data: an OS crash may lose it, and initdb, the seed and the tests run faster.
    'fsync = off',
    '',
  ].join('\n');
}

async function startNode(node: PostgresNode, bin: string, as: RunAs | null): Promise<void> {
  if (isRunning(node.process)) return;
  const pid = spawnDetached(path.join(bin, 'postgres'), ['-D', node.dataDir], { logFile: node.log, as, cwd: path.dirname(node.dataDir) });
  node.process = { pid, command: `-D ${node.dataDir}` };
  await waitUntil(
    async () => {
      if (!isRunning(node.process)) throw new TopologyError('it exited');
      await query(`postgresql://postgres@127.0.0.1:${node.port}/postgres`, 'SELECT 1');
      return true;
    },
    30_000,
    () => `PostgreSQL ${node.role} on port ${node.port} did not accept connections; the end of ${node.log}:\n${tail(node.log)}`,
  );
}

/** initdb (unless the data directory exists: a kept topology), start, and create the database. */
export async function startPrimary(state: TopologyState, bin: string): Promise<void> {
  const as = postgresUser();
  const { primary, database } = state.postgres;
  prepareDirectory(path.dirname(primary.dataDir), as);
  if (!existsSync(path.join(primary.dataDir, 'PG_VERSION'))) {
    run(path.join(bin, 'initdb'), ['-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      as,
      cwd: path.dirname(primary.dataDir),
    });
    // initdb's pg_hba.conf with --auth=trust already lets 127.0.0.1 connect for replication.
    appendFileSync(path.join(primary.dataDir, 'postgresql.conf'), serverSettings(primary.port));
  }
  await startNode(primary, bin, as);
  const exists = await query(postgresUrl(primary, 'postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (!exists.length) await query(postgresUrl(primary, 'postgres'), `CREATE DATABASE ${database}`);
}

/**
 * pg_basebackup -R from the running primary (unless kept), then start it as a hot standby. --checkpoint=fast:
 * the default spreads the backup's checkpoint over minutes.
 */
export async function startReplica(state: TopologyState, bin: string): Promise<void> {
  const as = postgresUser();
  const { primary, replica } = state.postgres;
  if (!existsSync(path.join(replica.dataDir, 'PG_VERSION'))) {
    const slots = await query(postgresUrl(primary, 'postgres'), 'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [SLOT]);
    const args = [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      replica.dataDir,
      '-R',
      '-X',
      'stream',
      '-S',
      SLOT,
      '--checkpoint=fast',
    ];
    run(path.join(bin, 'pg_basebackup'), slots.length ? args : [...args, '-C'], { as, cwd: path.dirname(replica.dataDir) });
    const delay = state.options.replicaDelayMs;
    appendFileSync(
      path.join(replica.dataDir, 'postgresql.conf'),
      `${serverSettings(replica.port)}${delay > 0 ? `recovery_min_apply_delay = '${delay}ms'\n` : ''}`,
    );
  }
  await startNode(replica, bin, as);
  const [row] = await query<{ standby: boolean }>(postgresUrl(replica, 'postgres'), 'SELECT pg_is_in_recovery() AS standby');
  if (!row?.standby) throw new TopologyError(`the replica on port ${replica.port} is not in recovery: it is not a standby of the primary`);
}

/** Waits until the replica has replayed everything the primary has written so far (the seed, before instances start). */
export async function waitForReplica(state: TopologyState, timeoutMs: number): Promise<void> {
  const { primary, replica } = state.postgres;
  const [{ lsn }] = (await query<{ lsn: string }>(postgresUrl(primary, 'postgres'), 'SELECT pg_current_wal_lsn()::text AS lsn')) as [
    { lsn: string },
  ];
  await waitUntil(
    async () => {
      const [row] = await query<{ caught: boolean }>(
        postgresUrl(replica, 'postgres'),
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught',
        [lsn],
      );
      return row?.caught === true;
    },
    timeoutMs,
    () => `the replica did not replay up to ${lsn} within ${timeoutMs / 1000} s; see ${replica.log}`,
  );
}

export async function stopPostgres(node: PostgresNode): Promise<boolean> {
  // SIGINT is PostgreSQL's fast shutdown: open transactions roll back, clients are disconnected.
  return stopProcess(node.process, 'SIGINT', 20_000);
}

export interface ReplicaStatus {
  up: boolean;
  /** Bytes of WAL the primary has that the replica has not replayed; null when either is down. */
  lagBytes: number | null;
  /** How long ago the replica replayed the primary's last write, per pg_stat_replication; null when it has caught up. */
  lagMs: number | null;
  streaming: boolean;
}

export async function postgresUp(node: PostgresNode): Promise<boolean> {
  if (!isRunning(node.process)) return false;
  return query(postgresUrl(node, 'postgres'), 'SELECT 1').then(
    () => true,
    () => false,
  );
}

export async function replicaStatus(state: TopologyState): Promise<ReplicaStatus> {
  const { primary, replica } = state.postgres;
  const up = await postgresUp(replica);
  if (!up || !(await postgresUp(primary))) return { up, lagBytes: null, lagMs: null, streaming: false };
  const [replay] = await query<{ lsn: string | null }>(postgresUrl(replica, 'postgres'), 'SELECT pg_last_wal_replay_lsn()::text AS lsn');
  const [row] = await query<{ bytes: string | null; ms: number | null; streaming: boolean }>(
    postgresUrl(primary, 'postgres'),
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes,
            (SELECT extract(epoch FROM replay_lag) * 1000 FROM pg_stat_replication LIMIT 1)::float8 AS ms,
            EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming') AS streaming`,
    [replay?.lsn ?? '0/0'],
  );
  return { up, lagBytes: row?.bytes == null ? null : Number(row.bytes), lagMs: row?.ms ?? null, streaming: row?.streaming ?? false };
}

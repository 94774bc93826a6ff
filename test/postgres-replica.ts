// The streaming replica of the test PostgreSQL (scripts/test-services.sh starts it on PG_PORT+1 and
// prints TEST_DATABASE_REPLICA_URL), driven by the read-replica tests: its apply delay (lag on demand,
// a sighup setting), and stopping and restarting its server with the options it was started with.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { withDatabase } from '../scripts/postgres-admin.ts';
import { waitFor } from './processes.ts';

export interface ReplicaServer {
  /** The replica's URL for a database of the primary (the replica has them all). */
  urlOf(database: string): string;
  /** recovery_min_apply_delay, e.g. '2s' or '0'; resolves once the replica runs with it. */
  setApplyDelay(delay: string): Promise<void>;
  /** Resolves once the replica has replayed everything the primary had written when called. */
  caughtUp(primaryUrl: string): Promise<void>;
  /** Resolves once the replica accepts connections to `database` (created on the primary a moment ago). */
  hasDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export async function replicaServer(url: string): Promise<ReplicaServer> {
  // Connected on first use, and again after a restart.
  let admin: pg.Client | null = null;
  const query = async <T extends pg.QueryResultRow>(sql: string) => {
    if (!admin) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {}); // a stop ends it; the next query reconnects
      await client.connect();
      admin = client;
    }
    return (await admin.query<T>(sql)).rows;
  };
  const disconnect = async () => {
    const client = admin;
    admin = null;
    await client?.end().catch(() => {});
  };
  const dataDir = (await query<{ data_directory: string }>('SHOW data_directory'))[0]!.data_directory;
  const ctl = (...args: string[]) => pgCtl(dataDir, args);
  return {
    urlOf: (database) => withDatabase(url, database),
    async setApplyDelay(delay) {
      await query(`ALTER SYSTEM SET recovery_min_apply_delay = '${delay}'`);
      await query('SELECT pg_reload_conf()');
      const expected = delay === '0' ? '0' : delay;
      await waitFor(
        async () =>
          (await query<{ recovery_min_apply_delay: string }>('SHOW recovery_min_apply_delay'))[0]!.recovery_min_apply_delay === expected,
        10_000,
        () => `the replica did not take recovery_min_apply_delay = ${delay}`,
      );
    },
    async caughtUp(primaryUrl) {
      const primary = new pg.Client({ connectionString: primaryUrl });
      await primary.connect();
      const [{ lsn }] = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows as [{ lsn: string }];
      await primary.end();
      await waitFor(
        async () => (await query<{ done: boolean }>(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`))[0]!.done,
        30_000,
        () => `the replica did not replay up to ${lsn}`,
      );
    },
    async hasDatabase(database) {
      await waitFor(
        async () => {
          const client = new pg.Client({ connectionString: withDatabase(url, database) });
          await client.connect();
          await client.end();
          return true;
        },
        30_000,
        () => `the replica has no database ${database}`,
      );
    },
    async stop() {
      await disconnect();
      ctl('-m', 'fast', '-w', 'stop');
    },
    start() {
      // restart reuses postmaster.opts: the port and options test-services.sh started it with.
      ctl('-w', '-l', path.join(tmpdir(), `deskgraph-replica-restart-${process.pid}.log`), 'restart');
    },
    close: disconnect,
  };
}

function pgCtl(dataDir: string, args: string[]): void {
  const bin = pgBin();
  // PostgreSQL refuses to run as root: CI runs the tests as root, and the server as the postgres user.
  const command =
    process.getuid?.() === 0
      ? spawnSync('su', ['postgres', '-s', '/bin/bash', '-c', [path.join(bin, 'pg_ctl'), '-D', dataDir, ...args].map(quote).join(' ')], {
          encoding: 'utf8',
          timeout: 60_000,
        })
      : spawnSync(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (command.status !== 0) throw new Error(`pg_ctl ${args.join(' ')}: ${command.stderr || command.stdout || command.error}`);
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  return path.join(root, versions[0], 'bin');
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

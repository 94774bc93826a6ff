import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, defaultMigrationsDir, defaultSchemaPath, diffSchemaAgainstMigrations, MigrationError } from './migrations.ts';

// PGlite takes seconds to start and the engine as long to load: room enough whatever the default.
const slow = { timeout: 60_000 };

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

let tmp: string;
/** The project's migrations plus one that fails half-way: it creates a table, then divides by zero. */
let withFailingMigration: string;
const failing = '29991231235959_fails_halfway';

// One PGlite for the file (each start costs seconds), emptied before each use.
let pglite: PGlite;
const pgliteQuery: Query = async (sql) => (await pglite.query<Record<string, unknown>>(sql)).rows;
async function emptyPglite(): Promise<PGlite> {
  await pglite.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  return pglite;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'deskgraph-migrations-'));
  withFailingMigration = path.join(tmp, 'migrations');
  await cp(defaultMigrationsDir, withFailingMigration, { recursive: true });
  await mkdir(path.join(withFailingMigration, failing));
  await writeFile(path.join(withFailingMigration, failing, 'migration.sql'), 'CREATE TABLE "HalfDone" ("id" INTEGER);\nSELECT 1 / 0;\n');
  pglite = new PGlite();
  await pglite.waitReady;
}, slow.timeout);

afterAll(async () => {
  await pglite?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function modelTables(): Promise<string[]> {
  const schema = await readFile(defaultSchemaPath, 'utf8');
  return [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);
}

/** What a fresh database must hold after the project's migrations, whatever it runs on. */
async function expectFullyMigrated(query: Query): Promise<void> {
  const tables = await query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  expect(tables.map((t) => t.table_name).sort()).toEqual([...(await modelTables()), '_prisma_migrations'].sort());

  // Recorded as `prisma migrate deploy` records them: finished, one step, checksum = SHA-256 of the file.
  const rows = await query(
    `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at, applied_steps_count
       FROM _prisma_migrations ORDER BY migration_name`,
  );
  expect(rows).toEqual(
    await Promise.all(
      (await projectMigrations()).map(async (name) => ({
        migration_name: name,
        checksum: createHash('sha256')
          .update(await readFile(path.join(defaultMigrationsDir, name, 'migration.sql')))
          .digest('hex'),
        finished: true,
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    ),
  );
}

async function projectMigrations(): Promise<string[]> {
  const entries = await readdir(defaultMigrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** A migration that fails is reported by name with the database's words, and none of it is kept. */
async function expectFailingMigrationReported(adapterFactory: SqlMigrationAwareDriverAdapterFactory, query: Query): Promise<void> {
  const error = await applyMigrations(adapterFactory, { migrationsDir: withFailingMigration }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MigrationError);
  expect((error as MigrationError).migration).toBe(failing);
  expect((error as Error).message).toBe(`Migration ${failing} failed: division by zero (SQLSTATE 22012)`);

  expect(await query(`SELECT to_regclass('"HalfDone"') IS NULL AS gone`)).toEqual([{ gone: true }]);
  expect(
    await query(
      `SELECT finished_at IS NULL AS unfinished, logs LIKE '%division by zero%' AS logged
         FROM _prisma_migrations WHERE migration_name = '${failing}'`,
    ),
  ).toEqual([{ unfinished: true, logged: true }]);

  // The next run refuses to go on until someone resolves it, as migrate deploy does (P3009).
  const next = await applyMigrations(adapterFactory, { migrationsDir: withFailingMigration }).catch((e: unknown) => e);
  expect(next).toMatchObject({ name: 'MigrationError', code: 'P3009', migration: failing });
}

describe('the migrations in prisma/migrations', () => {
  it('schema.prisma and the migrations agree', slow, async () => {
    const sql = await diffSchemaAgainstMigrations({ scratch: await emptyPglite() });
    expect(sql, 'schema.prisma changed without a migration: npm run db:migrate:create -- --name <what_changed>').toBe('');
  });

  it('a schema.prisma change without a migration shows up as the SQL that is missing', slow, async () => {
    const schemaPath = path.join(tmp, 'schema.prisma');
    const schema = await readFile(defaultSchemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(/^model Ticket \{\n/m, (line) => `${line}  dueAt DateTime?\n`),
    );

    const sql = await diffSchemaAgainstMigrations({ schemaPath, scratch: await emptyPglite() });

    expect(sql).toMatch(/ALTER TABLE "Ticket" ADD COLUMN\s+"dueAt" TIMESTAMP\(3\);/);
  });
});

describe('applyMigrations on PGlite', () => {
  it('creates every table on a fresh database, and a second run applies nothing', slow, async () => {
    const adapterFactory = new PrismaPGlite(await emptyPglite());

    const first = await applyMigrations(adapterFactory);
    const second = await applyMigrations(adapterFactory);

    expect(first.applied).toEqual(await projectMigrations());
    expect(second.applied).toEqual([]);
    await expectFullyMigrated(pgliteQuery);
  });

  // pglite-prisma-adapter does not await scripts: run through it as is, this migration would be
  // recorded as applied and its error would escape as an unhandled rejection.
  it('a failing migration is reported and not recorded as applied', slow, async () => {
    await expectFailingMigrationReported(new PrismaPGlite(pglite), pgliteQuery);
  });
});

// Runs only where a PostgreSQL server is given (CI, or locally: see STACK-NOTES.md); elsewhere this
// block is not part of the run at all, rather than reported as skipped.
const testDatabaseUrl = process.env.TEST_DATABASE_URL;
if (testDatabaseUrl) {
  describe('applyMigrations on PostgreSQL', () => {
    const database = `deskgraph_migrations_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Pool({ connectionString: testDatabaseUrl, max: 1 });
    let pool: pg.Pool;
    const pgQuery: Query = async (sql) => (await pool.query(sql)).rows;

    beforeAll(async () => {
      await admin.query(`CREATE DATABASE "${database}"`);
      const url = new URL(testDatabaseUrl);
      url.pathname = `/${database}`;
      // Like the app's pool (server/platform/database.ts): several connections, shared with the migrations.
      pool = new pg.Pool({ connectionString: url.toString(), max: 5 });
      // DROP DATABASE … WITH (FORCE) terminates any connection still open; that is the point of
      // dropping, not a failure (server/platform/database.ts listens the same way).
      pool.on('error', () => {});
    }, slow.timeout);

    afterAll(async () => {
      await pool?.end();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    });

    it('creates every table on a fresh database, and a second run applies nothing', slow, async () => {
      const adapterFactory = new PrismaPg(pool);

      const first = await applyMigrations(adapterFactory);
      const second = await applyMigrations(adapterFactory);

      expect(first.applied).toEqual(await projectMigrations());
      expect(second.applied).toEqual([]);
      await expectFullyMigrated(pgQuery);
    });

    // The engine never releases its session advisory lock; left on a pooled connection it would make
    // every other process's migrations time out.
    it('leaves no advisory lock behind on the pool it was given', slow, async () => {
      await applyMigrations(new PrismaPg(pool));
      const locks = await pgQuery(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(locks).toEqual([{ n: 0 }]);
    });

    it('a failing migration is reported and none of it is kept', slow, async () => {
      await expectFailingMigrationReported(new PrismaPg(pool), pgQuery);
    });
  });
}

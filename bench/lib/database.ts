// A fresh, migrated and seeded database for one benchmark run, made in process exactly as
// test/template-db.ts does, and copied (CREATE DATABASE … TEMPLATE) so every scenario starts from the
// same rows: mutations of one scenario must not change what the next one reads.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { applyMigrations } from '../../prisma/migrations.ts';
import { seedDatabase, type SeedSummary } from '../../prisma/seed/seed-database.ts';
import { openDatabase } from '../../server/platform/database.ts';
import { log, type Cleanup } from './util.ts';
import { adminQuery, withDatabase } from '../../scripts/postgres-admin.ts';

export interface BenchDatabases {
  /** The seeded template's name, and its URL (connect to it only once no more copies are needed). */
  template: string;
  templateUrl: string;
  /** What the seed inserted, and how long it took. */
  seed: SeedSummary;
  /** A new copy of the template; dropped by the returned function (and by the run's cleanup). */
  copy(suffix: string): Promise<{ url: string; drop(): Promise<void> }>;
}

/** deskgraph's environment for a seeded copy on a PostgreSQL server: nothing to migrate or seed at start. */
export async function seededDatabaseEnv(serverUrl: string, scale: number, cleanup: Cleanup): Promise<Record<string, string | undefined>> {
  const databases = await createSeededDatabase(serverUrl, scale, cleanup);
  return { DATABASE_URL: databases.templateUrl, AUTO_MIGRATE: 'false', SEED_IF_EMPTY: 'false' };
}

/**
 * Migrates and seeds an embedded PGlite in `dir`, in this process. Not left to the server: benchmarks run
 * it with NODE_ENV=production, which seeds no demo accounts with known passwords (the benchmarks sign in
 * as them).
 */
export async function seedPglite(dir: string, scale: number): Promise<void> {
  // Where the server keeps it for DATA_DIR=dir (server/platform/platform-config.ts).
  const database = await openDatabase({ kind: 'embedded', dataDir: path.join(dir, 'pglite') });
  try {
    const mine = migrating.then(() => applyMigrations(database.adapterFactory));
    migrating = mine.catch(() => {});
    await mine;
    log(`seeding the embedded PGlite in ${dir} (scale ${scale}, seed 1)`);
    await seedDatabase(database.prisma, { scale, seed: 1 });
  } finally {
    await database.close();
  }
}

/** deskgraph's environment for the embedded PGlite in `dir`, seeded by seedPglite. */
export function pgliteEnv(dir: string): Record<string, string | undefined> {
  return { DATA_DIR: dir, AUTO_MIGRATE: 'false', SEED_IF_EMPTY: 'false', DATABASE_URL: undefined };
}

// The migration engine is a WebAssembly module with process-wide state: databases seeded in parallel
// (npm run bench seeds every scale at once) take turns to migrate, then seed side by side.
let migrating: Promise<unknown> = Promise.resolve();

export async function createSeededDatabase(serverUrl: string, scale: number, cleanup: Cleanup): Promise<BenchDatabases> {
  const base = `bench_${randomBytes(4).toString('hex')}`;
  const template = base;
  const drop = (name: string) => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  log(`creating database ${template} on ${new URL(serverUrl).host}`);
  await adminQuery(serverUrl, `CREATE DATABASE ${template}`);
  cleanup.add(`drop ${template}`, async () => {
    await drop(template);
    log(`dropped database ${template}`);
  });
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(serverUrl, template), poolSize: 4, connectTimeoutMs: 5000 });
  let summary: SeedSummary;
  try {
    log('applying migrations');
    const mine = migrating.then(() => applyMigrations(database.adapterFactory));
    migrating = mine.catch(() => {});
    await mine;
    log(`seeding (scale ${scale}, seed 1)`);
    summary = await seedDatabase(database.prisma, {
      scale,
      seed: 1,
      onProgress: ({ table, done, total }) => {
        if (done === total) log(`  seeded ${table}: ${total}`);
      },
    });
    log(
      `seeded ${template} (scale ${scale}) in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${Object.entries(summary.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}`,
    );
  } finally {
    await database.close();
  }
  return {
    template,
    templateUrl: withDatabase(serverUrl, template),
    seed: summary,
    async copy(suffix: string) {
      const name = `${base}_${suffix}`;
      await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      const remove = cleanup.add(`drop ${name}`, () => drop(name));
      return {
        url: withDatabase(serverUrl, name),
        async drop() {
          remove();
          await drop(name);
        },
      };
    },
  };
}

// A fresh, migrated and seeded database for one benchmark run, made in process exactly as
// test/template-db.ts does, and copied (CREATE DATABASE … TEMPLATE) so every scenario starts from the
// same rows: mutations of one scenario must not change what the next one reads.
import { randomBytes } from 'node:crypto';
import { applyMigrations } from '../../prisma/migrations.ts';
import { seedDatabase } from '../../prisma/seed.ts';
import { openDatabase } from '../../server/database.ts';
import { log, type Cleanup } from './util.ts';
import { adminQuery, withDatabase } from '../../scripts/postgres-admin.ts';



export interface BenchDatabases {
  /** The seeded template. */
  template: string;
  /** A new copy of the template; dropped by the returned function (and by the run's cleanup). */
  copy(suffix: string): Promise<{ url: string; drop(): Promise<void> }>;
}

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
  try {
    log('applying migrations');
    await applyMigrations(database.adapterFactory);
    log(`seeding (scale ${scale}, seed 1)`);
    const summary = await seedDatabase(database.prisma, {
      scale,
      seed: 1,
      onProgress: ({ table, done, total }) => {
        if (done === total) log(`  seeded ${table}: ${total}`);
      },
    });
    log(`seeded in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${Object.entries(summary.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  } finally {
    await database.close();
  }
  return {
    template,
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

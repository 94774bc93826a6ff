// Which migrations a database has not had: what a server started without AUTO_MIGRATE checks first, so
// an unmigrated database fails the start with the command that fixes it, not with "table does not
// exist" on the first request.
import type { PrismaClient } from '../generated/client.ts';
import { readMigrations } from './read-migrations.ts';

/** Names of the migrations under migrationsDir that the database has not finished applying, in order. */
export async function pendingMigrations(prisma: PrismaClient, migrationsDir: string): Promise<string[]> {
  const onDisk = (await readMigrations(migrationsDir)).migrationDirectories.map((migration) => migration.path);
  const [{ present }] = await prisma.$queryRaw<[{ present: boolean }]>`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "present"`;
  if (!present) return onDisk;
  const rows = await prisma.$queryRaw<{ name: string }[]>`
    SELECT "migration_name" AS "name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  const applied = new Set(rows.map((row) => row.name));
  return onDisk.filter((name) => !applied.has(name));
}

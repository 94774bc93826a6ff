// Reads prisma/migrations/ into the list the schema engine takes, exactly as the Prisma CLI builds it,
// so the engine applies and records the same migrations `prisma migrate deploy` would.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';

/** The migrations directory as the Prisma CLI hands it to the engine: same order, same lockfile. */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const lockfile = 'migration_lock.toml';
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfile, content: await readFile(path.join(migrationsDir, lockfile), 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          // A directory without a readable script is the engine's to report, with its name.
          content: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

// Prisma Migrate without the schema-engine binary (it cannot be downloaded on our machines): the same
// engine, compiled to WebAssembly, talks to the database through a Prisma driver adapter. Migrations keep
// Prisma's layout (prisma/migrations/<timestamp>_<name>/migration.sql) and the engine itself records them
// in _prisma_migrations, so `prisma migrate deploy` stays interchangeable with this wherever it runs.
// How the engine is loaded and driven lives in prisma/migrate/.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaFilter } from '@prisma/schema-engine-wasm';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { withEngine } from './migrate/engine.ts';
import { ownConnection } from './migrate/own-connection.ts';
import { readMigrations } from './migrate/read-migrations.ts';
import { projectRoot } from './project-root.ts';

export { MigrationError } from './migrate/errors.ts';

// From the source tree even when this module runs from dist/ (the build compiles no .sql or .prisma).
const prismaDir = path.join(projectRoot, 'prisma');
export const defaultMigrationsDir = path.join(prismaDir, 'migrations');
export const defaultSchemaPath = path.join(prismaDir, 'schema.prisma');

/** Tables and enums the engine must leave alone (prisma.config.ts `tables.external`); we have none. */
const filters: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface MigrateOptions {
  /** Defaults to prisma/migrations. */
  migrationsDir?: string;
  /** Receives the engine's progress messages ("Applying `20250101000000_init`"), one line each. */
  log?: (line: string) => void;
}

export interface DiffOptions extends MigrateOptions {
  /** Defaults to prisma/schema.prisma. */
  schemaPath?: string;
  /** An empty PGlite to replay the migrations into, left open; by default a new in-memory one. */
  scratch?: PGlite;
}

/**
 * Applies the migrations the database has not recorded yet, in order, as `prisma migrate deploy` does;
 * with nothing pending it applies nothing. Throws MigrationError.
 */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  { migrationsDir = defaultMigrationsDir, log }: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrations(migrationsDir);
  const target = await ownConnection(adapterFactory);
  try {
    const { appliedMigrationNames } = await withEngine(target.factory, log, (engine) =>
      engine.applyMigrations({ migrationsList, filters }),
    );
    return { applied: appliedMigrationNames };
  } finally {
    await target.close();
  }
}

/**
 * The SQL that would take a database built by the migrations to schema.prisma, or '' when they agree.
 * The migrations are replayed into a throwaway in-memory PGlite, which needs no server and, unlike a
 * diff from an empty schema, leaves out what every database already has (`CREATE SCHEMA "public"`).
 */
export async function diffSchemaAgainstMigrations({
  migrationsDir = defaultMigrationsDir,
  schemaPath = defaultSchemaPath,
  log,
  scratch: given,
}: DiffOptions = {}): Promise<string> {
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const scratch = given ?? new PGlite();
  try {
    const factory = new PrismaPGlite(scratch);
    await applyMigrations(factory, { migrationsDir, log });
    const { stdout } = await withEngine(factory, log, (engine) =>
      engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: path.dirname(schemaPath) },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters,
      }),
    );
    // No difference still comes back as a script: "-- This is an empty migration."
    const sql = (stdout ?? '').trim();
    const onlyComments = sql.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
    return onlyComments ? '' : `${sql}\n`;
  } finally {
    if (!given) await scratch.close();
  }
}

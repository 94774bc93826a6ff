// `npm run db:migrate`: applies the pending migrations in prisma/migrations to the configured database
// (DATABASE_URL, else the embedded PGlite under DATA_DIR), as `prisma migrate deploy` would.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { loadConfig } from '../../server/platform/config.ts';
import type { DatabaseConfig } from '../../server/platform/platform-config.ts';
import { applyMigrations, defaultMigrationsDir, MigrationError } from '../migrations.ts';

interface Target {
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  label: string;
  close(): Promise<void>;
}

async function openTarget(database: DatabaseConfig): Promise<Target> {
  if (database.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: database.url,
      max: 1,
      connectionTimeoutMillis: database.connectTimeoutMs,
    });
    pool.on('error', () => {}); // a dropped idle connection is reported by the next query, not as a crash
    return { adapterFactory: new PrismaPg(pool), label: `PostgreSQL at ${describeUrl(database.url)}`, close: () => pool.end() };
  }
  if (database.dataDir) await mkdir(path.dirname(database.dataDir), { recursive: true });
  const pglite = new PGlite(database.dataDir ?? undefined);
  await pglite.waitReady;
  return {
    adapterFactory: new PrismaPGlite(pglite),
    label: database.dataDir ? `embedded PGlite in ${displayPath(database.dataDir)}` : 'embedded PGlite in memory',
    close: () => pglite.close(),
  };
}

function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative.startsWith('..') ? dir : relative;
}

/** host:port/database, never the credentials. */
function describeUrl(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}:${port || 5432}${pathname}`;
}

/** What to do next, for the failures a user can act on. */
function advice({ code, migration }: MigrationError): string {
  const resolve =
    `delete its row from _prisma_migrations (or run \`prisma migrate resolve --rolled-back ${migration}\` where ` +
    'the Prisma engine binary is available) and run npm run db:migrate again.';
  if (code === 'P3009') return `Make sure none of ${migration} was kept, fix it, ${resolve}`;
  if (migration) {
    return `PostgreSQL ran it as one transaction, so none of it was kept; _prisma_migrations records it as failed. Fix it, ${resolve}`;
  }
  if (code === 'P3005') return 'The database has tables but no migration history: migrate an empty database, or baseline this one.';
  return '';
}

/** One paragraph: the engine's messages come in several lines. */
function paragraph(...parts: string[]): string {
  const sentences = parts
    .flatMap((part) => part.split('\n'))
    .map((line) => line.trim().replace(/^- /, ''))
    .filter(Boolean);
  return sentences.map((line) => (/[.!?:]$/.test(line) ? line : `${line}.`)).join(' ');
}

async function main(): Promise<number> {
  const started = performance.now();
  const config = loadConfig();
  const target = await openTarget(config.database);
  try {
    console.log(`Applying migrations from ${displayPath(defaultMigrationsDir)} to ${target.label}`);
    const { applied } = await applyMigrations(target.adapterFactory);
    for (const name of applied) console.log(`  applied ${name}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      applied.length === 0
        ? `No pending migrations; the database is up to date (${seconds} s).`
        : `${applied.length} migration${applied.length === 1 ? '' : 's'} applied; the database is up to date (${seconds} s).`,
    );
    return 0;
  } finally {
    await target.close();
  }
}

// Exits explicitly, so nothing left behind by the engine or a driver can keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(paragraph(`db:migrate failed: ${message}`, error instanceof MigrationError ? advice(error) : ''));
    process.exit(1);
  },
);

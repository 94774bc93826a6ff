// Opens the database: PGlite in-process (the embedded default) or PostgreSQL through a pg pool.
// Both sit behind a Prisma driver adapter, wrapped to count statements.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../prisma/generated/client.ts';
import type { DatabaseConfig } from './platform-config.ts';
import { countingAdapterFactory } from './sql-statements.ts';

export interface Database {
  prisma: PrismaClient;
  /** The in-process database of the embedded default (tests dump it to copy it). */
  pglite?: PGlite;
  /** The uncounted adapter factory, for the migration runner. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Where the data lives, safe to log (no password). */
  label: string;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** A PGlite data directory dump to start from (tests start every file from one seeded template). */
  loadDataDir?: Blob | File;
}

export async function openDatabase(config: DatabaseConfig, options: EmbeddedOptions = {}): Promise<Database> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
    });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => {});
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: countingAdapterFactory(adapterFactory) });
    return {
      prisma,
      adapterFactory,
      label: `PostgreSQL ${redactUrl(config.url)} (pool of ${config.poolSize})`,
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  // PGlite creates only the last directory of the path; .data/ may not exist on a fresh clone.
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  // Options must go in the one-argument form: with (undefined, options) PGlite ignores loadDataDir.
  const pglite = new PGlite({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), loadDataDir: options.loadDataDir });
  await pglite.waitReady;
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: countingAdapterFactory(adapterFactory) });
  return {
    prisma,
    pglite,
    adapterFactory,
    label: config.dataDir ? `embedded PGlite in ${config.dataDir}` : 'embedded PGlite in memory',
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

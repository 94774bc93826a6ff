// Opens the database: PGlite in-process (the embedded default) or PostgreSQL through a pg pool.
// Both sit behind a Prisma driver adapter, wrapped to count statements. A server started with
// DATABASE_REPLICA_URLS sends reads to those replicas (server/platform/replicas/); tools never do.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { pino } from 'pino';
import { PrismaClient } from '../../prisma/generated/client.ts';
import type { Logger } from './logger.ts';
import type { DatabaseConfig } from './platform-config.ts';
import { openReplicaSet, type ReplicaSet } from './replicas/replica-set.ts';
import { attachSqlReader } from '../../schema/sql/reader.ts';
import { adapterSqlReader } from './adapter-reader.ts';
import { countingAdapterFactory, type CountingAdapterFactory } from './sql-statements.ts';
import { statementName } from './statement-names.ts';

export interface Database {
  prisma: PrismaClient;
  /** The in-process database of the embedded default (tests dump it to copy it). */
  pglite?: PGlite;
  /** The uncounted adapter factory of the primary, for the migration runner. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** The read replicas and their state; null without DATABASE_REPLICA_URLS (or when not asked for). */
  replicas: ReplicaSet | null;
  /** Where the data lives, safe to log (no password). */
  label: string;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** A PGlite data directory dump to start from (tests start every file from one seeded template). */
  loadDataDir?: Blob | File;
}

export interface OpenOptions extends EmbeddedOptions {
  /** Route reads to the configured replicas: servers do; migrations, the seed and other tools use the primary alone. */
  readReplicas?: boolean;
  /** Where the replicas' state changes are logged. */
  logger?: Logger;
}

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<Database> {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
    });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', () => {});
    const pgOptions = config.preparedStatements !== false ? { statementNameGenerator: statementName } : {};
    const adapterFactory = new PrismaPg(pool, pgOptions);
    const replicas =
      config.replicas && options.readReplicas
        ? openReplicaSet({
            primaryUrl: config.url,
            primary: adapterFactory,
            config: config.replicas,
            poolSize: config.poolSize,
            connectTimeoutMs: config.connectTimeoutMs,
            pgOptions,
            logger: options.logger ?? pino({ level: 'silent' }),
            redact: redactUrl,
          })
        : null;
    const prisma = countedClient(countingAdapterFactory(replicas?.adapterFactory ?? adapterFactory));
    const shown = replicas ? `, reads on ${replicas.replicas.length} replica(s) when fresh enough` : '';
    return {
      prisma,
      adapterFactory,
      replicas,
      label: `PostgreSQL ${redactUrl(config.url)} (pool of ${config.poolSize}${shown})`,
      async close() {
        await prisma.$disconnect();
        await replicas?.close();
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
  const prisma = countedClient(countingAdapterFactory(adapterFactory));
  return {
    prisma,
    pglite,
    adapterFactory,
    replicas: null,
    label: config.dataDir ? `embedded PGlite in ${config.dataDir}` : 'embedded PGlite in memory',
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/** A PrismaClient over the counted adapter, with the SQL reader of the loaders (schema/sql/reader.ts) over the same adapter. */
function countedClient(adapter: CountingAdapterFactory): PrismaClient {
  const prisma = new PrismaClient({ adapter });
  attachSqlReader(prisma, adapterSqlReader(prisma, adapter));
  return prisma;
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

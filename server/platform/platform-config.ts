// The process's own settings: which environment it runs as, how much it logs, and its database.
import path from 'node:path';
import { z } from 'zod';
import { bool, int, schemeUrl, urlList } from './env-schema.ts';

export type NodeEnv = 'development' | 'production' | 'test';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type DatabaseConfig =
  | { kind: 'embedded'; /** null: in memory */ dataDir: string | null }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      connectTimeoutMs: number;
      /** Name the SQL reader's statements so connections prepare them once (default on; off behind a pooler that cannot keep them). */
      preparedStatements?: boolean;
      /** Streaming replicas that serve reads (server/platform/replicas/README.md); none when absent. */
      replicas?: ReplicaConfig;
    };

export interface ReplicaConfig {
  /** postgresql:// URLs, one per replica, each with a pool of the primary's size. */
  urls: string[];
  /** A replica further behind the primary than this is taken out until it catches up. */
  maxLagMs: number;
  /** How often each replica's replay position is read (one statement per replica and one on the primary). */
  pollMs: number;
}

export interface PlatformConfig {
  /** production names no demo account in GraphiQL and never adds debugging detail to errors */
  nodeEnv: NodeEnv;
  /** pino's level; silent for tools and tests that must not print. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** PostgreSQL when DATABASE_URL is set; else the embedded PGlite, kept under DATA_DIR. */
  database: DatabaseConfig;
  /** Migrate and seed an empty database at start (the embedded default does; a real one opts in). */
  autoMigrate: boolean;
  seedIfEmpty: boolean;
  /** Production seeds the demo accounts only when asked, and then with random passwords (prisma/seed/demo-passwords.ts). */
  seedDemo: boolean;
  /** Size of that seed relative to the full demo data set (db:seed --scale). */
  seedScale: number;
}

export const platformEnv = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: () => 'NODE_ENV must be development, production or test',
    })
    .default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: () => `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  DATABASE_URL: schemeUrl('DATABASE_URL', /^postgres(ql)?:\/\//, 'a postgresql:// URL').optional(),
  DATABASE_POOL_SIZE: int('DATABASE_POOL_SIZE', 1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: int('DATABASE_CONNECT_TIMEOUT_MS', 100, 600000).default(5000),
  DATABASE_PREPARED_STATEMENTS: bool('DATABASE_PREPARED_STATEMENTS').default(true),
  DATABASE_REPLICA_URLS: urlList('DATABASE_REPLICA_URLS', /^postgres(ql)?:\/\//, 'a postgresql:// URL').optional(),
  DATABASE_REPLICA_MAX_LAG_MS: int('DATABASE_REPLICA_MAX_LAG_MS', 1, 3_600_000).default(5000),
  DATABASE_REPLICA_POLL_MS: int('DATABASE_REPLICA_POLL_MS', 10, 60_000).default(50),
  DATA_DIR: z.string().min(1).default('.data'),
  AUTO_MIGRATE: bool('AUTO_MIGRATE').optional(),
  SEED_IF_EMPTY: bool('SEED_IF_EMPTY').optional(),
  SEED_DEMO: bool('SEED_DEMO').default(false),
  SEED_SCALE: z.coerce
    .number({ error: () => 'SEED_SCALE must be a number' })
    .positive('SEED_SCALE must be above 0')
    .max(64, 'SEED_SCALE must be at most 64')
    .default(0.1),
});

export function platformConfig(e: z.output<typeof platformEnv>, cwd: string): PlatformConfig {
  // A real database is someone's to migrate and fill; the embedded one is ours, so it prepares itself.
  const embedded = !e.DATABASE_URL;
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    database: databaseConfig(e, cwd),
    autoMigrate: e.AUTO_MIGRATE ?? embedded,
    seedIfEmpty: e.SEED_IF_EMPTY ?? embedded,
    seedDemo: e.SEED_DEMO,
    seedScale: e.SEED_SCALE,
  };
}

function databaseConfig(e: z.output<typeof platformEnv>, cwd: string): DatabaseConfig {
  if (!e.DATABASE_URL) return { kind: 'embedded', dataDir: path.resolve(cwd, e.DATA_DIR, 'pglite') };
  return {
    kind: 'postgres',
    url: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    ...(e.DATABASE_REPLICA_URLS?.length
      ? { replicas: { urls: e.DATABASE_REPLICA_URLS, maxLagMs: e.DATABASE_REPLICA_MAX_LAG_MS, pollMs: e.DATABASE_REPLICA_POLL_MS } }
      : {}),
  };
}

/** What no single variable can say: replicas are replicas of DATABASE_URL's server. */
export function platformProblem(e: z.output<typeof platformEnv>): string | null {
  if (!e.DATABASE_REPLICA_URLS?.length || e.DATABASE_URL) return null;
  return 'DATABASE_REPLICA_URLS needs DATABASE_URL (the primary they replicate): the embedded PGlite has no replicas.';
}

// The one place that reads the environment. It is read once at start, validated, and passed down;
// a bad value stops the server with a message that names the variable and the fix.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS, type LimitsConfig } from '../document-limits/limits-config.ts';

export type DatabaseConfig =
  | { kind: 'embedded'; /** null: in memory */ dataDir: string | null }
  | { kind: 'postgres'; url: string; poolSize: number; connectTimeoutMs: number };

export interface Config {
  port: number;
  host: string;
  /** production hides GraphiQL's default query and never adds debugging detail to errors */
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  database: DatabaseConfig;
  /** Migrate and seed an empty database at start (the embedded default does; a real one opts in). */
  autoMigrate: boolean;
  seedIfEmpty: boolean;
  seedScale: number;
  /** Operations one POST may carry as a JSON array; 0 turns batching off (the default, see README). */
  batchLimit: number;
  /** Request bodies above this get HTTP 413 before anything parses them. */
  maxRequestBytes: number;
  /** Largest `first`/`last` a connection accepts. */
  maxPageSize: number;
  /** What a document may ask for: tokens, depth, cost, aliases, repeats, directives, introspection (README: "Limits"). */
  limits: LimitsConfig;
  /** Adds extensions.sqlStatements to each response; for tests and for measuring, off by default. */
  exposeStatementCount: boolean;
  /** Execute with graphql-jit (queries compiled once per document) instead of graphql-js's interpreter. */
  jit: boolean;
  /** How long a login token stays valid. */
  tokenTtlHours: number;
  /** On SIGTERM/SIGINT: how long requests in flight may take to finish before they are cut off. */
  shutdownTimeoutMs: number;
  graphiql: boolean;
  cache: CacheConfig;
  persisted: PersistedConfig;
  web: WebConfig;
  auth: AuthConfig;
}

/** Rate limits, CSRF prevention and CORS (README: "Authentication and abuse limits"). */
export interface AuthConfig {
  /** Requests one bearer token may make per minute, cache hits included; 0 turns the limit off. */
  tokenRequestsPerMinute: number;
  /** Login attempts per (email, client address) in one window; a successful login clears that count. */
  loginPerEmailAndIp: number;
  /** Login attempts per client address in one window, whatever the email. */
  loginPerIp: number;
  loginWindowSeconds: number;
  /** Proxies in front of the server that append to X-Forwarded-For; 0: the socket's address is the client. */
  trustProxyHops: number;
  /** Require the CSRF header on GET and non-JSON POST requests (yoga's CSRF prevention). */
  csrfPrevention: boolean;
  /** Origins browsers may call the API from; ['*'] allows any (without credentials: auth is a bearer token). */
  corsOrigins: string[];
}

export interface WebConfig {
  /** dist: serve the built client (npm start); vite: Vite's dev middleware with HMR (npm run dev); off: API only. */
  mode: 'dist' | 'vite' | 'off';
  /** Absolute path of the built client (dist mode). */
  dir: string;
}

export interface PersistedConfig {
  /** require: only hashes from the manifest (or APQ) run; allow: documents too; off: no hashes. */
  mode: 'require' | 'allow' | 'off';
  /** The trusted documents: a file path or an http(s) URL of codegen's persisted-documents.json. */
  manifest: string | null;
  /** Automatic persisted queries: remember documents clients send with their hash (allow mode only). */
  apq: boolean;
  apqMaxDocuments: number;
  apqMaxDocumentBytes: number;
}

export interface CacheConfig {
  /** Response cache on (the product) or off (the baseline benchmarks compare against). */
  enabled: boolean;
  /** Shared L2 store and invalidation bus; null keeps everything in process. */
  redisUrl: string | null;
  /** Namespace for every Redis key and the pub/sub channel, so deployments (and test runs) can share a Redis. */
  keyPrefix: string;
  /** A Redis command slower than this counts as a failure: the request is answered from the database. */
  redisTimeoutMs: number;
  l1MaxEntries: number;
  l1MaxBytes: number;
  /** Upper bound on how long a response stays cached; invalidation, not expiry, keeps it fresh. */
  defaultTtlSeconds: number;
  /** Answer hits before GraphQL (parse, validate, execute); off only to measure what it saves. */
  fastPath: boolean;
  /** Adds extensions.responseCache ({ hit, didCache, ttl }) to responses. */
  metadata: boolean;
  /** Re-run the most requested queries after start and after they are invalidated. */
  warm: boolean;
  warmTop: number;
}

const bool = (name: string) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], {
      error: () => `${name} must be one of true/false/1/0/yes/no`,
    })
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: () => `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const envSchema = z.object({
  PORT: int('PORT', 0, 65535).default(4000),
  HOST: z.string().min(1).default('localhost'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: () => 'NODE_ENV must be development, production or test',
    })
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: () => 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), {
      error: (issue) => `DATABASE_URL must be a postgresql:// URL, got ${String(issue.input).split(':')[0]}:…`,
    })
    .optional(),
  DATABASE_POOL_SIZE: int('DATABASE_POOL_SIZE', 1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: int('DATABASE_CONNECT_TIMEOUT_MS', 100, 600000).default(5000),
  DATA_DIR: z.string().min(1).default('.data'),
  AUTO_MIGRATE: bool('AUTO_MIGRATE').optional(),
  SEED_IF_EMPTY: bool('SEED_IF_EMPTY').optional(),
  SEED_SCALE: z.coerce
    .number({ error: () => 'SEED_SCALE must be a number' })
    .positive('SEED_SCALE must be above 0')
    .max(64, 'SEED_SCALE must be at most 64')
    .default(0.1),
  MAX_PAGE_SIZE: int('MAX_PAGE_SIZE', 1, 1000).default(100),
  MAX_REQUEST_KB: int('MAX_REQUEST_KB', 1, 100 * 1024).default(1024),
  GRAPHQL_BATCH_LIMIT: int('GRAPHQL_BATCH_LIMIT', 0, 100).default(0),
  MAX_TOKENS: int('MAX_TOKENS', 10, 1_000_000).default(DEFAULT_LIMITS.maxTokens),
  MAX_QUERY_DEPTH: int('MAX_QUERY_DEPTH', 1, 1000).default(DEFAULT_LIMITS.maxDepth),
  MAX_QUERY_COST: int('MAX_QUERY_COST', 1, 1_000_000_000).default(DEFAULT_LIMITS.maxCost),
  MAX_ALIASES: int('MAX_ALIASES', 0, 100_000).default(DEFAULT_LIMITS.maxAliases),
  MAX_FIELD_DUPLICATES: int('MAX_FIELD_DUPLICATES', 1, 100_000).default(DEFAULT_LIMITS.maxFieldDuplicates),
  MAX_DIRECTIVES: int('MAX_DIRECTIVES', 0, 100_000).default(DEFAULT_LIMITS.maxDirectives),
  INTROSPECTION: z.enum(['on', 'off', 'auth'], { error: () => 'INTROSPECTION must be on, off or auth' }).optional(),
  EXPOSE_SQL_STATEMENT_COUNT: bool('EXPOSE_SQL_STATEMENT_COUNT').default(false),
  TOKEN_TTL_HOURS: int('TOKEN_TTL_HOURS', 1, 24 * 365).default(24 * 30),
  GRAPHQL_JIT: bool('GRAPHQL_JIT').default(true),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(10_000),
  GRAPHIQL: bool('GRAPHIQL').optional(),
  RESPONSE_CACHE: bool('RESPONSE_CACHE').default(true),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), {
      error: (issue) => `REDIS_URL must be a redis:// or rediss:// URL, got ${String(issue.input).split(':')[0]}:…`,
    })
    .optional(),
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'CACHE_KEY_PREFIX must be 1-40 letters, digits, _ . or -')
    .default('dg'),
  CACHE_REDIS_TIMEOUT_MS: int('CACHE_REDIS_TIMEOUT_MS', 5, 60000).default(250),
  CACHE_L1_MAX_ENTRIES: int('CACHE_L1_MAX_ENTRIES', 0, 10_000_000).default(10_000),
  CACHE_L1_MAX_MB: int('CACHE_L1_MAX_MB', 1, 65536).default(64),
  CACHE_TTL_SECONDS: int('CACHE_TTL_SECONDS', 1, 7 * 24 * 3600).default(300),
  CACHE_METADATA: bool('CACHE_METADATA').optional(),
  CACHE_FAST_PATH: bool('CACHE_FAST_PATH').default(true),
  CACHE_WARM: bool('CACHE_WARM').default(false),
  CACHE_WARM_TOP: int('CACHE_WARM_TOP', 1, 1000).default(20),
  PERSISTED_OPERATIONS: z
    .enum(['require', 'allow', 'off'], { error: () => 'PERSISTED_OPERATIONS must be require, allow or off' })
    .optional(),
  PERSISTED_OPERATIONS_MANIFEST: z.string().min(1).optional(),
  PERSISTED_OPERATIONS_APQ: bool('PERSISTED_OPERATIONS_APQ').default(false),
  PERSISTED_OPERATIONS_APQ_MAX: int('PERSISTED_OPERATIONS_APQ_MAX', 1, 1_000_000).default(1000),
  PERSISTED_OPERATIONS_APQ_MAX_KB: int('PERSISTED_OPERATIONS_APQ_MAX_KB', 1, 1024).default(32),
  WEB_CLIENT: z
    .enum(['dist', 'vite', 'off'], { error: () => 'WEB_CLIENT must be dist, vite or off' })
    .default('dist'),
  WEB_CLIENT_DIR: z.string().min(1).default('client/dist'),
  RATE_LIMIT_TOKEN_PER_MINUTE: int('RATE_LIMIT_TOKEN_PER_MINUTE', 0, 10_000_000).default(1200),
  RATE_LIMIT_LOGIN_PER_EMAIL_IP: int('RATE_LIMIT_LOGIN_PER_EMAIL_IP', 0, 1_000_000).default(10),
  RATE_LIMIT_LOGIN_PER_IP: int('RATE_LIMIT_LOGIN_PER_IP', 0, 1_000_000).default(100),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: int('RATE_LIMIT_LOGIN_WINDOW_SECONDS', 1, 24 * 3600).default(900),
  TRUST_PROXY_HOPS: int('TRUST_PROXY_HOPS', 0, 10).default(0),
  CSRF_PREVENTION: bool('CSRF_PREVENTION').default(true),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.length > 0 && origins.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), {
      error: (issue) =>
        `CORS_ORIGINS must be * or a comma-separated list of origins like https://desk.example.com (scheme and host, no path), got ${String(issue.input)}`,
    })
    .default(['*']),
});

/** Every variable the server reads: tools that start servers clear these so nothing leaks in from their own environment. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** Where codegen writes the web client's trusted documents; the manifest used when none is configured. */
export const CLIENT_MANIFEST = 'client/src/gql/persisted-documents.json';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; throws ConfigError listing every problem found. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const persistedMode = e.PERSISTED_OPERATIONS ?? (e.NODE_ENV === 'production' ? 'require' : 'allow');
  // The shipped web client sends only hashes, so its manifest is trusted unless another is named;
  // that is what lets `require` (the production default) and the client work out of the box.
  const shippedManifest = path.resolve(cwd, CLIENT_MANIFEST);
  const manifest =
    e.PERSISTED_OPERATIONS_MANIFEST ?? (persistedMode !== 'off' && existsSync(shippedManifest) ? shippedManifest : undefined);
  if (persistedMode === 'require' && !manifest) {
    throw new ConfigError(
      `Invalid configuration:\n  - PERSISTED_OPERATIONS=require (the production default) needs PERSISTED_OPERATIONS_MANIFEST: the path or URL of the client's persisted-documents.json (${CLIENT_MANIFEST} is used when it exists: run npm run codegen). Set PERSISTED_OPERATIONS=allow to run any document.`,
    );
  }
  // Introspection tells an attacker the whole schema: off in production unless asked for. GraphiQL
  // cannot work without it, so it follows introspection unless set, and asking for both on and off is an error.
  const introspection = e.INTROSPECTION ?? (e.NODE_ENV === 'production' ? 'off' : 'on');
  if (e.GRAPHIQL && introspection === 'off') {
    throw new ConfigError(
      `Invalid configuration:\n  - GRAPHIQL=true needs introspection: set INTROSPECTION=on (it is off${e.INTROSPECTION ? '' : ' by default in production'}), or GRAPHIQL=false.`,
    );
  }
  const embedded = !e.DATABASE_URL;
  const database: DatabaseConfig = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        poolSize: e.DATABASE_POOL_SIZE,
        connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      }
    : { kind: 'embedded', dataDir: path.resolve(cwd, e.DATA_DIR, 'pglite') };
  return {
    port: e.PORT,
    host: e.HOST,
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    database,
    autoMigrate: e.AUTO_MIGRATE ?? embedded,
    seedIfEmpty: e.SEED_IF_EMPTY ?? embedded,
    seedScale: e.SEED_SCALE,
    maxPageSize: e.MAX_PAGE_SIZE,
    maxRequestBytes: e.MAX_REQUEST_KB * 1024,
    batchLimit: e.GRAPHQL_BATCH_LIMIT,
    limits: {
      maxTokens: e.MAX_TOKENS,
      maxDepth: e.MAX_QUERY_DEPTH,
      maxCost: e.MAX_QUERY_COST,
      maxAliases: e.MAX_ALIASES,
      maxFieldDuplicates: e.MAX_FIELD_DUPLICATES,
      maxDirectives: e.MAX_DIRECTIVES,
      introspection,
    },
    exposeStatementCount: e.EXPOSE_SQL_STATEMENT_COUNT,
    tokenTtlHours: e.TOKEN_TTL_HOURS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    jit: e.GRAPHQL_JIT,
    graphiql: e.GRAPHIQL ?? introspection !== 'off',
    persisted: {
      mode: persistedMode,
      manifest: manifest ? (/^https?:\/\//.test(manifest) ? manifest : path.resolve(cwd, manifest)) : null,
      apq: e.PERSISTED_OPERATIONS_APQ,
      apqMaxDocuments: e.PERSISTED_OPERATIONS_APQ_MAX,
      apqMaxDocumentBytes: e.PERSISTED_OPERATIONS_APQ_MAX_KB * 1024,
    },
    cache: {
      enabled: e.RESPONSE_CACHE,
      redisUrl: e.REDIS_URL ?? null,
      keyPrefix: e.CACHE_KEY_PREFIX,
      redisTimeoutMs: e.CACHE_REDIS_TIMEOUT_MS,
      l1MaxEntries: e.CACHE_L1_MAX_ENTRIES,
      l1MaxBytes: e.CACHE_L1_MAX_MB * 1024 * 1024,
      defaultTtlSeconds: e.CACHE_TTL_SECONDS,
      fastPath: e.CACHE_FAST_PATH,
      metadata: e.CACHE_METADATA ?? e.NODE_ENV === 'development',
      warm: e.CACHE_WARM,
      warmTop: e.CACHE_WARM_TOP,
    },
    web: { mode: e.WEB_CLIENT, dir: path.resolve(cwd, e.WEB_CLIENT_DIR) },
    auth: {
      tokenRequestsPerMinute: e.RATE_LIMIT_TOKEN_PER_MINUTE,
      loginPerEmailAndIp: e.RATE_LIMIT_LOGIN_PER_EMAIL_IP,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      loginWindowSeconds: e.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
      trustProxyHops: e.TRUST_PROXY_HOPS,
      csrfPrevention: e.CSRF_PREVENTION,
      corsOrigins: e.CORS_ORIGINS,
    },
  };
}

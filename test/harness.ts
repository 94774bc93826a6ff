// Starts a real deskgraph server on a free port over a fresh copy of the seeded template, and talks
// to it over HTTP as a client would.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { CacheConfig } from '../server/cache/cache-config.ts';
import type { CacheWarmer } from '../server/cache/warmer.ts';
import type { PersistedConfig } from '../server/persisted/persisted-config.ts';
import { loadConfig, type Config } from '../server/platform/config.ts';
import type { AuthConfig } from '../server/rate-limits/auth-config.ts';
import { createApp, loadPersistedDocuments } from '../server/app.ts';
import type { LiveHub } from '../server/live/live-hub.ts';
import type { SingleConnection } from '../server/live/use-single-connection.ts';
import { openDatabase, type Database } from '../server/platform/database.ts';
import { createLogger } from '../server/platform/logger.ts';
import type { LoaderOptions } from '../schema/loaders.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { TEST_SERVER_ENV } from './server-env.ts';
import { copyTemplate, TEST_SEED_SCALE } from './template-db.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
    extensions?: Record<string, any>;
  };
}

export interface TestServer {
  url: string;
  database: Database;
  /** The server's live hub (subscriptions), for counts; null when LIVE_UPDATES=false. */
  live: LiveHub | null;
  /** Single-connection streams (server/live/use-single-connection.ts), for their count. */
  singleConnection: SingleConnection;
  /** The cache warmer (CACHE_WARM), to wait until it is idle; null when warming is off. */
  warmer: CacheWarmer | null;
  /** POSTs an operation; token, when given, goes in the Authorization header. */
  gql<T = Record<string, any>>(
    query: TypedDocumentNode<T, any> | string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** Signs in a seeded account (password DEMO_PASSWORD) and returns its token. */
  login(email: string): Promise<string>;
  close(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The harness's servers: in this process, on a free port, quiet unless TEST_LOG_LEVEL says otherwise. */
const HARNESS_ENV = {
  ...TEST_SERVER_ENV,
  PORT: '0',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  SEED_SCALE: String(TEST_SEED_SCALE),
  // Above production's 250 ms: the test Redis is shared by test files running in parallel, and a command
  // that times out answers from the database, which a cache assertion would see.
  CACHE_REDIS_TIMEOUT_MS: '1000',
  // API only unless a test serves the client (the global setup builds client/dist for those).
  WEB_CLIENT: 'off',
};

/** The production defaults (loadConfig) with the test values above, and a fresh object every call. */
function harnessDefaults(): Config {
  const config = loadConfig(HARNESS_ENV, ROOT);
  return {
    ...config,
    // An environment cannot say "in memory"; startTestServer puts the template's copy here.
    database: { kind: 'embedded', dataDir: null },
    // Tests send documents as text; loadConfig would trust the shipped client's manifest, and the
    // tests that need a manifest name their own.
    persisted: { ...config.persisted, manifest: null },
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const defaults = harnessDefaults();
  return {
    ...defaults,
    cache: testCacheConfig(overrides.database ?? defaults.database),
    auth: testAuthConfig(),
    ...overrides,
  };
}

/**
 * Production's CSRF, CORS and login limits; the per-token request limit is off, because many tests send
 * more than a production budget with one token (test/rate-limit.test.ts turns it on).
 */
export function testAuthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return { ...harnessDefaults().auth, ...overrides };
}

/**
 * The response cache is on in tests, as in production: in process next to PGlite, and on the real
 * Redis (TEST_REDIS_URL) next to the real PostgreSQL. Each server gets its own key prefix, so test
 * files running in parallel on one Redis never see each other's entries.
 */
function testCacheConfig(database: Config['database'], overrides: Partial<CacheConfig> = {}): CacheConfig {
  return {
    ...harnessDefaults().cache,
    redis: database.kind === 'postgres' && process.env.TEST_REDIS_URL ? { kind: 'single', url: process.env.TEST_REDIS_URL } : null,
    keyPrefix: `test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    ...overrides,
  };
}

/** Production's persisted operations: only the shipped web client's documents run, sent by hash. */
export function productionPersisted(): PersistedConfig {
  return loadConfig({ NODE_ENV: 'production' }, ROOT).persisted;
}

export async function startTestServer(
  options: {
    config?: Partial<Config>;
    cache?: Partial<CacheConfig>;
    loaderOptions?: LoaderOptions;
    /** Runs on the server's database before the server starts (what an operator does while it is stopped). */
    beforeStart?: (database: Database) => Promise<void>;
  } = {},
): Promise<TestServer> {
  const copy = await copyTemplate(inject('template'));
  const database = await openDatabase(copy.config, copy.options);
  await options.beforeStart?.(database);
  const config = testConfig({ ...options.config, database: copy.config });
  config.cache = testCacheConfig(copy.config, options.cache);
  const persistedDocuments = await loadPersistedDocuments(config);
  const app = createApp({ config, database, logger: createLogger(config), loaderOptions: options.loaderOptions, persistedDocuments });
  const url = await app.listen(0, '127.0.0.1');
  if (app.store?.redis && !(await app.store.redis.whenHealthy(10_000))) throw new Error('the test Redis did not become ready');

  const gql: TestServer['gql'] = async (query, variables, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };

  return {
    url,
    database,
    live: app.live,
    singleConnection: app.singleConnection,
    warmer: app.warmer,
    gql,
    async login(email) {
      const result = await gql<{ login: { token: string } }>(
        'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
        { email, password: DEMO_PASSWORD },
      );
      const token = result.body.data?.login.token;
      if (!token) throw new Error(`login ${email} failed: ${JSON.stringify(result.body.errors)}`);
      return token;
    },
    async close() {
      await app.close();
      await database.close();
      await copy.drop();
    },
  };
}

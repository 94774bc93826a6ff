// Starts a real deskgraph server on a free port over a fresh copy of the seeded template, and talks
// to it over HTTP as a client would.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { CacheConfig } from '../server/cache/cache-config.ts';
import type { Config } from '../server/platform/config.ts';
import type { AuthConfig } from '../server/rate-limits/auth-config.ts';
import { createApp, loadPersistedDocuments } from '../server/app.ts';
import { DEFAULT_LIMITS } from '../server/document-limits/limits-config.ts';
import { openDatabase, type Database } from '../server/platform/database.ts';
import { createLogger } from '../server/platform/logger.ts';
import type { LoaderOptions } from '../schema/loaders.ts';
import { DEMO_PASSWORD } from '../prisma/seed.ts';
import { copyTemplate } from './template-db.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

export interface TestServer {
  url: string;
  database: Database;
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

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    nodeEnv: 'test',
    logLevel: (process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent',
    database: { kind: 'embedded', dataDir: null },
    autoMigrate: false,
    seedIfEmpty: false,
    seedScale: 0.05,
    maxPageSize: 100,
    limits: { ...DEFAULT_LIMITS },
    maxRequestBytes: 1024 * 1024,
    batchLimit: 0,
    exposeStatementCount: true,
    tokenTtlHours: 24,
    shutdownTimeoutMs: 10_000,
    jit: true,
    graphiql: true,
    cache: testCacheConfig(overrides.database ?? { kind: 'embedded', dataDir: null }),
    persisted: { mode: 'allow', manifest: null, apq: false, apqMaxDocuments: 100, apqMaxDocumentBytes: 32 * 1024 },
    // API only unless a test serves the client (the global setup builds client/dist for those).
    web: { mode: 'off', dir: path.join(ROOT, 'client', 'dist') },
    auth: testAuthConfig(),
    ...overrides,
  };
}

/**
 * Production's CSRF, CORS and login limits; the per-token request limit is off, because many tests send
 * more than a production budget with one token (test/rate-limit.test.ts turns it on).
 */
export function testAuthConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    tokenRequestsPerMinute: 0,
    loginPerEmailAndIp: 10,
    loginPerIp: 100,
    loginWindowSeconds: 900,
    trustProxyHops: 0,
    csrfPrevention: true,
    corsOrigins: ['*'],
    ...overrides,
  };
}

/**
 * The response cache is on in tests, as in production: in process next to PGlite, and on the real
 * Redis (TEST_REDIS_URL) next to the real PostgreSQL. Each server gets its own key prefix, so test
 * files running in parallel on one Redis never see each other's entries.
 */
export function testCacheConfig(database: Config['database'], overrides: Partial<CacheConfig> = {}): CacheConfig {
  const redisUrl = database.kind === 'postgres' ? (process.env.TEST_REDIS_URL ?? null) : null;
  return {
    enabled: true,
    redisUrl,
    keyPrefix: `test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    redisTimeoutMs: 1000,
    l1MaxEntries: 10_000,
    l1MaxBytes: 64 * 1024 * 1024,
    defaultTtlSeconds: 300,
    fastPath: true,
    metadata: true,
    warm: false,
    warmTop: 20,
    ...overrides,
  };
}

export async function startTestServer(
  options: { config?: Partial<Config>; cache?: Partial<CacheConfig>; loaderOptions?: LoaderOptions } = {},
): Promise<TestServer> {
  const copy = await copyTemplate(inject('template'));
  const database = await openDatabase(copy.config, copy.options);
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

// Starts a real deskgraph server on a free port over a fresh copy of the seeded template, and talks
// to it over HTTP as a client would.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { inject } from 'vitest';
import type { Config } from '../server/config.ts';
import { createApp } from '../server/app.ts';
import { openDatabase, type Database } from '../server/database.ts';
import { createLogger } from '../server/logger.ts';
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
    exposeStatementCount: true,
    tokenTtlHours: 24,
    graphiql: true,
    ...overrides,
  };
}

export async function startTestServer(options: { config?: Partial<Config>; loaderOptions?: LoaderOptions } = {}): Promise<TestServer> {
  const copy = await copyTemplate(inject('template'));
  const database = await openDatabase(copy.config, copy.options);
  const config = testConfig({ ...options.config, database: copy.config });
  const app = createApp({ config, database, logger: createLogger(config), loaderOptions: options.loaderOptions });
  const url = await app.listen(0, '127.0.0.1');

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

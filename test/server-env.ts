// What a test server runs with on top of the production defaults, whether it runs in the test's own
// process (harness.ts passes these to loadConfig) or as a child (processes.ts passes them as its
// environment): one list, so the two kinds of test server differ only where a test needs them to.
export const TEST_SERVER_ENV = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  // The template database was migrated and seeded once for the run (test/template-db.ts).
  AUTO_MIGRATE: 'false',
  SEED_IF_EMPTY: 'false',
  // Tests assert on SQL statement counts and cache hits, which these add to every response.
  EXPOSE_SQL_STATEMENT_COUNT: 'true',
  CACHE_METADATA: 'true',
  // Many tests send more than a production budget with one token; test/rate-limit.test.ts turns it on.
  RATE_LIMIT_TOKEN_PER_MINUTE: '0',
  // A periodic read of the trusted-document registry would land in other tests' statement counts; the
  // registry's tests turn it on (or show that the bus alone carries a push).
  PERSISTED_OPERATIONS_REGISTRY_REFRESH_SECONDS: '0',
  // Tests assert which entries a write evicts and how many statements a read runs; warming would refill
  // evicted entries behind their back and add its statements. test/cache-warming.test.ts turns it on.
  CACHE_WARM: 'false',
} as const satisfies Record<string, string>;

import { createRequire } from 'node:module';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const require = createRequire(import.meta.url);

// Every integration test runs against the embedded default; with TEST_DATABASE_URL (a PostgreSQL
// server where the tests may create databases) and TEST_REDIS_URL the same tests run again against the
// real servers. `*.pg.test.ts` need the real servers (several processes sharing one database and one
// Redis), so they run in the postgres project only.
const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: { name: 'embedded', include: ['**/*.test.ts'], exclude: ['**/*.pg.test.ts', 'node_modules/**', '.data/**', 'client/**'], globalSetup: ['test/global-setup.ts'] },
  },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    extends: true,
    test: { name: 'postgres', include: ['test/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
  });
} else {
  console.log('TEST_DATABASE_URL is not set: integration tests run on the embedded PGlite only.');
}

export default defineConfig({
  resolve: {
    // Pothos and yoga load graphql through Node (CommonJS build); vite would hand our own modules the
    // .mjs build, and graphql refuses objects from the other copy. One copy for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    exclude: ['node_modules/**', '.data/**', 'client/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects,
  },
});

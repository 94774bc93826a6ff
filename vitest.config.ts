import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { chromiumPath } from './test/e2e/chromium.ts';

const require = createRequire(import.meta.url);

// Every integration test runs against the embedded default; with TEST_DATABASE_URL (a PostgreSQL
// server where the tests may create databases) and TEST_REDIS_URL the same tests run again against the
// real servers. `*.pg.test.ts` need the real servers (several processes sharing one database and one
// Redis), so they run in the postgres project only. `*.e2e.test.ts` drive Chromium: the browser project.
const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'embedded',
      include: ['**/*.test.ts'],
      exclude: ['**/*.pg.test.ts', '**/*.e2e.test.ts', 'node_modules/**', '.data/**', 'client/**', 'dist/**'],
      globalSetup: ['test/global-setup.ts'],
    },
  },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({
    extends: true,
    // The budget reads files only, and the production tests run the embedded database only (and
    // build dist/, which two projects must not do at once): once, in the embedded project, is enough.
    test: {
      name: 'postgres',
      include: ['test/**/*.test.ts'],
      exclude: ['**/*.e2e.test.ts', 'test/client-budget.test.ts', 'test/production-*.test.ts'],
      globalSetup: ['test/global-setup.ts'],
    },
  });
} else {
  console.log('TEST_DATABASE_URL is not set: integration tests run on the embedded PGlite only.');
}

// Browser tests run where Chromium is installed, and must run in CI (E2E_REQUIRED=1), where a missing
// browser would otherwise turn them into a silent skip. Its server uses the real PostgreSQL and Redis
// when TEST_DATABASE_URL is set, as the postgres project does (see test/global-setup.ts).
const chromium = chromiumPath();
if (chromium.found) {
  projects.push({
    extends: true,
    test: {
      name: 'browser',
      include: ['test/e2e/**/*.e2e.test.ts'],
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 60_000,
      isolate: true,
      // One Chromium and one server at a time: vitest runs these files after all the others, one by one.
      // Beside the other files (two Chromiums and two servers on two cores) the whole run took longer:
      // 891 s against 816 s.
      fileParallelism: false,
    },
  });
} else if (process.env.E2E_REQUIRED === '1') {
  throw new Error(
    `E2E_REQUIRED=1 but there is no Chromium at ${chromium.path}: install Debian's package (apt-get install chromium) ` +
      'or set CHROMIUM_PATH to a Chromium binary. Never `npx playwright install`: it downloads, and fails offline.',
  );
} else {
  console.log(`No Chromium at ${chromium.path}: browser tests (test/e2e) are skipped; apt-get install chromium or set CHROMIUM_PATH.`);
}

export default defineConfig({
  resolve: {
    // Pothos and yoga load graphql through Node (CommonJS build); vite would hand our own modules the
    // .mjs build, and graphql refuses objects from the other copy. One copy for everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    exclude: ['node_modules/**', '.data/**', 'client/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // vitest's default is one worker per core but one, which on two cores runs every file in turn. The
    // files mostly wait (on servers, Chromium, PostgreSQL, child processes): on 2 cores the suite took
    // 1,012 s with one worker and 792 s with two. Tests that break shared servers start their own.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker keeps the modules it loaded from one file to the next: loading the server's modules
    // again for every file took a quarter of the embedded project's time (279 s isolated, 217 s not).
    // Every test starts its own server, database and clients, and closes them; state that outlives a
    // file would be a bug in production too, where one process serves for days. The browser project
    // keeps isolation: it runs its files one at a time, which vitest does only for isolated projects.
    isolate: false,
    projects,
  },
});

// One server and one browser per test file, a fresh page per test: what an end-to-end test file
// starts with.
//
//   const app = withApp();
//   test('home', async () => {
//     const { page, expectNoErrors } = await app.open('/');
//     await expect(page.locator('h1').textContent()).resolves.toBe('deskgraph');
//     expectNoErrors();
//   });
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, LaunchOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { CacheConfig } from '../../server/cache/cache-config.ts';
import type { Config } from '../../server/platform/config.ts';
import { productionPersisted, startTestServer, type TestServer } from '../harness.ts';
import { launchBrowser, openPage, safeFileName, screenshot, type PageSession } from './browser.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Built by global setup before any test runs. */
const CLIENT_DIST = path.join(repoRoot, 'client', 'dist');
/**
 * Production's setting: only the client's documents run, by hash. A document the client sends as text
 * (or a hash missing from the manifest) fails here as it would in production.
 */
const PRODUCTION_PERSISTED: Config['persisted'] = productionPersisted();

export interface E2EApp {
  /** The API server (harness TestServer: gql(), login(), database…), serving the built client at /. */
  readonly server: TestServer;
  readonly browser: Browser;
  /** The server's origin, e.g. http://127.0.0.1:41234; pages resolve relative URLs against it. */
  readonly baseUrl: string;
  /**
   * A new context and page (nothing shared with other tests), navigated to `path` when given. Closed
   * after the test; if the test failed, a screenshot `<file>--<test>--failed` is saved first and the
   * page's errors are printed.
   */
  open(path?: string, options?: BrowserContextOptions): Promise<PageSession>;
}

export interface WithAppOptions {
  /**
   * Server config overrides; `web` defaults to the built client (mode dist, client/dist) and
   * `persisted` to production's (hashes from the client's manifest only, see PRODUCTION_PERSISTED).
   */
  config?: Partial<Config>;
  cache?: Partial<CacheConfig>;
  launch?: LaunchOptions;
}

/** Registers beforeAll/afterAll (and afterEach for pages) in the calling file or describe block. */
export function withApp(options: WithAppOptions = {}): E2EApp {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let sessions: PageSession[] = [];

  beforeAll(async () => {
    // Started together: PGlite's start and Chromium's launch each take seconds.
    const [serverResult, browserResult] = await Promise.allSettled([
      startTestServer({
        config: { web: { mode: 'dist', dir: CLIENT_DIST }, persisted: PRODUCTION_PERSISTED, ...options.config },
        cache: options.cache,
      }),
      launchBrowser(options.launch),
    ]);
    if (serverResult.status === 'fulfilled') server = serverResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    if (serverResult.status === 'rejected') throw serverResult.reason;
    if (browserResult.status === 'rejected') throw browserResult.reason;
  });

  afterEach(async (context) => {
    const open = sessions;
    sessions = [];
    if (context.task.result?.state === 'fail') {
      const base = `${path.basename(context.task.file.name).replace(/\.e2e\.test\.ts$/, '')}--${context.task.name}`;
      for (const [i, session] of open.entries()) {
        const name = safeFileName(`${base}--failed${open.length > 1 ? `-${i + 1}` : ''}`);
        const file = await screenshot(session.page, name).catch((error: Error) => `not saved (${error.message})`);
        const errors = session.errors();
        console.log(`screenshot of the failed page: ${file}${errors.length ? `\nits errors:\n${errors.join('\n')}` : ''}`);
      }
    }
    await Promise.all(open.map((session) => session.close()));
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`withApp: ${what} is not started; use it inside a test or a hook, after withApp()'s beforeAll`);
    return value;
  };

  return {
    get server() {
      return ready(server, 'the server');
    },
    get browser() {
      return ready(browser, 'the browser');
    },
    get baseUrl() {
      return new URL(ready(server, 'the server').url).origin;
    },
    async open(path, contextOptions) {
      const session = await openPage(this.browser, this.baseUrl, contextOptions);
      sessions.push(session);
      if (path !== undefined) await session.page.goto(path);
      return session;
    },
  };
}

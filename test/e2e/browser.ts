// Chromium for the end-to-end tests, through playwright-core driving Debian's package (never
// `npx playwright install`: it downloads, and there is no download here).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type LaunchOptions,
  type Page,
  type Request,
} from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT_DIR = path.join(repoRoot, 'test-results', 'screenshots');

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const { path: executablePath, found } = chromiumPath();
  if (!found && !options.executablePath) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH to a Chromium binary`);
  }
  return chromium.launch({ executablePath, ...options, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}

export interface PageSession {
  context: BrowserContext;
  page: Page;
  /** console.error output and the browser's own errors (failed loads, CSP…), as "text (url:line)". */
  consoleErrors: string[];
  /** Exceptions nothing caught (window.onerror, unhandled rejections). */
  pageErrors: Error[];
  /** Both lists as text, for an assertion or a failure message. */
  errors(): string[];
  /**
   * Throws listing every console and page error so far, except those matching `ignore` (for a test
   * that provokes an error on purpose: a 401 it expects, say).
   */
  expectNoErrors(options?: { ignore?: RegExp[] }): void;
  close(): Promise<void>;
}

/**
 * A fresh context (its own cookies, storage and service workers) and page whose relative URLs resolve
 * against baseUrl, so `page.goto('/')` opens the app.
 */
export async function openPage(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}): Promise<PageSession> {
  // Fixed viewport, locale, time zone and motion: screenshots of one build look the same on every machine.
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
    ...options,
  });
  const page = await context.newPage();
  trackRequests(page);
  // Well under the test timeout, so a missing element fails with playwright's message naming it
  // rather than with vitest's bare timeout.
  page.setDefaultTimeout(10_000);

  const consoleErrors: string[] = [];
  const pageErrors: Error[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    consoleErrors.push(url ? `${message.text()} (${url}:${lineNumber})` : message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error));

  const errors = () => [
    ...consoleErrors.map((text) => `console.error: ${text}`),
    ...pageErrors.map((error) => `uncaught: ${error.stack ?? error.message}`),
  ];
  return {
    context,
    page,
    consoleErrors,
    pageErrors,
    errors,
    expectNoErrors({ ignore = [] } = {}) {
      const all = errors().filter((error) => !ignore.some((pattern) => pattern.test(error)));
      if (all.length > 0) throw new Error(`the page reported ${all.length} error(s):\n${all.join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** Each page's requests in flight, but for event streams (live updates), which stay open as long as a view is shown. */
const inFlight = new WeakMap<Page, { open: Set<Request>; started: number }>();

function trackRequests(page: Page): void {
  const state = { open: new Set<Request>(), started: 0 };
  inFlight.set(page, state);
  page.on('request', (request) => {
    if (request.headers()['accept'] === 'text/event-stream') return;
    state.open.add(request);
    state.started++;
  });
  page.on('requestfinished', (request) => state.open.delete(request));
  page.on('requestfailed', (request) => state.open.delete(request));
}

/**
 * What `waitForLoadState('networkidle')` means, which never comes while a live update stream is open
 * (playwright counts it as a request in flight): no request in flight but event streams, and none
 * started, for 500 ms. Fails after `timeoutMs`.
 */
export async function networkSettled(page: Page, timeoutMs = 10_000): Promise<void> {
  const state = inFlight.get(page);
  if (!state) throw new Error('networkSettled: a page opened by openPage() only');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = state.started;
    if (state.open.size === 0) {
      await page.waitForTimeout(500);
      if (state.open.size === 0 && state.started === started) return;
    } else await page.waitForTimeout(50);
    if (Date.now() > deadline)
      throw new Error(`networkSettled: still in flight after ${timeoutMs} ms: ${[...state.open].map((r) => r.url()).join(', ')}`);
  }
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${safeFileName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function safeFileName(name: string): string {
  return (
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 120) || 'screenshot'
  );
}

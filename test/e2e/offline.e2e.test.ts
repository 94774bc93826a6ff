// Offline: the service worker serves the shell, graphcache's IndexedDB copy the data, and a comment
// made without network waits in the offline queue until the network is back.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { withApp } from './app.ts';
import { networkSettled, screenshot } from './browser.ts';
import { Cable } from './cable.ts';
import { detail, isOperation, listCount, listRows, pinRow, signIn, ticketInDb } from './ui.ts';

const app = withApp();

/**
 * What Chromium logs for each API request that fails while offline (emulated, or cut at the cable
 * below; an open live stream cut there ends as INCOMPLETE_CHUNKED_ENCODING). Only the API's: the shell
 * and everything it loads must come from the service worker's cache.
 */
const OFFLINE_ERRORS = [
  /Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_RESET|EMPTY_RESPONSE|CONNECTION_CLOSED|INCOMPLETE_CHUNKED_ENCODING) \(http:\/\/[^/]+\/graphql[?:]/,
];

let cable: Cable;
beforeAll(async () => {
  cable = await Cable.to(app.baseUrl);
});
afterAll(() => cable?.close());

/** Offline as the page sees it (navigator.onLine false, its requests failing) and for real (unplugged). */
async function goOffline(context: BrowserContext): Promise<void> {
  cable.unplug();
  await context.setOffline(true);
}

/**
 * Chromium 150 (Debian bookworm's) loses the offline emulation across a reload: the new document reads
 * navigator.onLine true although its requests fail. Applying it again is what a real disconnection looks
 * like to the page (an offline event), which the banner must follow too.
 */
async function stillOffline(page: Page, context: BrowserContext): Promise<void> {
  if (!(await page.evaluate(() => navigator.onLine))) return;
  await context.setOffline(false);
  await context.setOffline(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
}

async function goOnline(context: BrowserContext): Promise<void> {
  cable.plug();
  await context.setOffline(false);
}

/** How many mutations wait in the offline queue graphcache keeps in IndexedDB (client/src/urql/storage.ts). */
function queuedMutations(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const info = (await indexedDB.databases()).find((db) => db.name?.startsWith('deskgraph-'));
    if (!info?.name) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(info.name!);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const request = db.transaction('metadata', 'readonly').objectStore('metadata').get('metadata');
    const queue = await new Promise<unknown[] | undefined>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result as unknown[] | undefined);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return queue?.length ?? 0;
  });
}

/** Waits until the service worker controls the page (the first load is not controlled until it claims it). */
async function serviceWorkerInControl(page: Page): Promise<void> {
  const controlled = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return navigator.serviceWorker.controller !== null;
  });
  if (controlled) return;
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

test('offline, the app starts from the service worker and the cache, and a comment waits for the network', async () => {
  // Through the cable: the page's origin is the relay's.
  const { page, context, expectNoErrors } = await app.open(`${cable.origin}/sign-in`);
  await signIn(page);
  const online = await listCount(page);
  const { row, href, number } = await pinRow(page, listRows(page).nth(3));
  await row.getByRole('link').click();
  const ticket = await ticketInDb(app.server, number);
  const panel = detail(page);
  await panel.getByRole('heading', { name: `Comments (${ticket.comments.length})` }).waitFor();
  await serviceWorkerInControl(page);
  await networkSettled(page); // graphcache writes its IndexedDB copy after each result

  await goOffline(context);
  await page.reload();
  await stillOffline(page, context);
  // The shell came from the service worker's cache, the data from IndexedDB.
  const banner = page.getByRole('status').filter({ hasText: 'Offline' });
  await banner.waitFor();
  await expect(banner.textContent()).resolves.toContain('showing the last data loaded');
  expect(await listCount(page)).toEqual(online);
  await expect(panel.getByRole('heading', { level: 2 }).textContent()).resolves.toBe(ticket.title);
  await panel.getByRole('heading', { name: `Comments (${ticket.comments.length})` }).waitFor();
  await expect(row.locator('.row-title').textContent()).resolves.toBe(ticket.title);
  expect(new URL(page.url()).pathname).toBe(href);
  await screenshot(page, 'offline');

  // A comment made offline shows at once and waits in the queue.
  const text = `Written on the train (${Date.now()}).`;
  await panel.getByLabel('Add a comment').fill(text);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await panel.locator('.comment-body', { hasText: text }).waitFor();
  await panel.getByRole('heading', { name: `Comments (${ticket.comments.length + 1})` }).waitFor();
  // Twice in full-suite runs (never alone, in 16 runs) the list showed from #633 down at this point, the
  // pinned row out of the virtualized DOM: scrolled, or rows lost, is not known yet. Back at the top, a
  // lost row still fails here; a scroll is printed, to be explained.
  const scrolled = await page.locator('.list-scroller').evaluate((el) => {
    const top = el.scrollTop;
    el.scrollTop = 0;
    return top;
  });
  if (scrolled) console.warn(`offline: the ticket list was scrolled to ${scrolled}px after the offline reload`);
  await expect(row.locator('.row-comments').textContent()).resolves.toMatch(new RegExp(`^\\s*${ticket.comments.length + 1} comments`));
  expect((await ticketInDb(app.server, number)).comments).toHaveLength(ticket.comments.length);

  // Back online: the queued mutation is sent, and the server has the comment.
  const sent = page.waitForResponse((response) => isOperation('AddComment')(response.request()));
  await goOnline(context);
  expect((await sent).status()).toBe(200);
  await banner.waitFor({ state: 'detached' });
  const stored = await ticketInDb(app.server, number);
  expect(stored.comments.map((c) => c.body)).toEqual([...ticket.comments.map((c) => c.body), text]);
  await panel.getByRole('heading', { name: `Comments (${ticket.comments.length + 1})` }).waitFor();
  expect(await panel.locator('.comment-body', { hasText: text }).count()).toBe(1);

  // A comment queued offline survives a reload (the queue is kept in IndexedDB) and is sent once online.
  await goOffline(context);
  const later = `Written before the tunnel (${Date.now()}).`;
  await panel.getByLabel('Add a comment').fill(later);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await panel.locator('.comment-body', { hasText: later }).waitFor();
  await expect.poll(() => queuedMutations(page)).toBe(1);
  await page.reload();
  await stillOffline(page, context);
  await banner.waitFor();
  await panel.getByRole('heading', { level: 2 }).waitFor();
  const replayed = page.waitForResponse((response) => isOperation('AddComment')(response.request()));
  await goOnline(context);
  expect((await replayed).status()).toBe(200);
  await expect.poll(() => queuedMutations(page)).toBe(0);
  await panel.locator('.comment-body', { hasText: later }).waitFor();
  expect((await ticketInDb(app.server, number)).comments.map((c) => c.body)).toEqual([...ticket.comments.map((c) => c.body), text, later]);
  expectNoErrors({ ignore: OFFLINE_ERRORS });

  // Someone else's fresh page shows it.
  const other = await app.open('/sign-in');
  await signIn(other.page, 'admin@acme.test');
  await other.page.goto(href);
  await detail(other.page).locator('.comment-body', { hasText: text }).waitFor();
  await detail(other.page).locator('.comment-body', { hasText: later }).waitFor();
  other.expectNoErrors();
});

test('a comment whose request is cut while the browser is online is sent again, once', async () => {
  // No service worker: playwright does not see requests a worker handles, and this one routes them.
  const { page, expectNoErrors } = await app.open('/sign-in', { serviceWorkers: 'block' });
  await signIn(page);
  const { row, number } = await pinRow(page, listRows(page).nth(5));
  await row.getByRole('link').click();
  const before = (await ticketInDb(app.server, number)).comments.length;
  const panel = detail(page);
  await panel.getByRole('heading', { name: `Comments (${before})` }).waitFor();

  // The first attempt dies on the way (navigator.onLine stays true: no online event will come).
  let cut = 0;
  await page.route('**/graphql*', (route) =>
    isOperation('AddComment')(route.request()) && cut++ === 0 ? route.abort('connectionreset') : route.fallback(),
  );
  const sent = page.waitForResponse((response) => isOperation('AddComment')(response.request()));
  const text = `Sent over a flaky line (${Date.now()}).`;
  await panel.getByLabel('Add a comment').fill(text);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await panel.locator('.comment-body', { hasText: text }).waitFor();
  expect((await sent).status()).toBe(200);
  expect(cut).toBe(2);
  await expect.poll(() => queuedMutations(page)).toBe(0);
  expect((await ticketInDb(app.server, number)).comments.map((c) => c.body).filter((body) => body === text)).toHaveLength(1);
  await panel
    .locator('li.comment', { hasText: text })
    .getByRole('button', { name: /Delete comment/ })
    .waitFor();
  expectNoErrors({ ignore: [/Failed to load resource: net::ERR_CONNECTION_RESET \(http:\/\/[^/]+\/graphql:/] });
});

// The ticket list and the ticket panel, driven as an agent would: sign in, scroll, move with the keys,
// comment, change a status (optimistically, and undone when the server refuses). Each test has its own
// browser context (its own IndexedDB cache); they share one server, so a test that writes picks a
// ticket no other test here touches.
import { expect, test } from 'vitest';
import { withApp } from './app.ts';
import { networkSettled, screenshot } from './browser.ts';
import {
  detail,
  focusedRowIndex,
  holdOperation,
  isOperation,
  listCount,
  listRows,
  openTicketCount,
  pinRow,
  recordOperations,
  signIn,
  ticketInDb,
  ticketNumberOf,
} from './ui.ts';

const app = withApp();
/**
 * For the tests that hold or answer requests with page.route: playwright does not see requests a
 * service worker handles, and recommends blocking workers where requests are routed.
 */
const ROUTED = { serviceWorkers: 'block' } as const;

test('signing in shows the list: the first page of rows, newest first, and the total', async () => {
  const { page, expectNoErrors } = await app.open('/');
  await page.waitForURL('**/sign-in');
  await expect(page.getByLabel('Email').inputValue()).resolves.toBe('agent@acme.test');
  await screenshot(page, 'sign-in');

  await signIn(page);
  const total = await openTicketCount(app.server);
  expect(total).toBeGreaterThan(100); // the seed has more than a page: the next test needs it
  expect(await listCount(page)).toEqual({ loaded: 100, total });
  await expect(page.locator('.list-header .count').textContent()).resolves.toBe(`100 of ${total}`);

  // The first row is the newest open ticket, as the database orders them.
  const newest = await app.server.database.prisma.ticket.findFirstOrThrow({
    where: { organization: { slug: 'acme' }, status: { in: ['OPEN', 'IN_PROGRESS', 'PENDING'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const first = listRows(page).first();
  await expect(first.getAttribute('data-index')).resolves.toBe('0');
  expect(await ticketNumberOf(first.locator('.row-number'))).toBe(newest.number);
  await expect(first.locator('.row-title').textContent()).resolves.toBe(newest.title);
  await expect(first.locator('.row-comments').textContent()).resolves.toMatch(/\d+ comments/);

  // The shell: staff see every view in the navigation.
  const nav = page.getByRole('navigation', { name: 'Main' });
  expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboard', 'Tickets', 'Performance']);
  await expect(nav.getByRole('link', { name: 'Tickets' }).getAttribute('aria-current')).resolves.toBe('page');
  await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
  await screenshot(page, 'list');
  expectNoErrors();
});

test('scrolling to the end of the list loads the next page', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page);
  const { loaded, total } = await listCount(page);
  expect(loaded).toBe(100);

  const nextPage = page.waitForRequest(isOperation('TicketList'));
  await page.locator('.list-scroller').evaluate((scroller) => scroller.scrollTo(0, scroller.scrollHeight));
  const request = await nextPage;
  const url = new URL(request.url());
  expect(request.method()).toBe('GET');
  const variables = JSON.parse(url.searchParams.get('variables')!) as { after: string | null; first: number };
  expect(variables.after).toEqual(expect.any(String));
  expect(variables.first).toBe(100);

  const all = Math.min(total, 200);
  await page
    .locator('.list-header .count')
    .filter({ hasText: `${all} of ${total}` })
    .waitFor();
  // Rows past the first page are drawn once scrolled to.
  await page.locator('.list-scroller').evaluate((scroller) => scroller.scrollTo(0, scroller.scrollHeight));
  const lastRow = listRows(page).and(page.locator(`[data-index="${all - 1}"]`));
  await lastRow.waitFor();
  const oldest = await app.server.database.prisma.ticket.findMany({
    where: { organization: { slug: 'acme' }, status: { in: ['OPEN', 'IN_PROGRESS', 'PENDING'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: all - 1,
    take: 1,
  });
  expect(await ticketNumberOf(lastRow.locator('.row-number'))).toBe(oldest[0]!.number);
  expectNoErrors();
});

test('arrow keys, End and Enter move through the rows and open one', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page);
  const { loaded } = await listCount(page);

  await listRows(page).first().locator('.row-link').focus();
  expect(await focusedRowIndex(page)).toBe(0);
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focusedRowIndex(page)).toBe(1);
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => focusedRowIndex(page)).toBe(0);
  await page.keyboard.press('End');
  await expect.poll(() => focusedRowIndex(page)).toBe(loaded - 1);

  const focused = page.locator('.row-link:focus');
  const href = await focused.getAttribute('href');
  const number = await ticketNumberOf(focused.locator('.row-number'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`**${href}`);
  await expect(detail(page).locator('.meta').first().textContent()).resolves.toContain(`#${number} `);
  const ticket = await ticketInDb(app.server, number);
  await expect(detail(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe(ticket.title);
  expectNoErrors();
});

test('opening a ticket shows its panel beside the list', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page);
  // A ticket with comments, to see them listed.
  const { row, number } = await pinRow(
    page,
    listRows(page)
      .filter({ has: page.locator('.row-comments', { hasText: /^\s*[1-9]\d* comments/ }) })
      .first(),
  );
  await row.getByRole('link').click();
  await page.waitForURL(/\/tickets\/[^/]+$/);

  const ticket = await ticketInDb(app.server, number);
  const panel = detail(page);
  await expect(panel.getByRole('heading', { level: 2 }).textContent()).resolves.toBe(ticket.title);
  await expect(panel.locator('.ticket-body').textContent()).resolves.toBe(ticket.body);
  await expect(panel.getByRole('combobox', { name: 'Status', exact: true }).inputValue()).resolves.toBe(ticket.status);
  await expect(panel.getByRole('combobox', { name: 'Priority', exact: true }).inputValue()).resolves.toBe(ticket.priority);
  // Comments come in once the detail query answers (the row already had the count).
  const heading = panel.getByRole('heading', { name: `Comments (${ticket.comments.length})` });
  await heading.waitFor();
  await expect.poll(() => panel.locator('.comments li.comment').count()).toBe(ticket.comments.length);
  await expect(panel.locator('.comment-body').first().textContent()).resolves.toBe(ticket.comments[0]!.body);
  await expect(row.getAttribute('class')).resolves.toContain('selected');
  await screenshot(page, 'detail');
  expectNoErrors();
});

test('a comment shows at once in the panel and the row, and no list or ticket query is sent again', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in', ROUTED);
  await signIn(page);
  const { row, number } = await pinRow(page, listRows(page).nth(4));
  const before = (await ticketInDb(app.server, number)).comments.length;
  await row.getByRole('link').click();
  const panel = detail(page);
  await panel.getByRole('heading', { name: `Comments (${before})` }).waitFor();
  await networkSettled(page);

  const operations = recordOperations(page);
  const gate = await holdOperation(page, 'AddComment');
  const text = `Checked the logs: the export ran twice (${Date.now()}).`;
  await panel.getByLabel('Add a comment').fill(text);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await gate.held;
  // Before the server has answered: the comment, its count and the row's count are there.
  await panel.locator('.comment-body', { hasText: text }).waitFor();
  await panel.getByRole('heading', { name: `Comments (${before + 1})` }).waitFor();
  await expect(row.locator('.row-comments').textContent()).resolves.toMatch(new RegExp(`^\\s*${before + 1} comments`));

  const answered = page.waitForResponse((response) => isOperation('AddComment')(response.request()));
  gate.release();
  expect((await answered).status()).toBe(200);
  await networkSettled(page);
  // The server's comment replaced the optimistic one: one copy, the count unchanged, deletable now.
  await expect.poll(() => panel.locator('.comment-body', { hasText: text }).count()).toBe(1);
  await expect(panel.getByRole('heading', { name: `Comments (${before + 1})` }).count()).resolves.toBe(1);
  await expect(row.locator('.row-comments').textContent()).resolves.toMatch(new RegExp(`^\\s*${before + 1} comments`));
  await panel
    .locator('li.comment', { hasText: text })
    .getByRole('button', { name: /Delete comment/ })
    .waitFor();
  const stored = await ticketInDb(app.server, number);
  expect(stored.comments.map((c) => c.body)).toContain(text);
  expect(stored.comments).toHaveLength(before + 1);

  const names = operations.map((o) => o.name);
  expect(names).toContain('AddComment');
  const after = names.slice(names.indexOf('AddComment') + 1);
  expect(after.filter((name) => name === 'TicketList' || name === 'TicketDetail')).toEqual([]);
  expectNoErrors();
});

test('a status change shows in the panel and the row before the server answers, and stays', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in', ROUTED);
  await signIn(page);
  // An OPEN ticket, so "In progress" is a change and it still matches the list's open filter.
  const { row, number } = await pinRow(
    page,
    listRows(page)
      .filter({ has: page.locator('.badge', { hasText: /^Open$/ }) })
      .nth(1),
  );
  await row.getByRole('link').click();
  const panel = detail(page);
  const status = panel.getByRole('combobox', { name: 'Status', exact: true });
  await expect(status.inputValue()).resolves.toBe('OPEN');

  const gate = await holdOperation(page, 'UpdateTicket');
  await status.selectOption({ label: 'In progress' });
  const request = await gate.held;
  expect(request.method()).toBe('POST');
  await expect.poll(() => status.inputValue()).toBe('IN_PROGRESS');
  await row.locator('.badge', { hasText: 'In progress' }).waitFor();
  expect((await ticketInDb(app.server, number)).status).toBe('OPEN'); // nothing reached the server yet

  const answered = page.waitForResponse((response) => isOperation('UpdateTicket')(response.request()));
  gate.release();
  await answered;
  await networkSettled(page);
  await expect(status.inputValue()).resolves.toBe('IN_PROGRESS');
  await expect(row.locator('.badge').textContent()).resolves.toBe('In progress');
  expect((await ticketInDb(app.server, number)).status).toBe('IN_PROGRESS');
  expectNoErrors();
});

test('a change the server refuses is undone and explained', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in', ROUTED);
  await signIn(page);
  const { row, number } = await pinRow(
    page,
    listRows(page)
      .filter({ has: page.locator('.badge', { hasText: /^Open$/ }) })
      .nth(2),
  );
  await row.getByRole('link').click();
  const panel = detail(page);
  const status = panel.getByRole('combobox', { name: 'Status', exact: true });
  await expect(status.inputValue()).resolves.toBe('OPEN');

  const gate = await holdOperation(page, 'UpdateTicket');
  await status.selectOption({ label: 'Pending' });
  await gate.held;
  await expect.poll(() => status.inputValue()).toBe('PENDING');
  await row.locator('.badge', { hasText: 'Pending' }).waitFor();
  gate.fail({ data: null, errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });

  const alert = page.getByRole('alert');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toMatch(
    new RegExp(`^Could not change the status of #${number}: Internal server error\\. The change was undone\\.`),
  );
  await expect.poll(() => status.inputValue()).toBe('OPEN');
  await expect(row.locator('.badge').textContent()).resolves.toBe('Open');
  expect((await ticketInDb(app.server, number)).status).toBe('OPEN');
  await screenshot(page, 'rollback');
  expectNoErrors();
});

test('a filed ticket heads the list at once; resolved, it leaves the open list and the total', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page);
  const before = await listCount(page);
  const operations = recordOperations(page);

  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  const title = `Printer on floor 3 jams on every job (${Date.now()})`;
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Description').fill('Since this morning, every job.');
  await dialog.getByLabel('Priority').selectOption({ label: 'High' });
  await dialog.getByRole('button', { name: 'File ticket' }).click();
  await page.waitForURL(/\/tickets\/[^/]+$/);
  await dialog.waitFor({ state: 'hidden' });

  // The list makes room for it from the mutation's answer: first row, total and loaded count one up;
  // then the live first page (ticketsChanged) replaces the list's first page, which holds 100 rows:
  // the one pushed out is the next page's first.
  const first = listRows(page).first();
  await expect.poll(() => first.locator('.row-title').textContent()).toBe(title);
  expect(before.loaded).toBe(100);
  await expect.poll(() => listCount(page)).toEqual({ loaded: before.loaded, total: before.total + 1 });
  const { row, number } = await pinRow(page, first);
  const created = await ticketInDb(app.server, number);
  expect(created).toMatchObject({ title, status: 'OPEN', priority: 'HIGH' });
  await expect(detail(page).getByRole('heading', { level: 2 }).textContent()).resolves.toBe(title);

  // Resolved: no longer open, so out of this list, and the total says so.
  await detail(page).getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Resolved' });
  await row.waitFor({ state: 'detached' });
  await expect.poll(() => listCount(page)).toEqual(before);
  await networkSettled(page);
  expect((await ticketInDb(app.server, number)).status).toBe('RESOLVED');
  expect(operations.map((o) => o.name).filter((name) => name === 'TicketList')).toEqual([]);
  expectNoErrors();
});

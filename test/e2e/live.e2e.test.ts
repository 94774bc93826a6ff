// Live updates in the browser: two people on the same tickets, each in a browser context of their own.
// What one does shows in the other's open view through the SSE subscriptions (client/src/urql/
// live-exchange.ts), without a reload and without the view asking again; what a customer may not see
// (an internal note) never reaches them.
import type { Page, Request } from 'playwright-core';
import { expect, test } from 'vitest';
import { withApp } from './app.ts';
import { screenshot } from './browser.ts';
import { Cable } from './cable.ts';
import { acmeId, detail, listCount, listRows, pinRow, recordOperations, signIn } from './ui.ts';

const app = withApp();

const ticketPath = (id: number) => `/tickets/${encodeURIComponent(btoa(`Ticket:${id}`))}`;
const indicator = (page: Page) => page.locator('.topbar .live');

/** Waits until every stream the page opened has sent its first result (the header says "Live"). */
async function live(page: Page): Promise<void> {
  await indicator(page).filter({ hasText: 'Live' }).waitFor();
  await expect(indicator(page).getAttribute('aria-live')).resolves.toBe('polite');
  await expect(indicator(page).getAttribute('title')).resolves.toMatch(/^Live updates on/);
}

test("an agent's status change and public reply show in the customer's open ticket; the internal note never does", async () => {
  const { prisma } = app.server.database;
  const customer = await prisma.user.findUniqueOrThrow({ where: { email: 'customer@acme.test' } });
  const ticket = await prisma.ticket.findFirstOrThrow({
    where: { organizationId: await acmeId(app.server), requesterId: customer.id, status: 'OPEN' },
    orderBy: { id: 'asc' },
  });
  const publicBefore = await prisma.comment.count({ where: { ticketId: ticket.id, internal: false } });

  const customerSession = await app.open('/sign-in');
  const customerPage = customerSession.page;
  await signIn(customerPage, 'customer@acme.test');
  await customerPage.goto(ticketPath(ticket.id));
  const seen = detail(customerPage);
  await seen.getByRole('heading', { name: ticket.title }).waitFor();
  await expect(seen.locator('.badge').first().textContent()).resolves.toBe('Open');
  await live(customerPage);
  // From here on, everything new must arrive over the open stream: no query, no reload.
  const customerOperations = recordOperations(customerPage);
  let reloads = 0;
  customerPage.on('framenavigated', (frame) => (frame === customerPage.mainFrame() ? reloads++ : undefined));

  const agentSession = await app.open('/sign-in');
  const agentPage = agentSession.page;
  await signIn(agentPage);
  await agentPage.goto(ticketPath(ticket.id));
  const panel = detail(agentPage);
  await panel.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Pending' });
  await expect.poll(async () => (await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('PENDING');

  const stamp = Date.now();
  const internalText = `Internal: refund approved by finance (${stamp})`;
  const publicText = `We have sent a replacement (${stamp})`;
  // The internal note first, confirmed by the server, then the reply: once the customer has the reply,
  // the note had every chance to arrive too.
  await panel.getByLabel('Add a comment').fill(internalText);
  await panel.getByLabel('Internal note').check();
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect.poll(() => prisma.comment.count({ where: { ticketId: ticket.id, body: internalText, internal: true } })).toBe(1);
  await panel.getByLabel('Internal note').uncheck();
  await panel.getByLabel('Add a comment').fill(publicText);
  await panel.getByRole('button', { name: 'Comment', exact: true }).click();

  await seen.locator('.comment-body', { hasText: publicText }).waitFor();
  await seen.locator('.badge', { hasText: /^Pending$/ }).waitFor();
  await seen.getByRole('heading', { name: `Comments (${publicBefore + 1})` }).waitFor();
  expect((await seen.locator('.comment-body').allTextContents()).filter((text) => text.includes(internalText))).toEqual([]);
  expect(await customerPage.content()).not.toContain(internalText);
  expect(await seen.locator('.comment.internal').count()).toBe(0);
  expect(customerOperations.map((operation) => operation.name)).toEqual([]);
  expect(reloads).toBe(0);
  await screenshot(customerPage, 'live--customer-detail');
  customerSession.expectNoErrors();
  agentSession.expectNoErrors();
});

test("another agent's status changes show in the agent's list: the row changes, then leaves the open list", async () => {
  const agentSession = await app.open('/sign-in');
  const page = agentSession.page;
  await signIn(page);
  const before = await listCount(page);
  // An open ticket on the first page, not one the other test uses (that one is the customer's, PENDING now).
  const { row, href } = await pinRow(
    page,
    listRows(page)
      .filter({ has: page.locator('.badge', { hasText: /^Open$/ }) })
      .nth(3),
  );
  await live(page);
  const operations = recordOperations(page);

  const adminSession = await app.open('/sign-in');
  await signIn(adminSession.page, 'admin@acme.test');
  await adminSession.page.goto(href);
  const status = detail(adminSession.page).getByRole('combobox', { name: 'Status', exact: true });
  await status.selectOption({ label: 'In progress' });
  await row.locator('.badge', { hasText: /^In progress$/ }).waitFor();

  // Resolved no longer matches the open filter: the row leaves the agent's list and the total follows.
  await status.selectOption({ label: 'Resolved' });
  await row.waitFor({ state: 'detached' });
  await page
    .locator('.list-header .count')
    .filter({ hasText: ` of ${(before.total - 1).toLocaleString('en')}` })
    .waitFor();
  expect(operations.map((operation) => operation.name)).toEqual([]);
  await screenshot(page, 'live--agent-list');
  agentSession.expectNoErrors();
  adminSession.expectNoErrors();
});

test('a stream cut on the way is opened again: the header says so, and what changed meanwhile arrives', async () => {
  const cable = await Cable.to(app.baseUrl);
  try {
    const session = await app.open(`${cable.origin}/sign-in`);
    const { page } = session;
    await signIn(page);
    const { row, href } = await pinRow(
      page,
      listRows(page)
        .filter({ has: page.locator('.badge', { hasText: /^Open$/ }) })
        .nth(5),
    );
    await live(page);
    const hub = app.server.live!;
    const subscribers = hub.counts.subscribers;
    const streams: Request[] = [];
    page.on('request', (request) => (request.headers()['accept'] === 'text/event-stream' ? streams.push(request) : undefined));

    // Cut: the stream breaks and every new attempt fails while the browser still thinks it is online.
    cable.unplug();
    await indicator(page).filter({ hasText: 'Reconnecting' }).waitFor();
    await expect(indicator(page).getAttribute('title')).resolves.toMatch(/connecting again/);
    const admin = await app.open('/sign-in');
    await signIn(admin.page, 'admin@acme.test');
    await admin.page.goto(href);
    await detail(admin.page).getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'In progress' });
    await admin.close();
    expect(await row.locator('.badge').textContent()).toBe('Open'); // nothing can arrive while cut

    // Back: the stream is opened again, and its first result (the list as it is now) brings the change.
    cable.plug();
    await row.locator('.badge', { hasText: /^In progress$/ }).waitFor();
    await live(page);
    // Opened again as it was first: a trusted document's hash (no text), with the session's token.
    expect(streams.length).toBeGreaterThanOrEqual(1);
    for (const stream of streams) {
      const body = stream.postDataJSON() as Record<string, unknown>;
      expect(body).toMatchObject({ documentId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), operationName: 'TicketListLive' });
      expect(body).not.toHaveProperty('query');
      expect(stream.headers()['authorization']).toMatch(/^Bearer /);
    }
    // The server let go of the broken streams: as many subscribers as before the cut.
    await expect.poll(() => hub.counts.subscribers).toBe(subscribers);
    session.expectNoErrors({ ignore: [/Failed to load resource: net::ERR_[A-Z_]+ \(http:\/\/[^/]+\/graphql/] });
  } finally {
    await cable.close();
  }
});

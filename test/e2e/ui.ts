// What the end-to-end tests of the web client do again and again: sign in as a user would, watch the
// GraphQL operations a page sends, read the list's count, and ask the database what the UI should show.
import type { Locator, Page, Request, Route } from 'playwright-core';
import { DEMO_PASSWORD } from '../../prisma/seed/demo-accounts.ts';
import type { TestServer } from '../harness.ts';

/** The open statuses: the list's default filter ("Open (any open status)"). */
const OPEN_STATUSES = ['OPEN', 'IN_PROGRESS', 'PENDING'] as const;

/** Signs in through the form (from wherever the page is) and waits for the list's first page. */
export async function signIn(page: Page, email = 'agent@acme.test'): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/sign-in')) await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/tickets');
  await listCount(page);
}

const ticketList = (page: Page): Locator => page.getByRole('list', { name: 'Tickets' });
export const listRows = (page: Page): Locator => ticketList(page).getByRole('listitem');
export const detail = (page: Page): Locator => page.locator('.ticket-detail');
/** The row of one ticket, found by its link: stays on that ticket whatever its status or place becomes. */
const rowOf = (page: Page, href: string): Locator => listRows(page).filter({ has: page.locator(`a.row-link[href="${href}"]`) });

/** A row's link target and number, and a locator that keeps pointing at that ticket's row. */
export async function pinRow(page: Page, row: Locator): Promise<{ href: string; number: number; row: Locator }> {
  const link = row.locator('a.row-link');
  const href = (await link.getAttribute('href'))!;
  return { href, number: await ticketNumberOf(link.locator('.row-number')), row: rowOf(page, href) };
}

/** "100 of 117" → { loaded: 100, total: 117 }, once the first page is there. */
export async function listCount(page: Page): Promise<{ loaded: number; total: number }> {
  const count = page.locator('.list-header .count');
  await count.filter({ hasText: / of / }).waitFor();
  return parseCount((await count.textContent()) ?? '');
}

export function parseCount(text: string): { loaded: number; total: number } {
  const match = /([\d,]+) of ([\d,]+)/.exec(text);
  if (!match) throw new Error(`not a list count: ${JSON.stringify(text)}`);
  return { loaded: Number(match[1]!.replace(/,/g, '')), total: Number(match[2]!.replace(/,/g, '')) };
}

/** The ticket number a row or the detail shows ("#123"). */
export async function ticketNumberOf(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  const match = /#(\d+)/.exec(text);
  if (!match) throw new Error(`no ticket number in ${JSON.stringify(text)}`);
  return Number(match[1]);
}

export interface Operation {
  name: string | null;
  kind: 'GET' | 'POST';
  variables: Record<string, unknown> | null;
  request: Request;
}

/** The GraphQL operation a request carries: in the URL for GETs, in the body for POSTs; null for anything else. */
function operationOf(request: Request): Operation | null {
  const url = new URL(request.url());
  if (url.pathname !== '/graphql') return null;
  if (request.method() === 'GET') {
    const variables = url.searchParams.get('variables');
    return { name: url.searchParams.get('operationName'), kind: 'GET', variables: variables ? JSON.parse(variables) : null, request };
  }
  if (request.method() !== 'POST') return null;
  const body = request.postDataJSON() as { operationName?: string; variables?: Record<string, unknown> } | null;
  return { name: body?.operationName ?? null, kind: 'POST', variables: body?.variables ?? null, request };
}

/** Every GraphQL operation the page sends from now on, in order. */
export function recordOperations(page: Page): Operation[] {
  const operations: Operation[] = [];
  page.on('request', (request) => {
    const operation = operationOf(request);
    if (operation) operations.push(operation);
  });
  return operations;
}

export const isOperation = (name: string) => (request: Request) => operationOf(request)?.name === name;

/**
 * Holds every request of one operation until `release()` (continue it) or `fail(body)` (answer it with
 * that body instead); other requests pass. `held` resolves with the first one held.
 */
export async function holdOperation(page: Page, name: string) {
  let arrived!: (request: Request) => void;
  const held = new Promise<Request>((resolve) => (arrived = resolve));
  let decide!: (action: (route: Route) => Promise<void>) => void;
  const decided = new Promise<(route: Route) => Promise<void>>((resolve) => (decide = resolve));
  await page.route('**/graphql*', async (route) => {
    if (operationOf(route.request())?.name !== name) return route.fallback();
    arrived(route.request());
    const action = await decided;
    await action(route);
  });
  return {
    held,
    release: () => decide((route) => route.continue()),
    fail: (body: unknown) => decide((route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) })),
  };
}

/** The demo organization's id (acme: where agent@, admin@ and customer@acme.test belong). */
export async function acmeId(server: TestServer): Promise<number> {
  const org = await server.database.prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' }, select: { id: true } });
  return org.id;
}

/** The acme ticket with this number, as the database has it now. */
export async function ticketInDb(server: TestServer, number: number) {
  const organizationId = await acmeId(server);
  return server.database.prisma.ticket.findUniqueOrThrow({
    where: { organizationId_number: { organizationId, number } },
    include: { comments: { orderBy: { id: 'asc' } } },
  });
}

/** How many acme tickets the list's default filter (open statuses) matches. */
export async function openTicketCount(server: TestServer): Promise<number> {
  const organizationId = await acmeId(server);
  return server.database.prisma.ticket.count({ where: { organizationId, status: { in: [...OPEN_STATUSES] } } });
}

/** The element that has focus: the index of its row in the list, if it is in one. */
export function focusedRowIndex(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const row = document.activeElement?.closest('[role="listitem"]');
    return row ? Number(row.getAttribute('data-index')) : null;
  });
}

// GraphiQL at /graphql works with nothing but this server: every file it loads and every request it makes
// go to the server's origin (anything else is recorded and blocked), a user signs in from the SignIn tab,
// puts the token in the header editor, runs a shipped operation with it and reads the data; the Docs list
// the schema's descriptions.
import { readFileSync } from 'node:fs';
import { getOperationAST, parse } from 'graphql';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { DEMO_ACCOUNTS } from '../../prisma/seed/demo-accounts.ts';
import { schema } from '../../schema/index.ts';
import { productionPersisted } from '../harness.ts';
import { withApp } from './app.ts';
import { screenshot } from './browser.ts';

// Allow mode, with the shipped client's manifest: GraphiQL sends documents, and the manifest's
// operations are its example tabs.
const persisted = { ...productionPersisted(), mode: 'allow' as const };
const app = withApp({ config: { persisted } });

/** The names of the operations the web client ships. */
function shippedOperationNames(): string[] {
  const manifest = JSON.parse(readFileSync(persisted.manifest!, 'utf8')) as Record<string, string>;
  return Object.values(manifest).map((document) => getOperationAST(parse(document))!.name!.value);
}

/** Records every request the context makes (pages and workers) and aborts any that would leave the origin. */
async function guardOrigin(context: BrowserContext, origin: string): Promise<{ urls: string[]; blocked: string[] }> {
  const urls: string[] = [];
  const blocked: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { urls, blocked };
}

/** Beyond the pages' default: Chromium parses GraphiQL's 5 MB bundle first, slow on a busy machine. */
const LOAD_TIMEOUT = 30_000;

/** Opens /graphql and waits for GraphiQL to have loaded the schema (its introspection POST). */
async function openGraphiQL(page: Page): Promise<void> {
  const [introspection] = await Promise.all([
    page.waitForResponse(
      (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes('__schema'),
      { timeout: LOAD_TIMEOUT },
    ),
    page.goto('/graphql', { timeout: LOAD_TIMEOUT }),
  ]);
  expect(introspection.status()).toBe(200);
}

/**
 * Selects a tab by its button's click event. GraphiQL's tabs are framer-motion drag-to-reorder items, and
 * under playwright a pointer press on one is taken for the start of a drag (the item jumps, the release
 * lands elsewhere) once there are more than a few tabs: yoga's own GraphiQL page does the same with six
 * tabs of its own. What is tested here is what the tab then runs, not framer-motion.
 */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).getByRole('button', { name, exact: true }).dispatchEvent('click');
  await expect.poll(() => page.getByRole('tab', { selected: true }).innerText()).toBe(name);
  // The tab's title changes before its editor holds the tab's document; running in between sends the
  // previous tab's operation name with this document ("Cannot infer operation SignIn", seen in CI).
  await expect
    .poll(async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/\u00a0/g, ' '))
    .toMatch(new RegExp(`\\b${name}\\b`));
}

/** The result pane's text (Monaco draws spaces as no-break spaces). */
const responseText = async (page: Page): Promise<string> => (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');

/** Runs the active tab's operation and returns the result pane's text once it shows `expected`. */
async function run(page: Page, expected: RegExp): Promise<string> {
  // GraphiQL takes the operation name from its editor a debounce after the document changes; a run
  // right after a tab switch can still send the previous tab's name ("Cannot infer operation SignIn",
  // answered by GraphiQL itself, no request sent). A person clicks later than that; the test asks again.
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: /^Execute query/ }).click();
    await expect.poll(() => responseText(page), { timeout: 20_000 }).toMatch(new RegExp(`${expected.source}|Cannot infer operation`));
    const text = await responseText(page);
    if (!/Cannot infer operation/.test(text) || attempt === 5) return text;
    await page.waitForTimeout(250); // past the editor's debounce
  }
}

/** Replaces the active tab's headers with `text` (GraphiQL's Monaco editor, as a user would type it). */
async function setHeaders(page: Page, text: string): Promise<void> {
  await page.getByRole('button', { name: 'Headers' }).click();
  const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

test('signs in, runs a shipped operation with the token, and no request leaves the origin', async () => {
  const { page, context, expectNoErrors } = await app.open();
  const traffic = await guardOrigin(context, app.baseUrl);
  await openGraphiQL(page);

  // The SignIn and first-query tabs, then one per shipped operation (the shipped SignIn is the first tab's).
  const titles = (await page.getByRole('tab').allInnerTexts()).map((title) => title.trim());
  expect(titles.slice(0, 2)).toEqual(['SignIn', 'MyOpenTickets']);
  const shipped = shippedOperationNames();
  expect(shipped.length).toBeGreaterThan(10);
  expect(titles.slice(2).sort()).toEqual(shipped.filter((name) => name !== 'SignIn').sort());
  expect(await page.getByRole('tab', { selected: true }).innerText()).toBe('SignIn');

  // Its header editor says how to get a token.
  await page.getByRole('button', { name: 'Headers' }).click();
  const headerEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  // Monaco draws the lines after the editor shows (with the two live documents' tabs, not always at once).
  await headerEditor.getByText('Run the SignIn tab').waitFor();
  const headers = (await headerEditor.innerText()).replace(/\u00a0/g, ' ');
  expect(headers).toContain('Run the SignIn tab, then put its token here');
  expect(headers).toContain('"Authorization": "Bearer dg_…"');

  // The SignIn tab is active, its variables hold the demo agent: run it, read the token.
  const agent = DEMO_ACCOUNTS.find((account) => account.role === 'AGENT')!;
  const signedIn = await run(page, /"token":\s*"dg_/);
  const token = /"token":\s*"(dg_[\w-]+)"/.exec(signedIn)?.[1];
  expect(token, signedIn).toBeDefined();
  expect(signedIn).toContain(`"name": "${agent.name}"`);

  // The shipped Viewer query, without a token, then with it in the header editor.
  await openTab(page, 'Viewer');
  expect(await run(page, /"viewer": null/)).toContain('"viewer": null');
  await setHeaders(page, JSON.stringify({ Authorization: `Bearer ${token}` }));
  const viewer = await run(page, /"email": "/);
  expect(viewer).toContain(`"email": "${agent.email}"`);
  expect(viewer).toContain(`"name": "${agent.name}"`);
  await screenshot(page, 'graphiql-viewer');

  expect(traffic.urls.length).toBeGreaterThan(5);
  expect(traffic.urls.filter((url) => new URL(url).origin !== app.baseUrl)).toEqual([]);
  expect(traffic.blocked).toEqual([]);
  expectNoErrors();
});

test("the docs explorer lists the schema's descriptions", async () => {
  const { page, context, expectNoErrors } = await app.open();
  const traffic = await guardOrigin(context, app.baseUrl);
  await openGraphiQL(page);

  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByRole('link', { name: 'Query' }).first().click();
  const query = schema.getQueryType()!;
  await docs.getByText(query.description!).waitFor();
  const tickets = query.getFields().tickets!;
  await docs.getByText(tickets.description!).first().waitFor();
  await screenshot(page, 'graphiql-docs');

  expect(traffic.urls.filter((url) => new URL(url).origin !== app.baseUrl)).toEqual([]);
  expectNoErrors();
});

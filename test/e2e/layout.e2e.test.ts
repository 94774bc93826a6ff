// The layout from a small phone to a desktop: at 360 × 740, 400 × 800 and 1280 × 800, as a demo agent,
// the ticket list, a ticket, the dashboard and the performance panel scroll only vertically, and ticket
// titles are whole (inside the viewport, not cut off). Screenshots of each view are kept, passing or
// not, in test-results/screenshots/layout--<width>--<view>.png.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { withApp } from './app.ts';
import { screenshot } from './browser.ts';
import { detail, listRows, signIn } from './ui.ts';

const app = withApp();

const VIEWPORTS = [
  { width: 360, height: 740 },
  { width: 400, height: 800 },
  { width: 1280, height: 800 },
] as const;

/** The page is no wider than the window: nothing makes it scroll sideways. */
async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth, widest } = await page.evaluate(() => {
    // The element reaching furthest right, to name in the failure.
    let widest = { right: 0, element: '' };
    for (const element of document.body.querySelectorAll('*')) {
      const right = element.getBoundingClientRect().right;
      if (right > widest.right) widest = { right, element: `${element.tagName.toLowerCase()}.${element.className}` };
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
  });
  expect(
    scrollWidth,
    `${where}: the page is ${scrollWidth} px wide in a ${innerWidth} px window (widest: ${widest.element})`,
  ).toBeLessThanOrEqual(innerWidth);
}

/**
 * A title is shown whole: a box of some size inside the window's width, and no text cut off (an
 * ellipsis or overflow leaves scrollWidth above clientWidth; a title that wraps does not).
 */
async function expectWholeTitle(title: Locator, where: string): Promise<void> {
  await title.waitFor();
  const box = await title.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return {
      text: element.textContent ?? '',
      left: rect.left,
      right: rect.right,
      width: rect.width,
      height: rect.height,
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
      scrollHeight: element.scrollHeight,
      clientHeight: element.clientHeight,
      innerWidth: window.innerWidth,
    };
  });
  const what = `${where}: title ${JSON.stringify(box.text)}`;
  expect(box.text.trim().length, `${what} has text`).toBeGreaterThan(0);
  expect(box.width * box.height, `${what} has a size`).toBeGreaterThan(0);
  expect(box.left, `${what} starts inside the window`).toBeGreaterThanOrEqual(0);
  expect(box.right, `${what} ends inside the window`).toBeLessThanOrEqual(box.innerWidth);
  expect(box.scrollWidth, `${what} is not cut off on the right`).toBeLessThanOrEqual(box.clientWidth);
  expect(box.scrollHeight, `${what} is not cut off below`).toBeLessThanOrEqual(box.clientHeight);
}

/** The titles of the list's rows in view (at least three of them) are whole. */
async function expectRowTitlesWhole(page: Page, where: string): Promise<void> {
  const scroller = await page.locator('.list-scroller').boundingBox();
  let checked = 0;
  for (const row of await listRows(page).all()) {
    const box = await row.boundingBox();
    if (!box || !scroller || box.y + box.height > scroller.y + scroller.height) continue; // below the fold of the list
    await expectWholeTitle(row.locator('.row-title'), `${where}, row ${checked + 1}`);
    checked += 1;
  }
  expect(checked, `${where}: rows checked`).toBeGreaterThanOrEqual(3);
}

describe.each(VIEWPORTS)('at $width × $height', (viewport) => {
  const name = (view: string) => `layout--${viewport.width}--${view}`;

  test('the list, a ticket, the dashboard and the performance panel fit the width; ticket titles show whole', async () => {
    const { page, expectNoErrors } = await app.open('/sign-in', { viewport });
    await page.getByLabel('Email').waitFor();
    await expectNoHorizontalScroll(page, 'sign-in');
    await screenshot(page, name('sign-in'));
    await signIn(page);

    // The list: the rows in view, each title whole (it wraps rather than being cut).
    const rows = listRows(page);
    await rows.first().waitFor();
    await expectNoHorizontalScroll(page, 'list');
    await expectRowTitlesWhole(page, 'list');
    await screenshot(page, name('list'));

    // A ticket: its title and body readable within the width.
    const second = rows.nth(1);
    const rowTitle = (await second.locator('.row-title').textContent()) ?? '';
    await second.getByRole('link').click();
    const panel = detail(page);
    const heading = panel.getByRole('heading', { level: 2 });
    await expect(heading.textContent()).resolves.toBe(rowTitle);
    await panel.getByRole('heading', { name: /^Comments/ }).waitFor();
    await expectWholeTitle(heading, 'ticket');
    await expectNoHorizontalScroll(page, 'ticket');
    // Where the list stays beside the ticket, its titles are whole there too.
    if (await page.locator('.list-scroller').isVisible()) await expectRowTitlesWhole(page, 'list beside the ticket');
    const body = await panel.locator('.ticket-body').boundingBox();
    expect(body && body.x >= 0 && body.x + body.width <= viewport.width, 'the ticket body is inside the window').toBe(true);
    await screenshot(page, name('ticket'));

    // Back to the list from the ticket, as a phone user would.
    await panel.getByRole('link', { name: 'Close ticket' }).click();
    await page.waitForURL('**/tickets');
    await expectWholeTitle(rows.first().locator('.row-title'), 'list after closing the ticket');

    // The dashboard, through the header's navigation.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL('**/dashboard');
    await page.locator('.chart').first().waitFor();
    await expectNoHorizontalScroll(page, 'dashboard');
    await screenshot(page, name('dashboard'));

    // The performance panel: its charts and tables within the width too.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Performance' }).click();
    await page.waitForURL('**/performance');
    await page.locator('table.data').first().waitFor();
    await expectNoHorizontalScroll(page, 'performance');
    await screenshot(page, name('performance'));

    // The header: every link and the sign-out button inside the window.
    for (const control of [
      ...(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()),
      page.getByRole('button', { name: 'Sign out' }),
    ]) {
      const box = await control.boundingBox();
      expect(
        box && box.width > 0 && box.x >= 0 && box.x + box.width <= viewport.width,
        `${await control.textContent()} is inside the window`,
      ).toBe(true);
    }
    expectNoErrors();
  });
});

// The built client, served by the real server, starts in Chromium without an error.
import { expect, test } from 'vitest';
import { withApp } from './app.ts';
import { screenshot } from './browser.ts';

const app = withApp();

test('the home page renders the React app without errors', async () => {
  const { page, expectNoErrors } = await app.open('/');
  await page.locator('#root > *').first().waitFor({ state: 'attached' });
  expect(await page.locator('#root').evaluate((root) => root.childElementCount)).toBeGreaterThan(0);
  // Errors can arrive after React's first render (a lazy chunk, the first query, the favicon): let
  // everything the page fetches by itself finish before judging.
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'smoke-home');
  expectNoErrors();
});

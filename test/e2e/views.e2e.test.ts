// The dashboard and the performance panel, the Web Vitals the client reports, and accessibility checks
// (every control named, text contrast at WCAG AA) on the list, a ticket and the dashboard.
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { withApp } from './app.ts';
import { networkSettled, screenshot } from './browser.ts';
import { acmeId, detail, isOperation, listRows, signIn } from './ui.ts';

const app = withApp();

interface PromMetric {
  name: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

async function metrics(): Promise<PromMetric[]> {
  const response = await fetch(`${app.baseUrl}/metrics`, { headers: { accept: 'application/json' } });
  expect(response.status).toBe(200);
  return (await response.json()) as PromMetric[];
}

/** A histogram's observation count and sum, over every label set (or those of one route). */
function histogram(snapshot: PromMetric[], name: string, route?: string): { count: number; sum: number } {
  const values = (snapshot.find((m) => m.name === name)?.values ?? []).filter((v) => route === undefined || v.labels.route === route);
  const total = (suffix: string) => values.filter((v) => v.metricName === `${name}${suffix}`).reduce((sum, v) => sum + v.value, 0);
  return { count: total('_count'), sum: total('_sum') };
}

const VITALS = {
  LCP: { metric: 'deskgraph_web_vitals_lcp_seconds', scale: 1000, unit: 'ms' },
  INP: { metric: 'deskgraph_web_vitals_inp_seconds', scale: 1000, unit: 'ms' },
  CLS: { metric: 'deskgraph_web_vitals_cls', scale: 1, unit: '' },
  FCP: { metric: 'deskgraph_web_vitals_fcp_seconds', scale: 1000, unit: 'ms' },
  TTFB: { metric: 'deskgraph_web_vitals_ttfb_seconds', scale: 1000, unit: 'ms' },
} as const;

/** "Open: 80, In progress: 31" (a chart's text alternative) → { Open: 80, "In progress": 31 }. */
function chartValues(label: string): Record<string, number> {
  const [, list = ''] = /\. (.*)$/.exec(label) ?? [];
  return Object.fromEntries(
    list
      .split(', ')
      .filter(Boolean)
      .map((pair) => {
        const [name, value] = pair.split(': ');
        return [name!, Number(value!.replace(/,/g, ''))];
      }),
  );
}

const statusLabel = (status: string) => status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');

/** Every text of every chart lies inside its figure, and inside the page (nothing clipped or scrolled off). */
async function expectLabelsInside(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const outside: string[] = [];
        const width = document.documentElement.clientWidth;
        for (const figure of document.querySelectorAll('figure.chart')) {
          const box = figure.getBoundingClientRect();
          for (const text of figure.querySelectorAll('svg text')) {
            const r = text.getBoundingClientRect();
            if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.right > width)
              outside.push(`${text.textContent} (${Math.round(r.right)} > ${Math.round(box.right)})`);
          }
        }
        return outside;
      }),
    )
    .toEqual([]);
}

test('the dashboard and the performance panel draw their charts', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  const firstList = page.waitForRequest(isOperation('TicketList'));
  await signIn(page);
  const listUrl = new URL((await firstList).url());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

  const bars = ['Open tickets by age', 'Open tickets by priority', 'Open tickets per assignee'];
  for (const caption of bars) {
    const figure = page.getByRole('figure', { name: caption });
    await figure.waitFor();
    expect(await figure.locator('rect.chart-bar').count()).toBeGreaterThan(0);
  }
  // 30 days, two lines.
  const daily = page.getByRole('figure', { name: /^Tickets created and resolved per day/ });
  for (const line of ['chart-line-0', 'chart-line-1']) {
    expect(((await daily.locator(`polyline.${line}`).getAttribute('points')) ?? '').trim().split(' ')).toHaveLength(30);
  }
  // The bars say what the database says.
  const organizationId = await acmeId(app.server);
  const byPriority = await app.server.database.prisma.ticket.groupBy({
    by: ['priority'],
    where: { organizationId, status: { in: ['OPEN', 'IN_PROGRESS', 'PENDING'] } },
    _count: { _all: true },
  });
  const drawn = chartValues(
    (await page.getByRole('figure', { name: 'Open tickets by priority' }).getByRole('img').getAttribute('aria-label')) ?? '',
  );
  const open = Object.fromEntries(byPriority.map((p) => [statusLabel(p.priority), p._count._all]));
  expect(drawn).toEqual({ Urgent: open.Urgent ?? 0, High: open.High ?? 0, Medium: open.Medium ?? 0, Low: open.Low ?? 0 });
  await expect(page.locator('.dash-figures dd').first().textContent()).resolves.toBe(
    Object.values(open)
      .reduce((sum, n) => sum + n, 0)
      .toLocaleString('en'),
  );
  // No label drawn outside its chart, on a desktop and on a phone.
  await expectLabelsInside(page);
  await page.setViewportSize({ width: 360, height: 800 });
  await expectLabelsInside(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'dashboard');

  // The panel polls /metrics: two answers make a line.
  const polls: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/metrics') polls.push(response.status());
  });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Performance' }).click();
  await page.getByRole('heading', { name: 'Performance', level: 1 }).waitFor();
  const latency = page.getByRole('figure', { name: 'Latency per interval (ms)' });
  const hitRate = page.getByRole('figure', { name: 'Cache hit rate per interval (%)' });
  const pointsOf = async (figure: Locator) =>
    ((await figure.locator('polyline.chart-line-0').getAttribute('points')) ?? '').trim().split(' ').filter(Boolean).length;
  // The first answer covers everything since the server started: one point.
  await expect.poll(() => pointsOf(latency)).toBe(1);

  // A query in the next interval (the list's own, another page size: executed, not a cache hit), sent
  // as the client sends it, with the signed-in user's token: the next refresh draws a second point.
  const variables = JSON.parse(listUrl.searchParams.get('variables')!) as Record<string, unknown>;
  listUrl.searchParams.set('variables', JSON.stringify({ ...variables, first: 7 }));
  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('deskgraph.session')!) as { token: string }).token);
  const query = await fetch(listUrl, { headers: { authorization: `Bearer ${token}`, 'x-graphql-csrf': '1' } });
  expect(query.status).toBe(200);
  expect(((await query.json()) as { data: { tickets: { edges: unknown[] } } }).data.tickets.edges).toHaveLength(7);
  await expect.poll(() => pointsOf(latency), { timeout: 10_000 }).toBe(2);
  await expect.poll(() => pointsOf(hitRate)).toBeGreaterThanOrEqual(1);
  expect(polls.length).toBeGreaterThanOrEqual(2);
  expect(polls.every((status) => status === 200)).toBe(true);
  await expect(latency.getByRole('listitem').first().textContent()).resolves.toMatch(/^p50: [\d.,]+ ms$/);

  // The last requests: ours, in the interval after the first refresh.
  const recent = page.getByRole('table', { name: 'Last requests' });
  await recent.getByRole('rowheader', { name: 'TicketList', exact: true }).first().waitFor({ timeout: 10_000 });

  // Operations since start: the client's list query and ours.
  const operations = page.getByRole('table', { name: 'Operations since start' });
  const ticketList = operations.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'TicketList', exact: true }) });
  expect(Number(await ticketList.getByRole('cell').first().textContent())).toBeGreaterThanOrEqual(2);
  const vitals = page.getByRole('table', { name: /Core Web Vitals/ });
  expect(await vitals.getByRole('rowheader').allTextContents()).toEqual(['LCP', 'INP', 'CLS', 'FCP', 'TTFB']);
  await screenshot(page, 'performance');
  expectNoErrors();
});

test('Web Vitals are sent when the page is left and recorded in /metrics', async () => {
  const before = await metrics();
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page); // clicks and key presses: interactions INP measures
  const row = listRows(page).first();
  await row.getByRole('link').click();
  await detail(page).getByRole('heading', { level: 2 }).waitFor();
  await page.keyboard.press('Escape');
  await networkSettled(page);

  // Leaving for another page fires pagehide (and in Chromium no visibilitychange): the client sends
  // what it has measured, labelled with the route the page was loaded at.
  await page.goto('about:blank');

  const measured: Record<string, { count: number; mean: number }> = {};
  await expect
    .poll(async () => {
      const after = await metrics();
      for (const [name, { metric, scale }] of Object.entries(VITALS)) {
        const now = histogram(after, metric, '/sign-in');
        const then = histogram(before, metric, '/sign-in');
        const count = now.count - then.count;
        measured[name] = { count, mean: count > 0 ? ((now.sum - then.sum) / count) * scale : NaN };
      }
      return Object.fromEntries(Object.entries(measured).map(([name, { count }]) => [name, count > 0]));
    })
    .toEqual({ LCP: true, INP: true, CLS: true, FCP: true, TTFB: true });
  console.log(
    `Web Vitals of this run (headless Chromium, ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}): ` +
      Object.entries(VITALS)
        .map(
          ([name, { unit }]) =>
            `${name} ${name === 'CLS' ? measured[name]!.mean.toFixed(3) : Math.round(measured[name]!.mean)}${unit ? ` ${unit}` : ''}`,
        )
        .join(', '),
  );
  expectNoErrors();
});

const CONTROL_ROLES = ['button', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch'];

/**
 * The controls in Chromium's accessibility tree (as playwright's aria snapshot prints it: `- combobox
 * "Status"`, or `- button` when unnamed) without a name, and how many there are; and how many visible
 * input, select, textarea and button elements the page has, which should be as many.
 */
async function controlNames(page: Page): Promise<{ inTree: number; inDom: number; unnamed: string[] }> {
  const snapshot = await page.locator('body').ariaSnapshot();
  const controls = snapshot
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => CONTROL_ROLES.includes(/^- ([\w-]+)/.exec(line)?.[1] ?? ''));
  const inDom = await page.evaluate(
    () => [...document.querySelectorAll('input, select, textarea, button')].filter((el) => el.checkVisibility()).length,
  );
  return { inTree: controls.length, inDom, unnamed: controls.filter((line) => !/^- [\w-]+ "[^"]+"/.test(line)) };
}

interface ContrastFinding {
  selector: string;
  text: string;
  ratio: number;
}

/**
 * WCAG contrast of the text of every visible element each selector matches, against the background
 * painted behind it (ancestors' background colours composited), from getComputedStyle. SVG text uses
 * its fill; a field's text is its value. Returns the lowest ratio per selector.
 */
function contrast(page: Page, selectors: string[]): Promise<ContrastFinding[]> {
  return page.evaluate((selectors) => {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (css: string): Rgba => {
      const match = /rgba?\(([^)]+)\)/.exec(css);
      if (!match) throw new Error(`colour not understood: ${css}`);
      const [r = 0, g = 0, b = 0, a = 1] = match[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return { r, g, b, a };
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const luminance = ({ r, g, b }: Rgba) => {
      const channel = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const colour = parse(getComputedStyle(e).backgroundColor);
        if (colour.a > 0) layers.push(colour);
        if (colour.a >= 1) break;
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    return selectors.map((selector) => {
      let lowest = { selector, text: '', ratio: Infinity };
      for (const element of document.querySelectorAll(selector)) {
        const text =
          (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement ? element.value : element.textContent)?.trim() ??
          '';
        if (!text || element.getClientRects().length === 0 || (element as HTMLButtonElement).disabled) continue;
        const style = getComputedStyle(element);
        const back = background(element);
        const fore = over(parse(element instanceof SVGElement ? style.fill : style.color), back);
        const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a) as [number, number];
        const ratio = (light + 0.05) / (dark + 0.05);
        if (ratio < lowest.ratio) lowest = { selector, text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100 };
      }
      return lowest;
    });
  }, selectors);
}

async function expectAccessible(page: Page, where: string, selectors: string[], minControls: number): Promise<void> {
  const { inTree, inDom, unnamed } = await controlNames(page);
  expect(inDom, `${where}: controls on the page`).toBeGreaterThanOrEqual(minControls);
  expect(inTree, `${where}: controls in the accessibility tree`).toBe(inDom);
  expect(unnamed, `${where}: controls without an accessible name`).toEqual([]);
  const findings = await contrast(page, selectors);
  expect(
    findings.filter((f) => f.ratio === Infinity).map((f) => f.selector),
    `${where}: selectors that matched no text`,
  ).toEqual([]);
  expect(
    findings.filter((f) => f.ratio < 4.5),
    `${where}: text below 4.5:1`,
  ).toEqual([]);
}

const SHELL = ['.topbar .brand', '.topbar nav a', '.topbar .who span', '.topbar button'];

test('list, ticket and dashboard: every control has a name, text contrast is at least 4.5:1', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await expectAccessible(page, 'sign-in', ['h1', 'label', '.hint', 'input', 'button'], 3);
  await signIn(page);
  // The row badges of each status the list shows, and a priority of each kind.
  await expectAccessible(
    page,
    'list',
    [
      ...SHELL,
      'h1',
      '.list-header .count',
      '.filters label',
      'select',
      '.row-number',
      '.row-title',
      '.badge.status-open',
      '.badge.status-in_progress',
      '.priority',
      '.priority-high',
      '.priority-urgent',
      '.row-assignee',
      '.row-comments',
      '.row-date',
      '.toolbar > button',
    ],
    8,
  );
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  await dialog.waitFor();
  await expectAccessible(page, 'new ticket dialog', ['dialog h2', 'dialog label', 'dialog button', 'dialog button.secondary'], 5);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  const row = listRows(page)
    .filter({ has: page.locator('.row-comments', { hasText: /^\s*[1-9]\d* comments/ }) })
    .first();
  await row.getByRole('link').click();
  await detail(page).locator('.comment-body').first().waitFor();
  await expectAccessible(
    page,
    'ticket',
    [
      ...SHELL,
      '.row.selected .row-title',
      '.row.selected .row-number',
      '.ticket-detail .meta',
      '.ticket-detail h2',
      '.controls label',
      '.tag',
      '.tag button',
      '.ticket-body',
      '.comments h3',
      '.comment .meta',
      '.comment-body',
      '.add-comment label',
      '.add-comment button',
    ],
    12,
  );

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('figure', { name: 'Open tickets by age' }).waitFor();
  await expectAccessible(
    page,
    'dashboard',
    [...SHELL, 'h1', 'figcaption', '.chart-label', '.chart-value', '.dash-figures dt', '.dash-figures dd'],
    1,
  );
  expectNoErrors();
});

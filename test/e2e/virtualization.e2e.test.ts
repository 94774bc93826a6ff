// Ten thousand more tickets: scrolling loads them all, 100 at a time, while the DOM keeps only the rows
// in view. A file of its own: the inserted tickets would change what the other files' tests count.
import { beforeAll, expect, test } from 'vitest';
import { withApp } from './app.ts';
import { acmeId, listCount, listRows, openTicketCount, parseCount, signIn } from './ui.ts';

const app = withApp();
const EXTRA = 10_000;

beforeAll(async () => {
  // Straight into the database, before any page loads (the response cache has nothing to invalidate
  // yet): OPEN tickets numbered after acme's last one, requested by its first customer, older than the
  // seeded ones so the list's first page is unchanged.
  const organizationId = await acmeId(app.server);
  const inserted = await app.server.database.prisma.$executeRawUnsafe(
    `INSERT INTO "Ticket" ("organizationId", "number", "title", "body", "status", "priority", "requesterId", "createdAt", "updatedAt")
     SELECT $1, last.number + g, 'Bulk ticket ' || g, 'Inserted by the virtualization test.', 'OPEN', 'LOW', requester.id,
            TIMESTAMP '2020-01-01' - g * INTERVAL '1 minute', TIMESTAMP '2020-01-01' - g * INTERVAL '1 minute'
     FROM generate_series(1, ${EXTRA}) AS g,
          (SELECT max("number") AS number FROM "Ticket" WHERE "organizationId" = $1) AS last,
          (SELECT id FROM "User" WHERE "organizationId" = $1 AND role = 'CUSTOMER' ORDER BY id LIMIT 1) AS requester`,
    organizationId,
  );
  expect(inserted).toBe(EXTRA);
});

test('ten thousand loaded rows, never more than a screenful in the DOM', async () => {
  const { page, expectNoErrors } = await app.open('/sign-in');
  await signIn(page);
  const total = await openTicketCount(app.server);
  expect(total).toBeGreaterThan(EXTRA);
  let { loaded } = await listCount(page);
  expect(loaded).toBe(100);

  const count = page.locator('.list-header .count');
  const scroller = page.locator('.list-scroller');
  let steps = 0;
  while (loaded < total) {
    await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    // The next page arrives (the count grows); meanwhile the rows in the DOM stay a screenful.
    const previous = loaded;
    await page.waitForFunction(
      ({ previous }) => {
        const match = /([\d,]+) of/.exec(document.querySelector('.list-header .count')?.textContent ?? '');
        return match && Number(match[1]!.replace(/,/g, '')) > previous;
      },
      { previous },
    );
    loaded = parseCount((await count.textContent()) ?? '').loaded;
    expect(await listRows(page).count()).toBeLessThan(100);
    steps++;
  }
  expect(loaded).toBe(total);
  expect(steps).toBe(Math.ceil(total / 100) - 1);
  expect(parseCount((await count.textContent()) ?? '')).toEqual({ loaded: total, total });

  // The last row is drawn at the end, numbered as the list's last ticket.
  await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  const last = listRows(page).and(page.locator(`[data-index="${total - 1}"]`));
  await expect(last.locator('.row-title').textContent()).resolves.toBe(`Bulk ticket ${EXTRA}`);
  const rendered = await listRows(page).count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  expectNoErrors();
}, 180_000); // 100 pages on a shared 2-core CI machine: about 50 s when it is busy

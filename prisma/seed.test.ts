// The seed's promises: deterministic rows, the demo accounts, documented sizes, and data that
// respects the rules the API enforces (internal comments by staff, everything within one organization).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/platform/database.ts';
import { verifyPassword } from '../identity/passwords.ts';
import type { PrismaClient } from './generated/client.ts';
import { applyMigrations } from './migrations.ts';
import { DAY, SPAN_DAYS } from './seed/calendar.ts';
import { DEMO_ACCOUNTS, DEMO_CUSTOMER_MIN_TICKETS, DEMO_PASSWORD } from './seed/demo-accounts.ts';
import { plannedCounts } from './seed/planned-counts.ts';
import type { SeedProgress } from './seed/progress.ts';
import { seedDatabase, type SeedSummary } from './seed/seed-database.ts';
import { SeedError } from './seed/seed-error.ts';
import { ticketCountDrift } from '../test/ticket-count-drift.ts';

const SCALE = 0.02;
/** The seeded world's "now", fixed so that digests do not depend on the day the test runs. */
const NOW = new Date('2026-03-04T15:16:17.000Z');

/** A digest of every seeded table, row by row in primary-key order; passwordHash is salted per run. */
async function digest(prisma: PrismaClient): Promise<string> {
  const tables = await Promise.all([
    prisma.organization.findMany({ orderBy: { id: 'asc' } }),
    prisma.user.findMany({ orderBy: { id: 'asc' }, omit: { passwordHash: true } }),
    prisma.apiToken.findMany({ orderBy: { id: 'asc' } }),
    prisma.tag.findMany({ orderBy: { id: 'asc' } }),
    prisma.ticket.findMany({ orderBy: { id: 'asc' } }),
    prisma.ticketTag.findMany({ orderBy: [{ ticketId: 'asc' }, { tagId: 'asc' }] }),
    prisma.comment.findMany({ orderBy: { id: 'asc' } }),
  ]);
  return createHash('sha256').update(JSON.stringify(tables)).digest('hex');
}

async function tableCounts(prisma: PrismaClient) {
  const [organizations, users, apiTokens, tags, tickets, ticketTags, comments] = await Promise.all([
    prisma.organization.count(),
    prisma.user.count(),
    prisma.apiToken.count(),
    prisma.tag.count(),
    prisma.ticket.count(),
    prisma.ticketTag.count(),
    prisma.comment.count(),
  ]);
  return { organizations, users, apiTokens, tags, tickets, ticketTags, comments };
}

describe('plannedCounts', () => {
  it('is 5 organizations, 500 users, 20,000 tickets and 100,000 comments at scale 1, and scales linearly', () => {
    expect(plannedCounts(1)).toEqual({ organizations: 5, users: 500, tags: 60, tickets: 20_000, comments: 100_000 });
    expect(plannedCounts(2)).toEqual({ organizations: 10, users: 1000, tags: 120, tickets: 40_000, comments: 200_000 });
  });

  it('keeps acme and globex, each with an admin, an agent and a customer, at any scale', () => {
    expect(plannedCounts(0.02)).toEqual({ organizations: 2, users: 10, tags: 24, tickets: 400, comments: 2000 });
    expect(plannedCounts(0.0001)).toEqual({ organizations: 2, users: 6, tags: 24, tickets: 20, comments: 100 });
  });

  it('refuses a scale that is not above 0', () => {
    for (const scale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => plannedCounts(scale)).toThrow(SeedError);
  });
});

describe('seedDatabase', () => {
  let db: Database;
  let prisma: PrismaClient;
  let first: SeedSummary;
  let firstDigest: string;
  const progress: SeedProgress[] = [];

  beforeAll(async () => {
    db = await openDatabase({ kind: 'embedded', dataDir: null });
    prisma = db.prisma;
    await applyMigrations(db.adapterFactory);
    first = await seedDatabase(prisma, { scale: SCALE, now: NOW, onProgress: (p) => progress.push(p) });
    firstDigest = await digest(prisma);
  });

  afterAll(async () => {
    await db?.close();
  });

  it('inserts the planned number of rows and reports them', async () => {
    const planned = plannedCounts(SCALE);
    expect(first.counts).toMatchObject(planned);
    expect(first.counts.apiTokens).toBe(0);
    expect(first.counts.ticketTags).toBeGreaterThan(0);
    expect(await tableCounts(prisma)).toEqual(first.counts);
    expect(first).toMatchObject({ scale: SCALE, seed: 1 });
    expect(first.elapsedMs).toBeGreaterThan(0);
  });

  it('reports progress per table, ending at each total', () => {
    const last = new Map(progress.map((p) => [p.table, p]));
    expect([...last.keys()]).toEqual(['organizations', 'users', 'tags', 'tickets', 'ticketTags', 'comments']);
    for (const p of last.values()) expect(p.done).toBe(p.total);
    expect(last.get('comments')!.total).toBe(first.counts.comments);
  });

  it('refuses a database that already has data, and leaves it untouched', async () => {
    await expect(seedDatabase(prisma, { scale: SCALE, now: NOW })).rejects.toThrow(/already has 2 organizations.*reset/);
    expect(await digest(prisma)).toBe(firstDigest);
  });

  it('refuses a database that is not migrated, naming the command to run', async () => {
    // PGlite has a single session, so the search path set here applies to the seed's own queries.
    await prisma.$executeRawUnsafe('CREATE SCHEMA IF NOT EXISTS not_migrated');
    await prisma.$executeRawUnsafe('SET search_path TO not_migrated');
    try {
      await expect(seedDatabase(prisma, { scale: SCALE, now: NOW })).rejects.toThrow(/not migrated.*npm run db:migrate/);
    } finally {
      await prisma.$executeRawUnsafe('SET search_path TO public');
    }
  });

  it('gives every demo account its role, its organization and DEMO_PASSWORD', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const user = await prisma.user.findUnique({ where: { email: account.email }, include: { organization: true } });
      expect(user, account.email).toMatchObject({ role: account.role, name: account.name });
      expect(user!.organization.slug).toBe(account.organizationSlug);
      expect(await verifyPassword(DEMO_PASSWORD, user!.passwordHash!)).toBe(true);
    }
    const acme = await prisma.organization.findUnique({ where: { slug: 'acme' } });
    expect(acme?.name).toBe('Acme Inc.');
    const hashes = await prisma.user.groupBy({ by: ['passwordHash'] });
    expect(hashes).toHaveLength(1);
    expect(await verifyPassword('not the password', hashes[0]!.passwordHash!)).toBe(false);
  });

  it("gives acme's demo customer tickets with conversations, some with internal notes", async () => {
    const tickets = await prisma.ticket.findMany({
      where: { requester: { email: 'customer@acme.test' } },
      include: { comments: true, organization: true },
    });
    expect(tickets.length).toBeGreaterThanOrEqual(Math.max(5, DEMO_CUSTOMER_MIN_TICKETS));
    expect(tickets.every((t) => t.organization.slug === 'acme')).toBe(true);
    expect(tickets.filter((t) => t.comments.length > 0).length).toBeGreaterThanOrEqual(5);
    expect(tickets.filter((t) => t.comments.some((c) => c.internal)).length).toBeGreaterThan(0);
  });

  it('never has a customer author an internal comment', async () => {
    const internalByCustomers = await prisma.comment.count({ where: { internal: true, author: { role: 'CUSTOMER' } } });
    expect(internalByCustomers).toBe(0);
    expect(await prisma.comment.count({ where: { internal: true } })).toBeGreaterThan(0);
  });

  it('keeps requesters, assignees, authors and tags inside the ticket’s organization', async () => {
    type Row = { badRequesters: number; badAssignees: number; badAuthors: number; badTags: number; unassigned: number; tickets: number };
    const [row] = await prisma.$queryRawUnsafe<Row[]>(`
      SELECT
        (SELECT count(*)::int FROM "Ticket" t JOIN "User" u ON u.id = t."requesterId"
          WHERE u."organizationId" <> t."organizationId" OR u.role <> 'CUSTOMER') AS "badRequesters",
        (SELECT count(*)::int FROM "Ticket" t JOIN "User" u ON u.id = t."assigneeId"
          WHERE u."organizationId" <> t."organizationId" OR u.role = 'CUSTOMER') AS "badAssignees",
        (SELECT count(*)::int FROM "Comment" c JOIN "Ticket" t ON t.id = c."ticketId" JOIN "User" u ON u.id = c."authorId"
          WHERE u."organizationId" <> t."organizationId" OR (u.role = 'CUSTOMER' AND u.id <> t."requesterId")) AS "badAuthors",
        (SELECT count(*)::int FROM "TicketTag" tt JOIN "Ticket" t ON t.id = tt."ticketId" JOIN "Tag" g ON g.id = tt."tagId"
          WHERE g."organizationId" <> t."organizationId") AS "badTags",
        (SELECT count(*)::int FROM "Ticket" WHERE "assigneeId" IS NULL) AS unassigned,
        (SELECT count(*)::int FROM "Ticket") AS tickets`);
    expect(row).toMatchObject({ badRequesters: 0, badAssignees: 0, badAuthors: 0, badTags: 0 });
    expect(row!.unassigned / row!.tickets).toBeGreaterThan(0.05);
    expect(row!.unassigned / row!.tickets).toBeLessThan(0.4);
  });

  it('numbers tickets 1..n per organization in creation order, with consistent timestamps', async () => {
    const [row] = await prisma.$queryRawUnsafe<Record<string, number>[]>(
      `
      SELECT
        (SELECT count(*)::int FROM (
          SELECT number, row_number() OVER (PARTITION BY "organizationId" ORDER BY "createdAt", id) AS expected FROM "Ticket"
        ) x WHERE number <> expected) AS "badNumbers",
        (SELECT count(*)::int FROM "Ticket" WHERE "updatedAt" < "createdAt" OR "updatedAt" > $1::timestamp(3)) AS "badTicketTimes",
        (SELECT count(*)::int FROM "Comment" c JOIN "Ticket" t ON t.id = c."ticketId"
          WHERE c."createdAt" < t."createdAt" OR c."createdAt" > t."updatedAt") AS "badCommentTimes"`,
      NOW.toISOString(),
    );
    expect(row).toEqual({ badNumbers: 0, badTicketTimes: 0, badCommentTimes: 0 });
  });

  it('dates tickets in the 90 days before now, today and yesterday included, resolvedAt exactly on RESOLVED and CLOSED', async () => {
    type Row = { oldest: Date; newest: Date; lastDay: number; lastMonth: number; badResolved: number; resolved: number };
    const [row] = await prisma.$queryRawUnsafe<Row[]>(
      `
      SELECT min("createdAt") AS oldest, max("createdAt") AS newest,
        count(*) FILTER (WHERE "createdAt" > $1::timestamp(3) - interval '1 day')::int AS "lastDay",
        count(*) FILTER (WHERE "createdAt" > $1::timestamp(3) - interval '30 days')::int AS "lastMonth",
        count(*) FILTER (WHERE ("resolvedAt" IS NOT NULL) <> (status IN ('RESOLVED', 'CLOSED'))
                            OR "resolvedAt" < "createdAt" OR "resolvedAt" > "updatedAt")::int AS "badResolved",
        count("resolvedAt")::int AS resolved
      FROM "Ticket"`,
      NOW.toISOString(),
    );
    expect(row!.oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - SPAN_DAYS * DAY);
    expect(row!.newest.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(row!.lastDay).toBeGreaterThan(0);
    expect(row!.lastMonth).toBeGreaterThan(row!.lastDay);
    expect(row!.badResolved).toBe(0);
    expect(row!.resolved).toBeGreaterThan(0);
  });

  it('moves the id sequences past the seeded ids, so later inserts do not collide', async () => {
    const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    const tag = await prisma.tag.create({ data: { organizationId: acme.id, name: 'added-after-seed' } });
    expect(tag.id).toBe(first.counts.tags + 1);
    const org = await prisma.organization.create({ data: { slug: 'added-after-seed', name: 'Added' } });
    expect(org.id).toBe(first.counts.organizations + 1);
  });

  it('gives identical rows for the same scale and seed (reset empties everything first)', async () => {
    const again = await seedDatabase(prisma, { scale: SCALE, seed: 1, reset: true, now: NOW });
    expect(again.counts).toEqual(first.counts);
    expect(await digest(prisma)).toBe(firstDigest);
    // TicketCount, kept by triggers through the seed's bulk inserts and the reset's TRUNCATE.
    expect(await ticketCountDrift(prisma)).toEqual([]);
    expect(await prisma.ticketCount.aggregate({ _sum: { count: true } })).toEqual({ _sum: { count: first.counts.tickets } });
  });

  it('gives different rows for another seed', async () => {
    await seedDatabase(prisma, { scale: SCALE, seed: 2, reset: true, now: NOW });
    expect(await digest(prisma)).not.toBe(firstDigest);
  });
});

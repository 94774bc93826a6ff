// The loaders read through the driver adapter, not Prisma's query API (schema/sql/reader.ts): their rows
// must be exactly Prisma's — every column, Date objects, enums by name, nulls — or resolvers and cached
// responses would change without anyone noticing. Each loader is compared with the Prisma query it replaced.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '../prisma/generated/client.ts';
import { createLoaders } from '../schema/loaders.ts';
import { readTicketPage } from '../schema/ticket/list-sql.ts';
import { openDatabase, type Database } from '../server/platform/database.ts';
import { statementsSent } from '../server/platform/sql-statements.ts';
import { copyTemplate } from './template-db.ts';

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  const copy = await copyTemplate(inject('template'));
  database = await openDatabase(copy.config, copy.options);
  drop = copy.drop;
});

afterAll(async () => {
  await database?.close();
  await drop?.();
});

const viewerOf = async (role: Role) => {
  const user = await database.prisma.user.findFirstOrThrow({ where: { role }, orderBy: { id: 'asc' } });
  return { userId: user.id, organizationId: user.organizationId, role };
};

describe('loaders read rows exactly as Prisma does', () => {
  it('every model by id, every column (nulls and non-nulls alike), in one counted statement per model', async () => {
    const { prisma } = database;
    const loaders = createLoaders(prisma, null);
    // The seed gives every user a password and no avatar: one user the other way round.
    const { id: organizationId } = await prisma.organization.findFirstOrThrow();
    await prisma.user.create({
      data: { organizationId, email: 'sql-reader@test.test', name: 'Reader', role: 'CUSTOMER', avatarUrl: 'https://example.test/a.png' },
    });
    const [organizations, users, tickets, comments, tags] = await Promise.all([
      prisma.organization.findMany({ orderBy: { id: 'asc' } }),
      prisma.user.findMany({ orderBy: { id: 'asc' } }),
      prisma.ticket.findMany({ orderBy: { id: 'asc' }, take: 300 }),
      prisma.comment.findMany({ orderBy: { id: 'asc' }, take: 300 }),
      prisma.tag.findMany({ orderBy: { id: 'asc' } }),
    ]);
    // The sample holds both values of every nullable or boolean column, or the comparison proves less than it says.
    expect(new Set(users.map((u) => u.passwordHash === null))).toEqual(new Set([true, false]));
    expect(new Set(users.map((u) => u.avatarUrl === null))).toEqual(new Set([true, false]));
    expect(new Set(tickets.map((t) => t.assigneeId === null))).toEqual(new Set([true, false]));
    expect(new Set(tickets.map((t) => t.resolvedAt === null))).toEqual(new Set([true, false]));
    expect(new Set(comments.map((c) => c.internal))).toEqual(new Set([true, false]));

    const before = statementsSent();
    const missing = 2_000_000_000;
    const [o, u, t, c, g] = await Promise.all([
      loaders.organization.loadMany(organizations.map((row) => row.id)),
      loaders.user.loadMany([...users.map((row) => row.id), missing]),
      loaders.ticket.loadMany(tickets.map((row) => row.id)),
      loaders.comment.loadMany(comments.map((row) => row.id)),
      loaders.tag.loadMany(tags.map((row) => row.id)),
    ]);
    expect(statementsSent() - before).toBe(5);
    expect(o).toStrictEqual(organizations);
    expect(u).toStrictEqual([...users, null]);
    expect(t).toStrictEqual(tickets);
    expect(c).toStrictEqual(comments);
    expect(g).toStrictEqual(tags);
  });

  it('a ticket brings its requester and assignee into the user loader: loading them costs no statement', async () => {
    const { prisma } = database;
    const loaders = createLoaders(prisma, null);
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { assigneeId: { not: null } }, orderBy: { id: 'asc' } });
    expect(await loaders.ticket.load(ticket.id)).toStrictEqual(ticket);
    const before = statementsSent();
    const [requester, assignee] = await loaders.user.loadMany([ticket.requesterId, ticket.assigneeId!]);
    expect(statementsSent() - before).toBe(0);
    expect(requester).toStrictEqual(await prisma.user.findUnique({ where: { id: ticket.requesterId } }));
    expect(assignee).toStrictEqual(await prisma.user.findUnique({ where: { id: ticket.assigneeId! } }));
  });

  it("the ticket list's first page, as a customer and with status and priority filters, as Prisma's findMany", async () => {
    const { prisma } = database;
    const customer = await viewerOf('CUSTOMER');
    const agent = await viewerOf('AGENT');
    const mine = await readTicketPage(prisma, { viewer: customer, field: 'createdAt', ascending: false, limit: 20 });
    expect(mine.length).toBeGreaterThan(1);
    expect(mine).toStrictEqual(
      await prisma.ticket.findMany({
        where: { organizationId: customer.organizationId, requesterId: customer.userId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 20,
      }),
    );
    const status = ['OPEN' as const, 'PENDING' as const];
    const priority = ['HIGH' as const, 'LOW' as const];
    const filtered = await readTicketPage(prisma, { viewer: agent, status, priority, field: 'updatedAt', ascending: true, limit: 30 });
    expect(filtered.length).toBeGreaterThan(1);
    expect(filtered).toStrictEqual(
      await prisma.ticket.findMany({
        where: { organizationId: agent.organizationId, status: { in: status }, priority: { in: priority } },
        orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
        take: 30,
      }),
    );
  });

  it('tags by ticket and by organization, by name', async () => {
    const { prisma } = database;
    const loaders = createLoaders(prisma, null);
    const tagged = await prisma.ticketTag.findMany({ distinct: ['ticketId'], take: 20, orderBy: { ticketId: 'asc' } });
    const ticketIds = [...tagged.map((row) => row.ticketId), 2_000_000_000];
    const expected = await Promise.all(
      ticketIds.map((ticketId) =>
        prisma.tag.findMany({ where: { tickets: { some: { ticketId } } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      ),
    );
    expect(expected.filter((list) => list.length > 0).length).toBe(tagged.length);
    expect(await loaders.tagsByTicket.loadMany(ticketIds)).toStrictEqual(expected);

    const organizationIds = (await prisma.organization.findMany()).map((row) => row.id);
    const byOrganization = await Promise.all(
      organizationIds.map((organizationId) =>
        prisma.tag.findMany({ where: { organizationId }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      ),
    );
    expect(await loaders.tagsByOrganization.loadMany(organizationIds)).toStrictEqual(byOrganization);
  });

  it('pages of children, scoped to what a customer may see, with cursors, in one statement per shape', async () => {
    const { prisma } = database;
    const customer = await viewerOf('CUSTOMER');
    const loaders = createLoaders(prisma, customer);
    const requested = await prisma.ticket.findMany({ where: { requesterId: customer.userId }, orderBy: { id: 'asc' } });
    expect(requested.length).toBeGreaterThan(1);
    const ticketIds = requested.map((ticket) => ticket.id);

    const window = { limit: 3, inverted: false };
    const before = statementsSent();
    const pages = await Promise.all(ticketIds.map((parentId) => loaders.commentsByTicket.load({ parentId, window })));
    expect(statementsSent() - before).toBe(1);
    const expectedPages = await Promise.all(
      ticketIds.map((ticketId) =>
        prisma.comment.findMany({ where: { ticketId, internal: false }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 3 }),
      ),
    );
    expect(pages).toStrictEqual(expectedPages);
    expect(pages.flat().length).toBeGreaterThan(0);

    // The next page after each first page's last comment, read backwards from the end, and a status filter.
    const afterPages = await Promise.all(
      pages.map((page, i) => {
        const last = page.at(-1);
        return last
          ? loaders.commentsByTicket.load({
              parentId: ticketIds[i]!,
              window: { ...window, after: [last.createdAt.toISOString(), last.id] },
            })
          : [];
      }),
    );
    const expectedAfter = await Promise.all(
      pages.map((page, i) => {
        const last = page.at(-1);
        if (!last) return [];
        return prisma.comment.findMany({
          where: {
            ticketId: ticketIds[i],
            internal: false,
            OR: [{ createdAt: { gt: last.createdAt } }, { createdAt: last.createdAt, id: { gt: last.id } }],
          },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          take: 3,
        });
      }),
    );
    expect(afterPages).toStrictEqual(expectedAfter);

    const agent = await prisma.user.findFirstOrThrow({ where: { organizationId: customer.organizationId, role: 'AGENT' } });
    const status = ['OPEN' as const, 'RESOLVED' as const];
    const assigned = await loaders.ticketsByAssignee.load({
      parentId: agent.id,
      window: { limit: 50, inverted: true },
      filter: { status },
    });
    expect(assigned).toStrictEqual(
      await prisma.ticket.findMany({
        where: { assigneeId: agent.id, requesterId: customer.userId, status: { in: status } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: 50,
      }),
    );

    const people = await loaders.usersByOrganization.load({ parentId: customer.organizationId, window: { limit: 100, inverted: false } });
    expect(people).toStrictEqual(
      await prisma.user.findMany({
        where: { organizationId: customer.organizationId, OR: [{ role: { not: 'CUSTOMER' } }, { id: customer.userId }] },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: 100,
      }),
    );
  });
});

// The dashboard's figures over a small organization whose every ticket and comment is known: counts per
// UTC day, open tickets by age, priority and assignee, the median first response; the whole dashboard in
// three statements; and the figures a write moves are fresh on the next read, through the response
// cache. Runs on PGlite and on PostgreSQL (with Redis).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../identity/bearer-token.ts';
import type { PrismaClient, TicketPriority, TicketStatus } from '../prisma/generated/client.ts';
import { encodeGlobalId } from '../schema/global-id.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from './harness.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

const DASHBOARD = `query Dashboard {
  dashboardStats {
    byStatus { status count }
    byPriority { priority count }
    openByPriority { priority count }
    openByAge { age count }
    openByAssignee { assignee { id name } count }
    ticketsPerDay(days: 30) { date created resolved }
    firstResponse(days: 30) { days medianSeconds responded awaiting }
  }
}`;

/** Noon of the UTC day `daysAgo` days before today: whatever the time now, its age is daysAgo ± half a day. */
function noonDaysAgo(daysAgo: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 12));
}
const utcDate = (date: Date) => date.toISOString().slice(0, 10);

interface Known {
  orgId: number;
  agentA: number;
  agentB: number;
  customer: number;
  tickets: Record<string, number>;
}

/**
 * A fresh organization with two agents (one with a long name), a customer and seven tickets:
 *  T1 today, OPEN HIGH (A); customer reply +5m, A's internal note +10m, A's public reply +60m → 3,600 s
 *  T2 2 days ago, IN_PROGRESS URGENT (B); B public +2h → 7,200 s, A public +3h (not the first)
 *  T3 5 days ago, PENDING LOW, unassigned, no comment → awaiting
 *  T4 10 days ago, RESOLVED 3 days ago, MEDIUM (A); A public +5h → 18,000 s
 *  T5 40 days ago, OPEN MEDIUM, unassigned: outside the 30-day window, in the over-30-days bucket
 *  T6 2 days ago, CLOSED 1 day ago, LOW (B), filed by agent A for themselves; A's own reply +1m is no
 *     response to them, B public +4h → 14,400 s
 *  T7 1 day ago, CANCELLED MEDIUM, no comment → awaiting
 * Median of 3,600, 7,200, 14,400, 18,000 = 10,800 s.
 */
async function seedKnown(prisma: PrismaClient): Promise<Known> {
  const passwordHash = (await prisma.user.findFirstOrThrow({ where: { email: 'agent@acme.test' } })).passwordHash;
  const org = await prisma.organization.create({ data: { slug: 'dashboard-known', name: 'Dashboard Known' } });
  const user = (name: string, role: 'AGENT' | 'CUSTOMER') =>
    prisma.user.create({
      data: { organizationId: org.id, name, role, passwordHash, email: `${name.split(' ')[0]!.toLowerCase()}@known.test` },
    });
  const agentA = await user('Ada Agent', 'AGENT');
  const agentB = await user('Bartholomew Maximilian Longname-Featherstonehaugh', 'AGENT');
  const customer = await user('Cyd Customer', 'CUSTOMER');

  const now = Date.now();
  let number = 0;
  const ticket = async (spec: {
    createdAt: Date;
    status: TicketStatus;
    priority: TicketPriority;
    assigneeId?: number;
    requesterId?: number;
    resolvedAt?: Date;
    comments?: [authorId: number, afterMs: number, internal?: boolean][];
  }) => {
    const created = await prisma.ticket.create({
      data: {
        organizationId: org.id,
        number: ++number,
        title: `Known ${number}`,
        body: '',
        status: spec.status,
        priority: spec.priority,
        requesterId: spec.requesterId ?? customer.id,
        assigneeId: spec.assigneeId ?? null,
        createdAt: spec.createdAt,
        updatedAt: spec.resolvedAt ?? spec.createdAt,
        resolvedAt: spec.resolvedAt ?? null,
      },
    });
    for (const [authorId, afterMs, internal = false] of spec.comments ?? []) {
      await prisma.comment.create({
        data: { ticketId: created.id, authorId, body: 'reply', internal, createdAt: new Date(spec.createdAt.getTime() + afterMs) },
      });
    }
    return created.id;
  };

  // T1 is a few minutes old; a ticket created at noon "today" could still be in the future.
  const t1 = await ticket({
    createdAt: new Date(now - 2 * MINUTE),
    status: 'OPEN',
    priority: 'HIGH',
    assigneeId: agentA.id,
    comments: [
      [customer.id, 5 * MINUTE],
      [agentA.id, 10 * MINUTE, true],
      [agentA.id, HOUR],
    ],
  });
  const t2 = await ticket({
    createdAt: noonDaysAgo(2),
    status: 'IN_PROGRESS',
    priority: 'URGENT',
    assigneeId: agentB.id,
    comments: [
      [agentB.id, 2 * HOUR],
      [agentA.id, 3 * HOUR],
    ],
  });
  const t3 = await ticket({ createdAt: noonDaysAgo(5), status: 'PENDING', priority: 'LOW' });
  const t4 = await ticket({
    createdAt: noonDaysAgo(10),
    status: 'RESOLVED',
    priority: 'MEDIUM',
    assigneeId: agentA.id,
    resolvedAt: noonDaysAgo(3),
    comments: [[agentA.id, 5 * HOUR]],
  });
  const t5 = await ticket({ createdAt: noonDaysAgo(40), status: 'OPEN', priority: 'MEDIUM' });
  const t6 = await ticket({
    createdAt: noonDaysAgo(2),
    status: 'CLOSED',
    priority: 'LOW',
    assigneeId: agentB.id,
    requesterId: agentA.id,
    resolvedAt: noonDaysAgo(1),
    comments: [
      [agentA.id, MINUTE],
      [agentB.id, 4 * HOUR],
    ],
  });
  const t7 = await ticket({ createdAt: noonDaysAgo(1), status: 'CANCELLED', priority: 'MEDIUM' });
  return { orgId: org.id, agentA: agentA.id, agentB: agentB.id, customer: customer.id, tickets: { t1, t2, t3, t4, t5, t6, t7 } };
}

describe('dashboardStats over a known organization', () => {
  let server: TestServer;
  let uncached: TestServer;
  let known: Known;
  let agent: string;

  async function tokenFor(target: TestServer, userId: number): Promise<string> {
    const token = `dg_test_${randomBytes(16).toString('hex')}`;
    await target.database.prisma.apiToken.create({ data: { userId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + HOUR) } });
    return token;
  }

  async function ok(target: TestServer, query: string, variables: Record<string, unknown> = {}, token = agent): Promise<GraphQLResponse> {
    const response = await target.gql(query, variables, token);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response;
  }

  beforeAll(async () => {
    [server, uncached] = await Promise.all([startTestServer(), startTestServer({ cache: { enabled: false } })]);
    known = await seedKnown(server.database.prisma);
    await seedKnown(uncached.database.prisma);
    agent = await tokenFor(server, known.agentA);
  });
  afterAll(() => Promise.all([server?.close(), uncached?.close()]));

  it('counts every status, priority, open age range and assignee of the organization, and nothing of another', async () => {
    const stats = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(stats.byStatus).toEqual([
      { status: 'OPEN', count: 2 },
      { status: 'IN_PROGRESS', count: 1 },
      { status: 'PENDING', count: 1 },
      { status: 'RESOLVED', count: 1 },
      { status: 'CLOSED', count: 1 },
      { status: 'CANCELLED', count: 1 },
    ]);
    expect(stats.byPriority).toEqual([
      { priority: 'LOW', count: 2 },
      { priority: 'MEDIUM', count: 3 },
      { priority: 'HIGH', count: 1 },
      { priority: 'URGENT', count: 1 },
    ]);
    expect(stats.openByPriority).toEqual([
      { priority: 'LOW', count: 1 },
      { priority: 'MEDIUM', count: 1 },
      { priority: 'HIGH', count: 1 },
      { priority: 'URGENT', count: 1 },
    ]);
    expect(stats.openByAge).toEqual([
      { age: 'UNDER_1_DAY', count: 1 },
      { age: 'FROM_1_TO_3_DAYS', count: 1 },
      { age: 'FROM_3_TO_7_DAYS', count: 1 },
      { age: 'FROM_7_TO_30_DAYS', count: 0 },
      { age: 'OVER_30_DAYS', count: 1 },
    ]);
    expect(stats.openByAssignee).toEqual([
      { assignee: null, count: 2 },
      { assignee: { id: encodeGlobalId('User', known.agentA), name: 'Ada Agent' }, count: 1 },
      { assignee: { id: encodeGlobalId('User', known.agentB), name: 'Bartholomew Maximilian Longname-Featherstonehaugh' }, count: 1 },
    ]);
  });

  it('lists 30 UTC days, today last, with the tickets created and resolved on each', async () => {
    const { ticketsPerDay } = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(ticketsPerDay).toHaveLength(30);
    expect(ticketsPerDay[29].date).toBe(utcDate(new Date()));
    expect(ticketsPerDay[0].date).toBe(utcDate(noonDaysAgo(29)));
    const nonZero = Object.fromEntries(
      ticketsPerDay.filter((d: any) => d.created || d.resolved).map((d: any) => [d.date, [d.created, d.resolved]]),
    );
    expect(nonZero).toEqual({
      [utcDate(new Date())]: [1, 0],
      [utcDate(noonDaysAgo(1))]: [1, 1], // T7 created, T6 closed
      [utcDate(noonDaysAgo(2))]: [2, 0], // T2, T6
      [utcDate(noonDaysAgo(3))]: [0, 1], // T4 resolved
      [utcDate(noonDaysAgo(5))]: [1, 0],
      [utcDate(noonDaysAgo(10))]: [1, 0],
    });
    const week = (await ok(server, `{ dashboardStats { ticketsPerDay(days: 7) { date created } } }`)).body.data!.dashboardStats;
    expect(week.ticketsPerDay.map((d: any) => d.created)).toEqual([0, 1, 0, 0, 2, 1, 1]);
  });

  it('takes the median first response over public staff replies, not notes, customers or the requester', async () => {
    const { firstResponse } = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(firstResponse).toEqual({ days: 30, medianSeconds: 10_800, responded: 4, awaiting: 2 });
    const week = (await ok(server, `{ dashboardStats { firstResponse(days: 3) { medianSeconds responded awaiting } } }`)).body.data!;
    // T1 (3,600 s), T2 (7,200 s), T6 (14,400 s); T7 waits
    expect(week.dashboardStats.firstResponse).toEqual({ medianSeconds: 7_200, responded: 3, awaiting: 1 });
  });

  it('refuses a window outside 1 to 90 days', async () => {
    const response = await server.gql(`{ dashboardStats { ticketsPerDay(days: 91) { date } } }`, {}, agent);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('costs three statements for the whole dashboard, assignees included', async () => {
    const token = await tokenFor(uncached, known.agentA);
    const response = await ok(uncached, DASHBOARD, {}, token);
    expect(response.body.data).toEqual((await ok(server, DASHBOARD)).body.data);
    // the bearer token, then the counts (with the assignees), the daily series, the first responses
    expect(response.body.extensions?.sqlStatements).toBe(1 + 3);
  });

  it('costs one statement for the counts a query asks, whichever they are', async () => {
    // The benchmark's dashboard (bench/lib/queries.ts), then one field alone and the age ranges (which read the tickets).
    const asked = [
      `{ dashboardStats { byStatus { status count } byPriority { priority count } openByAssignee { assignee { id name } count } } }`,
      `{ dashboardStats { openByPriority { priority count } } }`,
      `{ dashboardStats { byStatus { count } openByAge { age count } } }`,
    ];
    for (const query of asked) {
      // A new token each time, so that each request reads its viewer (1) as the first one does.
      const response = await ok(uncached, query, {}, await tokenFor(uncached, known.agentA));
      expect(response.body.extensions?.sqlStatements, query).toBe(1 + 1);
    }
  });

  it('is fresh after a status change, a public staff reply and its deletion, though cached in between', async () => {
    const hit = (response: GraphQLResponse) => response.body.extensions?.responseCache?.hit;
    await ok(server, DASHBOARD);
    expect(hit(await ok(server, DASHBOARD))).toBe(true);

    // Resolving T1 stamps resolvedAt today (the trigger) and moves it out of the open counts.
    const t1 = encodeGlobalId('Ticket', known.tickets.t1!);
    await ok(server, `mutation ($id: ID!) { updateTicket(input: { id: $id, status: RESOLVED }) { ticket { id } } }`, { id: t1 });
    let stats = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(stats.ticketsPerDay[29]).toMatchObject({ created: 1, resolved: 1 });
    expect(stats.openByAge[0]).toEqual({ age: 'UNDER_1_DAY', count: 0 });

    // Reopening clears it.
    await ok(server, `mutation ($id: ID!) { updateTicket(input: { id: $id, status: OPEN }) { ticket { id } } }`, { id: t1 });
    stats = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(stats.ticketsPerDay[29]).toMatchObject({ created: 1, resolved: 0 });
    expect(hit(await ok(server, DASHBOARD))).toBe(true);

    // An internal note answers nobody: the cached dashboard stays.
    const t3 = encodeGlobalId('Ticket', known.tickets.t3!);
    const addComment = `mutation ($id: ID!, $internal: Boolean) { addComment(input: { ticketId: $id, body: "On it", internal: $internal }) { comment { id } } }`;
    await ok(server, addComment, { id: t3, internal: true });
    expect(hit(await ok(server, DASHBOARD))).toBe(true);

    // A public reply to T3, five days after it was created, is its first response.
    const reply = (await ok(server, addComment, { id: t3, internal: false })).body.data!.addComment.comment.id;
    stats = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(stats.firstResponse).toMatchObject({ responded: 5, awaiting: 1 });
    expect(stats.firstResponse.medianSeconds).toBe(14_400);

    await ok(server, `mutation ($id: ID!) { deleteComment(id: $id) { deletedCommentId } }`, { id: reply });
    stats = (await ok(server, DASHBOARD)).body.data!.dashboardStats;
    expect(stats.firstResponse).toEqual({ days: 30, medianSeconds: 10_800, responded: 4, awaiting: 2 });
  });
});

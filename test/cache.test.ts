// The response cache, end to end over HTTP: hits cost no SQL, writes are visible to the very next read,
// new rows reach cached lists and counts, invalidation evicts only what a change can touch, and no
// viewer is ever served a response produced for someone who may see other things. Runs on PGlite with
// the in-process store, and on PostgreSQL with Redis (L1 + L2).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../identity/bearer-token.ts';
import { encodeGlobalId } from '../schema/global-id.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from './harness.ts';

const ticketDetail = `query TicketDetail($id: ID!) {
  ticket(id: $id) { id title status commentCount comments(first: 50) { edges { node { body internal } } } }
}`;
const ticketList = `query TicketList($n: Int!) { tickets(first: $n) { totalCount edges { node { id title status } } } }`;
const dashboard = `query Dashboard { dashboardStats { byStatus { status count } } }`;

function hit(response: GraphQLResponse): boolean | undefined {
  return response.body.extensions?.responseCache?.hit;
}

describe('response cache', () => {
  let server: TestServer;
  let agent: string;
  let admin: string;
  let customer: string;
  let globexAgent: string;
  let otherCustomer: string;
  let acmeTickets: { id: string; title: string }[];

  async function ok(query: string, variables: Record<string, unknown>, token: string | null): Promise<GraphQLResponse> {
    const response = await server.gql(query, variables, token);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response;
  }

  /** Runs a query until it is served from the cache, so the test starts from a warm entry. */
  async function warm(query: string, variables: Record<string, unknown>, token: string): Promise<GraphQLResponse> {
    await ok(query, variables, token);
    const second = await ok(query, variables, token);
    expect(hit(second), 'the second identical query is a hit').toBe(true);
    return second;
  }

  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
    }
    return total;
  }

  /** A token for any seeded user, made the way login makes them. */
  async function tokenFor(userId: number): Promise<string> {
    const token = `dg_test_${randomBytes(16).toString('hex')}`;
    await server.database.prisma.apiToken.create({
      data: { userId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 3_600_000) },
    });
    return token;
  }

  beforeAll(async () => {
    server = await startTestServer();
    [agent, admin, customer, globexAgent] = await Promise.all([
      server.login('agent@acme.test'),
      server.login('admin@acme.test'),
      server.login('customer@acme.test'),
      server.login('agent@globex.test'),
    ]);
    const acme = await server.database.prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    const someone = await server.database.prisma.user.findFirstOrThrow({
      where: { organizationId: acme.id, role: 'CUSTOMER', email: { not: 'customer@acme.test' }, requestedTickets: { some: {} } },
    });
    otherCustomer = await tokenFor(someone.id);
    const list = await ok(ticketList, { n: 5 }, agent);
    acmeTickets = list.body.data!.tickets.edges.map((e: any) => e.node);
  });
  afterAll(() => server?.close());

  it('answers a repeated query from the cache without any SQL', async () => {
    const first = await ok(ticketList, { n: 7 }, agent);
    expect(hit(first)).toBe(false);
    expect(first.body.extensions?.sqlStatements).toBeGreaterThan(0);
    const second = await ok(ticketList, { n: 7 }, agent);
    expect(hit(second)).toBe(true);
    expect(second.body.extensions?.sqlStatements).toBe(0);
    expect(second.body.data).toEqual(first.body.data);
  });

  it('serves the next read the new state after every kind of write', async () => {
    const [one] = acmeTickets;
    await warm(ticketDetail, { id: one!.id }, agent);
    await warm(ticketList, { n: 5 }, agent);

    const title = `Renamed ${randomBytes(3).toString('hex')}`;
    await ok(
      `mutation ($id: ID!, $title: String!) { updateTicket(input: { id: $id, title: $title }) { ticket { id } } }`,
      { id: one!.id, title },
      agent,
    );
    const detail = await ok(ticketDetail, { id: one!.id }, agent);
    expect(detail.body.data!.ticket.title).toBe(title);
    expect((await ok(ticketList, { n: 5 }, agent)).body.data!.tickets.edges.map((e: any) => e.node.title)).toContain(title);

    const before = detail.body.data!.ticket.commentCount as number;
    await ok(
      `mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "fresh comment" }) { comment { id } } }`,
      { id: one!.id },
      agent,
    );
    const commented = await ok(ticketDetail, { id: one!.id }, agent);
    expect(hit(commented)).toBe(false);
    expect(commented.body.data!.ticket.commentCount).toBe(before + 1);
    expect(commented.body.data!.ticket.comments.edges.map((e: any) => e.node.body)).toContain('fresh comment');
  });

  it('puts a created ticket into the cached lists and counts it belongs to', async () => {
    const list = (await warm(ticketList, { n: 5 }, agent)).body.data!.tickets;
    const stats = (await warm(dashboard, {}, agent)).body.data!.dashboardStats;
    const open = (s: any) => s.byStatus.find((row: any) => row.status === 'OPEN')?.count ?? 0;
    const mine = (await warm(ticketList, { n: 5 }, customer)).body.data!.tickets;

    const created = await ok(
      `mutation { createTicket(input: { title: "Printer on fire", body: "Again." }) { ticket { id } } }`,
      {},
      customer,
    );
    const id = created.body.data!.createTicket.ticket.id;

    const after = (await ok(ticketList, { n: 5 }, agent)).body.data!.tickets;
    expect(after.totalCount).toBe(list.totalCount + 1);
    expect(after.edges[0].node.id).toBe(id);
    expect(open((await ok(dashboard, {}, agent)).body.data!.dashboardStats)).toBe(open(stats) + 1);
    const mineAfter = (await ok(ticketList, { n: 5 }, customer)).body.data!.tickets;
    expect(mineAfter.totalCount).toBe(mine.totalCount + 1);
    expect(mineAfter.edges[0].node.id).toBe(id);
  });

  it('bulkUpdateTickets reaches every cached list, detail and count it touched', async () => {
    const ids = acmeTickets.slice(0, 3).map((t) => t.id);
    for (const id of ids) await warm(ticketDetail, { id }, agent);
    await warm(ticketList, { n: 5 }, agent);
    await warm(dashboard, {}, agent);
    await ok(`mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: PENDING }) { tickets { id } } }`, { ids }, agent);
    for (const id of ids) expect((await ok(ticketDetail, { id }, agent)).body.data!.ticket.status).toBe('PENDING');
    const statuses = (await ok(ticketList, { n: 5 }, agent)).body.data!.tickets.edges.filter((e: any) => ids.includes(e.node.id));
    expect(statuses.every((e: any) => e.node.status === 'PENDING')).toBe(true);
    const db = await server.database.prisma.ticket.count({ where: { organization: { slug: 'acme' }, status: 'PENDING' } });
    const pending = (await ok(dashboard, {}, agent)).body.data!.dashboardStats.byStatus.find((r: any) => r.status === 'PENDING');
    expect(pending.count).toBe(db);
  });

  it('evicts only what a change can touch: counted', async () => {
    const [one, two] = acmeTickets;
    const globexList = `query GlobexList { tickets(first: 3) { edges { node { id title } } } }`;
    // Six entries; a title change on ticket one can only touch its detail and acme's ticket list.
    await warm(ticketDetail, { id: one!.id }, agent);
    await warm(ticketDetail, { id: two!.id }, agent);
    await warm(ticketList, { n: 5 }, agent);
    await warm(dashboard, {}, agent);
    await warm(globexList, {}, globexAgent);
    await warm(dashboard, {}, globexAgent);

    const evictedBefore = await metric('deskgraph_cache_evictions_total', { layer: 'l1', reason: 'invalidated' });
    await ok(
      `mutation ($id: ID!) { updateTicket(input: { id: $id, title: "Precisely this one" }) { ticket { id } } }`,
      { id: one!.id },
      agent,
    );
    const evicted = (await metric('deskgraph_cache_evictions_total', { layer: 'l1', reason: 'invalidated' })) - evictedBefore;
    expect(evicted).toBe(2);

    expect(hit(await ok(ticketDetail, { id: two!.id }, agent))).toBe(true);
    expect(hit(await ok(dashboard, {}, agent))).toBe(true);
    expect(hit(await ok(globexList, {}, globexAgent))).toBe(true);
    expect(hit(await ok(dashboard, {}, globexAgent))).toBe(true);
    expect(hit(await ok(ticketDetail, { id: one!.id }, agent))).toBe(false);
    expect(hit(await ok(ticketList, { n: 5 }, agent))).toBe(false);

    // A status change also moves the counts: now acme's dashboard goes too, globex's still stays.
    await warm(ticketDetail, { id: one!.id }, agent);
    await warm(ticketList, { n: 5 }, agent);
    const beforeStatus = await metric('deskgraph_cache_evictions_total', { layer: 'l1', reason: 'invalidated' });
    await ok(`mutation ($id: ID!) { updateTicket(input: { id: $id, status: RESOLVED }) { ticket { id } } }`, { id: one!.id }, agent);
    expect((await metric('deskgraph_cache_evictions_total', { layer: 'l1', reason: 'invalidated' })) - beforeStatus).toBe(3);
    expect(hit(await ok(dashboard, {}, globexAgent))).toBe(true);
  });

  it('agents and admins of one organization share entries; customers never get theirs', async () => {
    const [one] = acmeTickets;
    const mine = await server.database.prisma.ticket.findFirstOrThrow({
      where: { requester: { email: 'customer@acme.test' }, comments: { some: { internal: true } } },
    });
    const id = encodeGlobalId('Ticket', mine.id);
    const staff = await ok(ticketDetail, { id }, agent);
    expect(staff.body.data!.ticket.comments.edges.some((e: any) => e.node.internal)).toBe(true);
    expect(hit(await ok(ticketDetail, { id }, admin)), 'an admin of the same organization shares the entry').toBe(true);

    const theirs = await ok(ticketDetail, { id }, customer);
    expect(hit(theirs)).toBe(false);
    expect(theirs.body.data!.ticket.comments.edges.some((e: any) => e.node.internal)).toBe(false);
    expect(theirs.body.data!.ticket.commentCount).toBeLessThan(staff.body.data!.ticket.commentCount);

    // Another customer of the same organization: not their ticket, and not the first customer's list.
    const denied = await server.gql(ticketDetail, { id }, otherCustomer);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const listA = await ok(ticketList, { n: 5 }, customer);
    const listB = await ok(ticketList, { n: 5 }, otherCustomer);
    expect(hit(listB)).toBe(false);
    expect(listB.body.data!.tickets.edges.map((e: any) => e.node.id)).not.toEqual(
      listA.body.data!.tickets.edges.map((e: any) => e.node.id),
    );

    // Another organization's agent never gets acme's entry.
    const globex = await server.gql(ticketDetail, { id: one!.id }, globexAgent);
    expect(globex.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    // viewer depends on who asks, not on what they may see: per user even among staff.
    const agentViewer = await ok('query Me { viewer { id email } }', {}, agent);
    const adminViewer = await ok('query Me { viewer { id email } }', {}, admin);
    expect(adminViewer.body.data!.viewer.email).toBe('admin@acme.test');
    expect(agentViewer.body.data!.viewer.email).toBe('agent@acme.test');
    expect(hit(adminViewer)).toBe(false);
  });

  it('takes TTLs from schema hints: the smallest of what a response contains', async () => {
    const list = await ok(`query TtlList { tickets(first: 2) { edges { node { id } } } }`, {}, agent);
    expect(list.body.extensions?.responseCache).toMatchObject({ didCache: true, ttl: 300_000 });
    const stats = await ok(
      `query TtlStats { dashboardStats { byStatus { count } } tickets(first: 1) { edges { node { id } } } }`,
      {},
      agent,
    );
    expect(stats.body.extensions?.responseCache).toMatchObject({ didCache: true, ttl: 60_000 });
  });

  it('a cached null for an absent ID goes when that ticket is created', async () => {
    const { _max } = await server.database.prisma.ticket.aggregate({ _max: { id: true } });
    const next = encodeGlobalId('Ticket', _max.id! + 1);
    const lookup = 'query Lookup($id: ID!) { node(id: $id) { id ... on Ticket { title } } }';
    expect((await ok(lookup, { id: next }, agent)).body.data!.node).toBeNull();
    expect(hit(await ok(lookup, { id: next }, agent))).toBe(true);
    await ok(`mutation { createTicket(input: { title: "Next in line", body: "" }) { ticket { id } } }`, {}, agent);
    expect((await ok(lookup, { id: next }, agent)).body.data!.node).toEqual({ id: next, title: 'Next in line' });
  });

  it('runs N concurrent identical misses once (single-flight)', async () => {
    const query = `query Coalesced { tickets(first: 30, orderBy: { field: PRIORITY, direction: DESC }) { totalCount edges { node { id requester { name } tags { name } } } } }`;
    await ok('query Warm { viewer { id } }', {}, agent); // the token's viewer is cached, so auth costs nothing
    const missesBefore = await metric('deskgraph_cache_misses_total', { operation: 'Coalesced' });
    const responses = await Promise.all(Array.from({ length: 12 }, () => ok(query, {}, agent)));
    expect((await metric('deskgraph_cache_misses_total', { operation: 'Coalesced' })) - missesBefore).toBe(1);
    expect(responses.filter((r) => hit(r) === false)).toHaveLength(1);
    const statements = responses.reduce((sum, r) => sum + (r.body.extensions?.sqlStatements as number), 0);
    const executed = responses.find((r) => hit(r) === false)!.body.extensions?.sqlStatements as number;
    expect(statements).toBe(executed);
    for (const response of responses) expect(response.body.data).toEqual(responses[0]!.body.data);
  });

  it('reads racing writes never leave an old value behind', async () => {
    const [, , three] = acmeTickets;
    for (let round = 0; round < 15; round += 1) {
      const title = `Race ${round} ${randomBytes(2).toString('hex')}`;
      // Readers start before, during and after the write; whatever they store must not outlive it.
      const readers = Array.from({ length: 6 }, (_, i) =>
        new Promise((r) => setTimeout(r, i)).then(() => server.gql(ticketDetail, { id: three!.id }, agent)),
      );
      await ok(
        `mutation ($id: ID!, $title: String!) { updateTicket(input: { id: $id, title: $title }) { ticket { id } } }`,
        { id: three!.id, title },
        agent,
      );
      await Promise.all(readers);
      expect((await ok(ticketDetail, { id: three!.id }, agent)).body.data!.ticket.title).toBe(title);
      expect((await ok(ticketDetail, { id: three!.id }, admin)).body.data!.ticket.title).toBe(title);
    }
  });

  it('never caches errors, and logout takes effect on the next request', async () => {
    const forbidden = await server.gql(dashboard, {}, customer);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(forbidden.body.extensions?.responseCache?.didCache).toBe(false);

    const token = await server.login('agent@acme.test');
    await warm(ticketList, { n: 5 }, token);
    expect((await ok('mutation { logout }', {}, token)).body.data!.logout).toBe(true);
    const after = await server.gql(ticketList, { n: 5 }, token);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

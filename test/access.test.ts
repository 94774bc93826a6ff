// DESIGN.md "Who sees what", checked over HTTP for each kind of viewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const codes = (result: { body: { errors?: { extensions?: Record<string, any> }[] } }) =>
  (result.body.errors ?? []).map((error) => error.extensions?.code);

describe('who sees what', () => {
  let server: TestServer;
  let agent: string;
  let customer: string;
  let globexAdmin: string;
  let customerId: string;
  let othersTicketId: string;
  let ownTicketId: string;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, customer, globexAdmin] = await Promise.all([
      server.login('agent@acme.test'),
      server.login('customer@acme.test'),
      server.login('admin@globex.test'),
    ]);
    const me = await server.gql('{ viewer { id } }', {}, customer);
    customerId = me.body.data!.viewer.id;
    const all = await server.gql('{ tickets(first: 100) { edges { node { id requester { id } } } } }', {}, agent);
    const edges = all.body.data!.tickets.edges as { node: { id: string; requester: { id: string } } }[];
    othersTicketId = edges.find((edge) => edge.node.requester.id !== customerId)!.node.id;
    const own = await server.gql('{ tickets(first: 1) { edges { node { id } } } }', {}, customer);
    ownTicketId = own.body.data!.tickets.edges[0].node.id;
  });
  afterAll(() => server?.close());

  it('without a token there is no viewer and no data, only UNAUTHENTICATED', async () => {
    const viewer = await server.gql('{ viewer { id } }');
    expect(viewer.body.data).toEqual({ viewer: null });
    const tickets = await server.gql('{ tickets(first: 1) { edges { node { id } } } }');
    expect(codes(tickets)).toEqual(['UNAUTHENTICATED']);
  });

  it('a customer lists only the tickets they requested', async () => {
    const result = await server.gql('{ tickets(first: 100) { totalCount edges { node { requester { id } } } } }', {}, customer);
    const edges = result.body.data!.tickets.edges as { node: { requester: { id: string } } }[];
    expect(edges.length).toBeGreaterThanOrEqual(5);
    expect(edges.every((edge) => edge.node.requester.id === customerId)).toBe(true);
    expect(result.body.data!.tickets.totalCount).toBe(edges.length);
  });

  it('a customer never sees internal comments, and counts exclude them', async () => {
    // 40 × 50: within the default cost limit (100 × 100 comments is refused as QUERY_TOO_COMPLEX).
    const query = `{ tickets(first: 40) { edges { node { commentCount comments(first: 50) { totalCount edges { node { internal } } } } } } }`;
    const asCustomer = await server.gql(query, {}, customer);
    const comments = asCustomer.body.data!.tickets.edges.flatMap((edge: any) => edge.node.comments.edges);
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.every((edge: any) => edge.node.internal === false)).toBe(true);
    for (const edge of asCustomer.body.data!.tickets.edges) {
      expect(edge.node.commentCount).toBe(edge.node.comments.edges.length);
      expect(edge.node.comments.totalCount).toBe(edge.node.comments.edges.length);
    }
    // The same tickets, as an agent, do hold internal notes: the filter above is doing work.
    const asAgent = await server.gql(
      `query ($id: ID!) { user: node(id: $id) { ... on User { requestedTickets(first: 50) { edges { node { comments(first: 50) { edges { node { internal } } } } } } } } }`,
      { id: customerId },
      agent,
    );
    const agentComments = asAgent.body.data!.user.requestedTickets.edges.flatMap((edge: any) => edge.node.comments.edges);
    expect(agentComments.some((edge: any) => edge.node.internal)).toBe(true);
  });

  it('the totals a customer gets count only what that customer can see', async () => {
    const people = await server.gql('{ users(first: 100) { totalCount edges { node { id role } } } }', {}, customer);
    const users = people.body.data!.users as { totalCount: number; edges: { node: { id: string; role: string } }[] };
    expect(users.edges.every((edge) => edge.node.role !== 'CUSTOMER' || edge.node.id === customerId)).toBe(true);
    expect(users.totalCount).toBe(users.edges.length);
    const asAgent = await server.gql('{ users(first: 100) { totalCount } }', {}, agent);
    expect(asAgent.body.data!.users.totalCount).toBeGreaterThan(users.totalCount);
    // An agent's assigned tickets, seen by a customer: only those the customer filed are listed or counted.
    const agents = users.edges.filter((edge) => edge.node.role !== 'CUSTOMER').map((edge) => edge.node.id);
    const assigned = await server.gql(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { assignedTickets(first: 100) { totalCount edges { node { requester { id } } } } } } }`,
      { ids: agents },
      customer,
    );
    const lists = assigned.body.data!.nodes.map((node: any) => node.assignedTickets);
    for (const list of lists) {
      expect(list.edges.every((edge: any) => edge.node.requester.id === customerId)).toBe(true);
      expect(list.totalCount).toBe(list.edges.length);
    }
    expect(lists.some((list: any) => list.totalCount > 0)).toBe(true);
  });

  it("a customer cannot read another customer's ticket, by ticket(id) or node(id)", async () => {
    const byId = await server.gql('query ($id: ID!) { ticket(id: $id) { title } }', { id: othersTicketId }, customer);
    expect(codes(byId)).toEqual(['NOT_FOUND']);
    const node = await server.gql('query ($id: ID!) { node(id: $id) { id } }', { id: othersTicketId }, customer);
    expect(node.body.data).toEqual({ node: null });
  });

  it("a customer cannot comment on, or change, another customer's ticket", async () => {
    const comment = await server.gql(
      'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "hi" }) { comment { id } } }',
      { id: othersTicketId },
      customer,
    );
    expect(codes(comment)).toEqual(['NOT_FOUND']);
    const update = await server.gql(
      'mutation ($id: ID!) { updateTicket(input: { id: $id, title: "mine now" }) { ticket { id } } }',
      { id: othersTicketId },
      customer,
    );
    expect(codes(update)).toEqual(['NOT_FOUND']);
  });

  it('a customer may comment on their own ticket but not internally, nor change its status', async () => {
    const ok = await server.gql(
      'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "any news?" }) { comment { body internal author { id } } } }',
      { id: ownTicketId },
      customer,
    );
    expect(ok.body.data!.addComment.comment).toEqual({ body: 'any news?', internal: false, author: { id: customerId } });
    const internal = await server.gql(
      'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "psst", internal: true }) { comment { id } } }',
      { id: ownTicketId },
      customer,
    );
    expect(codes(internal)).toEqual(['FORBIDDEN']);
    const status = await server.gql(
      'mutation ($id: ID!) { updateTicket(input: { id: $id, status: CLOSED }) { ticket { id } } }',
      { id: ownTicketId },
      customer,
    );
    expect(codes(status)).toEqual(['FORBIDDEN']);
    const dashboard = await server.gql('{ dashboardStats { byStatus { count } } }', {}, customer);
    expect(codes(dashboard)).toEqual(['FORBIDDEN']);
  });

  it('a customer sees staff and themselves in the user list, never other customers', async () => {
    const result = await server.gql('{ users(first: 100) { edges { node { id role } } } }', {}, customer);
    const users = result.body.data!.users.edges.map((edge: any) => edge.node);
    expect(users.some((user: any) => user.id === customerId)).toBe(true);
    expect(users.filter((user: any) => user.role === 'CUSTOMER').map((user: any) => user.id)).toEqual([customerId]);
  });

  it("nobody reads or writes another organization's data", async () => {
    const ticket = await server.gql('query ($id: ID!) { ticket(id: $id) { title } }', { id: ownTicketId }, globexAdmin);
    expect(codes(ticket)).toEqual(['NOT_FOUND']);
    const org = await server.gql('{ organization(slug: "acme") { name } }', {}, globexAdmin);
    expect(codes(org)).toEqual(['NOT_FOUND']);
    const user = await server.gql('query ($id: ID!) { node(id: $id) { id } }', { id: customerId }, globexAdmin);
    expect(user.body.data).toEqual({ node: null });
    const bulk = await server.gql(
      'mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: CLOSED }) { tickets { id } } }',
      { ids: [ownTicketId] },
      globexAdmin,
    );
    expect(codes(bulk)).toEqual(['NOT_FOUND']);
    const tags = await server.gql(
      'mutation ($id: ID!) { addTags(input: { ticketId: $id, names: ["x"] }) { ticket { id } } }',
      { id: ownTicketId },
      globexAdmin,
    );
    expect(codes(tags)).toEqual(['NOT_FOUND']);
    const mine = await server.gql('{ tickets(first: 100) { edges { node { organization { slug } } } } }', {}, globexAdmin);
    expect(mine.body.data!.tickets.edges.every((edge: any) => edge.node.organization.slug === 'globex')).toBe(true);
  });
});

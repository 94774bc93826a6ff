// The tickets list (filters, sort, cursors both ways) and the mutations, end to end over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

type Edge = { cursor: string; node: Record<string, any> };

describe('tickets', () => {
  let server: TestServer;
  let agent: string;
  let admin: string;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, admin] = await Promise.all([server.login('agent@acme.test'), server.login('admin@acme.test')]);
    agentId = (await server.gql('{ viewer { id } }', {}, agent)).body.data!.viewer.id;
  });
  afterAll(() => server?.close());

  async function page(args: string, vars: Record<string, unknown> = {}) {
    const result = await server.gql(
      `query ($after: String, $before: String) { tickets(${args}, after: $after, before: $before) {
         totalCount edges { cursor node { id number priority createdAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      vars,
      agent,
    );
    expect(result.body.errors).toBeUndefined();
    return result.body.data!.tickets as { totalCount: number; edges: Edge[]; pageInfo: Record<string, any> };
  }

  it('walks every ticket forward in pages with no gap or repeat, newest first', async () => {
    const seen: Edge[] = [];
    let after: string | undefined;
    let first = await page('first: 100');
    for (;;) {
      seen.push(...first.edges);
      if (!first.pageInfo.hasNextPage) break;
      after = first.pageInfo.endCursor;
      first = await page('first: 100', { after });
    }
    expect(seen.length).toBe(first.totalCount);
    expect(new Set(seen.map((edge) => edge.node.id)).size).toBe(seen.length);
    const times = seen.map((edge) => edge.node.createdAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('walks backward with last/before to the same items', async () => {
    const forward = await page('first: 30');
    const tail = forward.edges.slice(10);
    const back = await page('last: 10', { before: tail[0]!.cursor });
    expect(back.edges.map((edge) => edge.node.id)).toEqual(forward.edges.slice(0, 10).map((edge) => edge.node.id));
    expect(back.pageInfo.hasNextPage).toBe(true);
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it('sorts by priority with stable cursors across equal priorities', async () => {
    const first = await page('first: 50, orderBy: { field: PRIORITY, direction: DESC }');
    const second = await page('first: 50, orderBy: { field: PRIORITY, direction: DESC }', { after: first.pageInfo.endCursor });
    const order = ['URGENT', 'HIGH', 'MEDIUM', 'LOW'];
    const ranks = [...first.edges, ...second.edges].map((edge) => order.indexOf(edge.node.priority));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const ids = [...first.edges, ...second.edges].map((edge) => edge.node.id);
    expect(new Set(ids).size).toBe(100);
  });

  it('filters by status, tag, assignee, unassigned and title text', async () => {
    const q = async (filter: string) => {
      const result = await server.gql(
        `{ tickets(first: 100, filter: ${filter}) { totalCount edges { node { title status assignee { id } tags { name } } } } }`,
        {},
        agent,
      );
      expect(result.body.errors).toBeUndefined();
      return result.body.data!.tickets as { totalCount: number; edges: { node: any }[] };
    };
    const open = await q('{ status: [OPEN] }');
    expect(open.totalCount).toBeGreaterThan(0);
    expect(open.edges.every((edge) => edge.node.status === 'OPEN')).toBe(true);
    const tags = await server.gql('{ tags { name } }', {}, agent);
    const tag = tags.body.data!.tags[0].name;
    const tagged = await q(`{ tag: ${JSON.stringify(tag)} }`);
    expect(tagged.totalCount).toBeGreaterThan(0);
    expect(tagged.edges.every((edge) => edge.node.tags.some((t: any) => t.name === tag))).toBe(true);
    const mine = await q(`{ assigneeId: ${JSON.stringify(agentId)} }`);
    expect(mine.edges.every((edge) => edge.node.assignee?.id === agentId)).toBe(true);
    const unassigned = await q('{ unassigned: true }');
    expect(unassigned.totalCount).toBeGreaterThan(0);
    expect(unassigned.edges.every((edge) => edge.node.assignee === null)).toBe(true);
    const word = open.edges[0]!.node.title.split(' ')[0].toUpperCase();
    const found = await q(`{ search: ${JSON.stringify(word)} }`);
    expect(found.totalCount).toBeGreaterThan(0);
    expect(found.edges.every((edge) => edge.node.title.toUpperCase().includes(word))).toBe(true);
  });

  it('createTicket takes the next number and shows up first in the list', async () => {
    const before = await page('first: 1');
    const created = await server.gql(
      'mutation { createTicket(input: { title: "Printer on fire", body: "Really.", priority: URGENT }) { ticket { id number title status priority } } }',
      {},
      agent,
    );
    const ticket = created.body.data!.createTicket.ticket;
    const max = await server.database.prisma.ticket.aggregate({ where: { organization: { slug: 'acme' } }, _max: { number: true } });
    expect(ticket).toMatchObject({ title: 'Printer on fire', status: 'OPEN', priority: 'URGENT', number: max._max.number });
    const after = await page('first: 1');
    expect(after.edges[0]!.node.id).toBe(ticket.id);
    expect(after.totalCount).toBe(before.totalCount + 1);
  });

  it('concurrent createTicket calls get distinct numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        server.gql(`mutation { createTicket(input: { title: "parallel ${i}", body: "" }) { ticket { number } } }`, {}, agent),
      ),
    );
    const numbers = results.map((result) => result.body.data!.createTicket.ticket.number);
    expect(new Set(numbers).size).toBe(8);
  });

  it('updateTicket changes what it is given and nothing else', async () => {
    const target = (await page('first: 1')).edges[0]!.node.id;
    const result = await server.gql(
      `mutation ($id: ID!, $a: ID) { updateTicket(input: { id: $id, status: IN_PROGRESS, assigneeId: $a }) {
         ticket { status title assignee { id } } } }`,
      { id: target, a: agentId },
      agent,
    );
    expect(result.body.data!.updateTicket.ticket).toMatchObject({
      status: 'IN_PROGRESS',
      title: expect.any(String),
      assignee: { id: agentId },
    });
    const unassign = await server.gql(
      'mutation ($id: ID!) { updateTicket(input: { id: $id, assigneeId: null }) { ticket { assignee { id } status } } }',
      { id: target },
      agent,
    );
    expect(unassign.body.data!.updateTicket.ticket).toEqual({ assignee: null, status: 'IN_PROGRESS' });
  });

  it('bulkUpdateTickets is all or nothing', async () => {
    const ids = (await page('first: 5')).edges.map((edge) => edge.node.id);
    const missing = Buffer.from('Ticket:999999').toString('base64');
    const failed = await server.gql(
      'mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: CLOSED }) { tickets { id } } }',
      { ids: [...ids, missing] },
      agent,
    );
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const untouched = await server.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Ticket { status } } }', { ids }, agent);
    expect(untouched.body.data!.nodes.some((node: any) => node.status !== 'CLOSED')).toBe(true);
    const done = await server.gql(
      'mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: CLOSED }) { tickets { id status } } }',
      { ids },
      agent,
    );
    expect(done.body.data!.bulkUpdateTickets.tickets).toEqual(ids.map((id) => ({ id, status: 'CLOSED' })));
  });

  it('addComment bumps the count and updatedAt; only the author or an admin may delete it', async () => {
    const ticket = (await page('first: 1')).edges[0]!.node.id;
    const read = () =>
      server.gql('query ($id: ID!) { ticket(id: $id) { commentCount updatedAt } }', { id: ticket }, agent).then((r) => r.body.data!.ticket);
    const before = await read();
    const added = await server.gql(
      'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "On it.", internal: true }) { comment { id internal } ticket { commentCount } } }',
      { id: ticket },
      admin,
    );
    const { comment, ticket: touched } = added.body.data!.addComment;
    expect(comment.internal).toBe(true);
    expect(touched.commentCount).toBe(before.commentCount + 1);
    expect((await read()).updatedAt > before.updatedAt).toBe(true);
    const byOther = await server.gql('mutation ($id: ID!) { deleteComment(id: $id) { deletedCommentId } }', { id: comment.id }, agent);
    expect(byOther.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byAuthor = await server.gql(
      'mutation ($id: ID!) { deleteComment(id: $id) { deletedCommentId ticket { commentCount } } }',
      { id: comment.id },
      admin,
    );
    expect(byAuthor.body.data!.deleteComment).toEqual({ deletedCommentId: comment.id, ticket: { commentCount: before.commentCount } });
  });

  it('addTags creates missing tags; removeTags takes them off', async () => {
    const ticket = (await page('first: 1')).edges[0]!.node.id;
    const added = await server.gql(
      'mutation ($id: ID!) { addTags(input: { ticketId: $id, names: ["VIP", "escalated"] }) { ticket { tags { name } } } }',
      { id: ticket },
      agent,
    );
    const names = added.body.data!.addTags.ticket.tags.map((tag: any) => tag.name);
    expect(names).toEqual(expect.arrayContaining(['vip', 'escalated']));
    const removed = await server.gql(
      'mutation ($id: ID!) { removeTags(input: { ticketId: $id, names: ["vip"] }) { ticket { tags { name } } } }',
      { id: ticket },
      agent,
    );
    const left = removed.body.data!.removeTags.ticket.tags.map((tag: any) => tag.name);
    expect(left).toContain('escalated');
    expect(left).not.toContain('vip');
  });

  it('logout revokes the token it was sent with', async () => {
    const token = await server.login('agent@acme.test');
    expect((await server.gql('mutation { logout }', {}, token)).body.data).toEqual({ logout: true });
    expect((await server.gql('{ viewer { id } }', {}, token)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

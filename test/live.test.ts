// Live updates (server/live/): subscriptions over SSE, woken by the response cache's invalidations.
// Embedded: one instance, in-process cache; postgres: the same on Redis (writes go round the bus).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { subscribe, type SseSubscription } from './sse.ts';

const TICKET = 'subscription Ticket($id: ID!) { ticketChanged(id: $id) { id title status } }';
const QUEUE = 'subscription Queue { ticketsChanged(first: 5) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }';

const stamp = (label: string) => `${label} ${Math.random().toString(36).slice(2, 8)}`;

/** Waits until the hub holds nothing: every subscription closed, every group and tag forgotten. */
async function drained(server: TestServer): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const counts = server.live!.counts;
    if (counts.subscribers === 0 && counts.groups === 0 && counts.tags === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(server.live!.counts).toMatchObject({ subscribers: 0, groups: 0, tags: 0 });
}

describe('live updates: subscriptions over SSE', () => {
  let server: TestServer;
  let agent: string;
  let ticketId: string;
  const open: SseSubscription[] = [];
  const sub = async (...args: Parameters<typeof subscribe> extends [string, ...infer R] ? R : never) => {
    const s = await subscribe(server.url, ...args);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.login('agent@acme.test');
    const list = await server.gql('{ tickets(first: 1) { edges { node { id } } } }', {}, agent);
    ticketId = list.body.data!.tickets.edges[0].node.id;
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  it('sends the ticket as it is, then each change a write makes, with headers that keep proxies from buffering', async () => {
    const s = await sub(TICKET, { id: ticketId }, agent);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.headers.get('x-accel-buffering')).toBe('no');
    expect(s.headers.get('cache-control')).toBe('no-cache');
    const first = await s.next();
    expect(first.data?.ticketChanged.id).toBe(ticketId);

    const title = stamp('Live title');
    await server.gql(UPDATE, { input: { id: ticketId, title } }, agent);
    const changed = await s.next();
    expect(changed.data?.ticketChanged).toMatchObject({ id: ticketId, title });
    s.close();
    await drained(server);
  });

  it('sends nothing, and runs nothing, when a write changes no field the selection shows', async () => {
    const s = await sub('subscription T($id: ID!) { ticketChanged(id: $id) { id title } }', { id: ticketId }, agent);
    await s.next();
    const runs = server.live!.counts.runs;
    // Changes the ticket, but none of its fields in the `text` group (schema/ticket/ticket.ts): nothing wakes.
    await server.gql(UPDATE, { input: { id: ticketId, priority: 'URGENT' } }, agent);
    await server.gql(UPDATE, { input: { id: ticketId, priority: 'LOW' } }, agent);
    await server.gql(
      'mutation C($id: ID!) { addComment(input: { ticketId: $id, body: "a reply" }) { comment { id } } }',
      { id: ticketId },
      agent,
    );
    const title = stamp('After priority');
    await server.gql(UPDATE, { input: { id: ticketId, title } }, agent);
    // The next event is the title change: the priority writes and the reply sent nothing, and ran nothing.
    expect((await s.next()).data?.ticketChanged.title).toBe(title);
    expect(s.received).toHaveLength(2);
    expect(server.live!.counts.runs - runs).toBe(1);
    s.close();
    await drained(server);
  });

  it("the viewer's queue: a new ticket arrives in ticketsChanged", async () => {
    const s = await sub(QUEUE, {}, agent);
    const before = (await s.next()).data!.ticketsChanged;
    const title = stamp('Live new ticket');
    await server.gql(CREATE, { input: { title, body: 'made while subscribed' } }, agent);
    const after = (await s.next()).data!.ticketsChanged;
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.edges[0].node.title).toBe(title);
    s.close();
    await drained(server);
  });

  it('refuses as a query would, with a code and without opening a stream: bad variables, bad IDs, no token', async () => {
    const cases: [Record<string, unknown>, string | null, string][] = [
      [{ id: 42 }, agent, 'BAD_USER_INPUT'], // a variable of the wrong type
      [{ id: 'not-an-id' }, agent, 'BAD_USER_INPUT'],
      [{ id: ticketId }, null, 'UNAUTHENTICATED'],
    ];
    for (const [variables, token, expected] of cases) {
      const s = await sub(TICKET, variables, token);
      const refused = await s.next();
      expect(
        refused.errors?.map((e) => e.extensions?.code),
        JSON.stringify(refused),
      ).toEqual([expected]);
      expect(await s.completed()).toBe(true);
    }
    expect(server.live!.counts).toMatchObject({ subscribers: 0, groups: 0 });
  });

  it('a live query (query @live) streams like a subscription, and is never cached nor answered as JSON', async () => {
    const LIVE = 'query Live($id: ID!) @live { ticket(id: $id) { id title } }';
    const s = await sub(LIVE, { id: ticketId }, agent);
    expect((await s.next()).data?.ticket.id).toBe(ticketId);
    const title = stamp('Live query title');
    await server.gql(UPDATE, { input: { id: ticketId, title } }, agent);
    expect((await s.next()).data?.ticket.title).toBe(title);
    expect(server.live!.counts.groups).toBe(1);
    s.close();
    await drained(server);
    const json = await server.gql(LIVE, { id: ticketId }, agent);
    expect(json.status).toBe(406);
    expect(json.body.errors?.map((e) => e.extensions?.code)).toEqual(['EVENT_STREAM_REQUIRED']);
    expect(server.live!.counts.groups).toBe(0);
  });

  it('subscribers sharing document, variables and scope share one re-execution per write', async () => {
    const other = await server.login('agent@acme.test'); // another token, same staff scope
    const [a, b] = await Promise.all([sub(TICKET, { id: ticketId }, agent), sub(TICKET, { id: ticketId }, other)]);
    await Promise.all([a.next(), b.next()]);
    expect(server.live!.counts.groups).toBe(1);
    const { runs, deliveries } = server.live!.counts;
    const title = stamp('Shared');
    await server.gql(UPDATE, { input: { id: ticketId, title } }, agent);
    expect((await a.next()).data?.ticketChanged.title).toBe(title);
    expect((await b.next()).data?.ticketChanged.title).toBe(title);
    expect(server.live!.counts.runs - runs).toBe(1);
    expect(server.live!.counts.deliveries - deliveries).toBe(2);
    a.close();
    b.close();
    await drained(server);
  });
});

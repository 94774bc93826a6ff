// Live updates across instances: two deskgraph processes on one database and one Redis. A write on
// A reaches a subscriber on B through the cache's invalidation bus (the message that also drops B's
// L1 copies), with B re-executing as its subscriber: visibility holds across the hop too.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyTemplate } from './template-db.ts';
import { deletePrefix, fresh, ok, startServer, stopAll, uniquePrefix, waitFor, type ServerProcess } from './processes.ts';
import { subscribe, type SseSubscription } from './sse.ts';

const DETAIL = `subscription Detail($id: ID!) { ticketChanged(id: $id) {
  id title status comments(first: 100) { edges { node { body internal } } } } }`;
const QUEUE = 'subscription Queue { ticketsChanged(first: 5) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const COMMENT = 'mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }';

describe('live updates across two instances sharing one Redis', () => {
  let drop: (() => Promise<void>) | null = null;
  let redisUrl: string;
  let keyPrefix: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const open: SseSubscription[] = [];
  const onB = async (query: string, variables: Record<string, unknown>, token: string) => {
    const s = await subscribe(`${b.base}/graphql`, query, variables, token);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    redisUrl = process.env.TEST_REDIS_URL;
    keyPrefix = uniquePrefix('live');
    const common = { databaseUrl: copy.config.url, redisUrl, keyPrefix };
    [a, b] = await Promise.all([startServer({ ...common, name: 'A' }), startServer({ ...common, name: 'B' })]);
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await stopAll();
    if (keyPrefix) await deletePrefix(redisUrl, keyPrefix);
    await drop?.();
  });

  it("a write on A reaches B's subscribers: the ticket and the queue", async () => {
    const [agentA, agentB] = await Promise.all([a.login('agent@acme.test'), b.login('agent@acme.test')]);
    const list = ok(await b.gql<any>('{ tickets(first: 1) { edges { node { id } } } }', {}, agentB), 'list');
    const id = list.tickets.edges[0].node.id as string;
    const [detail, queue] = await Promise.all([onB(DETAIL, { id }, agentB), onB(QUEUE, {}, agentB)]);
    await detail.next();
    const before = (await queue.next()).data!.ticketsChanged;

    const title = fresh('Across instances');
    ok(await a.gql(UPDATE, { input: { id, title } }, agentA), 'update on A');
    expect((await detail.next()).data!.ticketChanged.title).toBe(title);
    expect((await queue.next()).data!.ticketsChanged.edges.find((e: any) => e.node.id === id)?.node.title).toBe(title);

    const created = fresh('Created on A');
    ok(await a.gql(CREATE, { input: { title: created, body: '-' } }, agentA), 'create on A');
    const after = (await queue.next()).data!.ticketsChanged;
    expect(after.totalCount).toBe(before.totalCount + 1);
    expect(after.edges[0].node.title).toBe(created);

    detail.close();
    queue.close();
    await waitFor(
      async () => (await b.metric('deskgraph_live_subscriptions')) === 0,
      5000,
      () => 'B still counts subscriptions',
    );
    expect(await b.metric('deskgraph_live_groups')).toBe(0);
  });

  it('a customer on B gets the public reply written on A, never the internal note', async () => {
    const [adminA, customerB] = await Promise.all([a.login('admin@acme.test'), b.login('customer@acme.test')]);
    const own = ok(await b.gql<any>('{ tickets(first: 1) { edges { node { id } } } }', {}, customerB), 'own tickets');
    const id = own.tickets.edges[0].node.id as string;
    const s = await onB(DETAIL, { id }, customerB);
    await s.next();
    const internal = fresh('INTERNAL across');
    const reply = fresh('Reply across');
    ok(await a.gql(COMMENT, { input: { ticketId: id, body: internal, internal: true } }, adminA), 'internal note on A');
    ok(await a.gql(COMMENT, { input: { ticketId: id, body: reply } }, adminA), 'reply on A');
    const next = (await s.next()).data!.ticketChanged;
    expect(next.comments.edges.map((e: any) => e.node.body)).toContain(reply);
    // The internal note alone changed nothing the customer can see: the first event after it is the reply.
    expect(s.received).toHaveLength(2);
    expect(JSON.stringify(s.received)).not.toContain(internal);
    s.close();
  });
});

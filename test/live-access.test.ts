// Who learns what from a subscription, in the access matrix's style (test/access-matrix.test.ts): every
// Subscription field has a case for another organization's admin (admin@globex.test against acme) and
// for a customer (customer@acme.test against another customer's ticket, and internal notes on their own).
// A refused subscription is answered like the query (NOT_FOUND), opens nothing, and no write the actor
// may not see sends them anything — nor even wakes their subscription.
import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { startTestServer, testConfig, type TestServer } from './harness.ts';
import { subscribe, type SseResult, type SseSubscription } from './sse.ts';

type Actor = 'globexAdmin' | 'customer';

const DETAIL = `subscription Detail($id: ID!) { ticketChanged(id: $id) {
  id title status commentCount comments(first: 100) { edges { node { id body internal } } } } }`;
const QUEUE = 'subscription Queue { ticketsChanged(first: 50) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const COMMENT = 'mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }';

let server: TestServer;
const tokens = {} as Record<Actor | 'acmeAdmin' | 'otherCustomer', string>;
const ids = {} as { ownTicket: string; othersTicket: string; globexTicket: string };
const open: SseSubscription[] = [];

const stamp = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const codes = (result: SseResult) => (result.errors ?? []).map((error) => error.extensions?.code);

async function sub(actor: Actor, query: string, variables: Record<string, unknown> = {}) {
  const s = await subscribe(server.url, query, variables, tokens[actor]);
  open.push(s);
  return s;
}

/** Until no wake is pending and nothing executes: what the writes so far cause has happened. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.live!.busy) {
    if (Date.now() > deadline) throw new Error('the live hub did not settle');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs writes the actor may not see; asserts they sent nothing to `s` and executed nothing. */
async function unseen(s: SseSubscription, writes: () => Promise<void>): Promise<void> {
  await settled();
  const received = s.received.length;
  const runs = server.live!.counts.runs;
  await writes();
  await settled();
  expect(s.received.length, JSON.stringify(s.received.slice(received))).toBe(received);
  expect(server.live!.counts.runs - runs, 'a write the actor cannot see woke their subscription').toBe(0);
}

async function write(actor: 'acmeAdmin' | 'otherCustomer' | Actor, query: string, input: Record<string, unknown>) {
  const response = await server.gql(query, { input }, tokens[actor]);
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
}

const cases: Record<string, Record<Actor, () => Promise<void>>> = {
  'Subscription.ticketChanged': {
    globexAdmin: async () => {
      // Another organization's ticket: refused as the query is, and no stream.
      const s = await sub('globexAdmin', DETAIL, { id: ids.othersTicket });
      const refused = await s.next();
      expect(codes(refused)).toEqual(['NOT_FOUND']);
      expect(refused.data?.ticketChanged ?? null).toBeNull();
      expect(await s.completed()).toBe(true);
    },
    customer: async () => {
      const s = await sub('customer', DETAIL, { id: ids.othersTicket });
      expect(codes(await s.next())).toEqual(['NOT_FOUND']);
      expect(await s.completed()).toBe(true);

      // Their own ticket: a public reply arrives, an internal note never does.
      const own = await sub('customer', DETAIL, { id: ids.ownTicket });
      const first = (await own.next()).data!.ticketChanged;
      expect(first.comments.edges.every((e: any) => !e.node.internal)).toBe(true);
      const internal = stamp('INTERNAL note');
      await write('acmeAdmin', COMMENT, { ticketId: ids.ownTicket, body: internal, internal: true });
      const reply = stamp('Public reply');
      await write('acmeAdmin', COMMENT, { ticketId: ids.ownTicket, body: reply });
      let latest = (await own.next()).data!.ticketChanged;
      while (!latest.comments.edges.some((e: any) => e.node.body === reply)) latest = (await own.next()).data!.ticketChanged;
      expect(latest.commentCount).toBe(first.commentCount + 1);
      await settled();
      expect(JSON.stringify(own.received)).not.toContain(internal);
      expect(own.received.flatMap((r) => r.data!.ticketChanged.comments.edges).every((e: any) => !e.node.internal)).toBe(true);
      // Only the internal note in between: the customer's view did not change, so nothing is sent.
      await unseenByCustomer(own, () =>
        write('acmeAdmin', COMMENT, { ticketId: ids.ownTicket, body: stamp('INTERNAL again'), internal: true }),
      );
    },
  },
  'Subscription.ticketsChanged': {
    globexAdmin: async () => {
      const s = await sub('globexAdmin', QUEUE);
      const before = (await s.next()).data!.ticketsChanged;
      expect(before.edges.map((e: any) => e.node.id)).toContain(ids.globexTicket);
      const acmeTitle = stamp('Acme secret');
      await unseen(s, async () => {
        await write('acmeAdmin', UPDATE, { id: ids.othersTicket, title: acmeTitle });
        await write('acmeAdmin', CREATE, { title: stamp('Acme new'), body: '-' });
      });
      // Their own organization's change arrives.
      const title = stamp('Globex change');
      await write('globexAdmin', UPDATE, { id: ids.globexTicket, title });
      const after = (await s.next()).data!.ticketsChanged;
      expect(after.edges.find((e: any) => e.node.id === ids.globexTicket).node.title).toBe(title);
      expect(JSON.stringify(s.received)).not.toContain(acmeTitle);
    },
    customer: async () => {
      const s = await sub('customer', QUEUE);
      const before = (await s.next()).data!.ticketsChanged;
      expect(before.edges.map((e: any) => e.node.id)).not.toContain(ids.othersTicket);
      const secret = stamp('Other customer secret');
      await unseen(s, async () => {
        await write('acmeAdmin', UPDATE, { id: ids.othersTicket, title: secret });
        await write('otherCustomer', CREATE, { title: stamp('Other customer new'), body: '-' });
        await write('globexAdmin', UPDATE, { id: ids.globexTicket, title: stamp('Globex') });
      });
      const title = stamp('Own ticket change');
      await write('acmeAdmin', UPDATE, { id: ids.ownTicket, title });
      const after = (await s.next()).data!.ticketsChanged;
      expect(after.edges.find((e: any) => e.node.id === ids.ownTicket).node.title).toBe(title);
      expect(after.totalCount).toBe(before.totalCount);
      expect(JSON.stringify(s.received)).not.toContain(secret);
    },
  },
};

/** An internal note re-executes the customer's view (the ticket changed) but sends nothing: the view is the same. */
async function unseenByCustomer(s: SseSubscription, act: () => Promise<void>): Promise<void> {
  await settled();
  const received = s.received.length;
  await act();
  await settled();
  expect(s.received.length).toBe(received);
}

describe('live updates: access matrix (generated from the schema)', () => {
  beforeAll(async () => {
    // No coalescing window: each write's effect is settled before the next one.
    server = await startTestServer({ config: { live: { ...testConfig().live, coalesceMs: 0 } } });
    const [acmeAdmin, globexAdmin, customer] = await Promise.all(
      ['admin@acme.test', 'admin@globex.test', 'customer@acme.test'].map((e) => server.login(e)),
    );
    Object.assign(tokens, { acmeAdmin, globexAdmin, customer });
    const page = await server.gql(
      '{ tickets(first: 60) { edges { node { id requester { email role } comments(first: 10) { edges { node { internal } } } } } } }',
      {},
      tokens.acmeAdmin,
    );
    const tickets = page.body.data!.tickets.edges.map((e: any) => e.node);
    const own = tickets.find((t: any) => t.requester.email === 'customer@acme.test' && t.comments.edges.some((e: any) => e.node.internal));
    const others = tickets.find((t: any) => t.requester.email !== 'customer@acme.test' && t.requester.role === 'CUSTOMER');
    ids.ownTicket = own.id;
    ids.othersTicket = others.id;
    tokens.otherCustomer = await server.login(others.requester.email);
    const globex = await server.gql('{ tickets(first: 1) { edges { node { id } } } }', {}, tokens.globexAdmin);
    ids.globexTicket = globex.body.data!.tickets.edges[0].node.id;
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  it('every Subscription field has a case', () => {
    const type = schema.getSubscriptionType();
    expect(type && isObjectType(type)).toBe(true);
    const fields = Object.keys(type!.getFields()).map((name) => `Subscription.${name}`);
    expect(Object.keys(cases).sort()).toEqual(fields.sort());
  });

  const entries = Object.entries(cases).flatMap(([field, byActor]) =>
    (['globexAdmin', 'customer'] as const).map((actor) => [field, actor, byActor[actor]] as const),
  );
  it.each(entries)('%s as %s', async (_field, _actor, run) => {
    await run();
    for (const s of open) s.close();
    open.length = 0;
  });
});

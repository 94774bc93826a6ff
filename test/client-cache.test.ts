// The web client's normalized cache against the real server: after each mutation, every cached list
// and view reads what the server itself would answer, without asking it again. The client is built from
// the same modules the browser runs (client/src/urql), sends hashes from the client's manifest, and the
// server runs only those (PERSISTED_OPERATIONS=require).
import { Client, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiExchanges, CSRF_HEADERS } from '../client/src/urql/client.ts';
import { cacheConfig } from '../client/src/urql/cache-config.ts';
import {
  AddCommentDocument,
  TicketDetailDocument,
  TicketListDocument,
  UpdateTicketDocument,
  CreateTicketDocument,
  ViewerDocument,
  SignInDocument,
  type TicketListQuery,
  type TicketListQueryVariables,
} from '../client/src/gql/graphql.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { productionPersisted, startTestServer, type TestServer } from './harness.ts';

const OPEN = ['OPEN', 'IN_PROGRESS', 'PENDING'] as const;

let server: TestServer;
let token: string | undefined;
let requests: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { persisted: productionPersisted() } });
  // Signing in is one of the client's persisted operations too.
  const signIn = await mutate(webClient(), SignInDocument, { email: 'agent@acme.test', password: DEMO_PASSWORD });
  token = signIn.login.token;
});
afterAll(() => server?.close());
beforeEach(() => {
  requests = [];
});

/** A browser-like client: graphcache with the client's configuration, counting what reaches the network. */
function webClient(): Client {
  return new Client({
    url: server.url,
    exchanges: apiExchanges(cacheExchange(cacheConfig), () => {}),
    fetchOptions: (): RequestInit => ({ headers: { ...CSRF_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
    fetch: (input, init) => {
      requests.push(
        new URL(String(input)).searchParams.get('operationName') ?? String(JSON.parse(String(init?.body ?? '{}')).operationName),
      );
      return fetch(input, init);
    },
  });
}

async function query<D, V extends AnyVariables>(
  client: Client,
  doc: TypedDocumentNode<D, V>,
  variables: V,
  requestPolicy: 'cache-only' | 'network-only' | 'cache-first' = 'cache-first',
): Promise<D> {
  const result = await client.query(doc, variables, { requestPolicy }).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error(`no data for ${requestPolicy} read`);
  return result.data;
}

async function mutate<D, V extends AnyVariables>(client: Client, doc: TypedDocumentNode<D, V>, variables: V) {
  const result = await client.mutation(doc, variables).toPromise();
  if (result.error) throw result.error;
  return result.data!;
}

const ids = (data: TicketListQuery) => data.tickets.edges.map((e) => e.node.id);

/** What the server answers for a list, first page, through a client with an empty cache. */
async function serverList(variables: TicketListQueryVariables): Promise<TicketListQuery> {
  return query(webClient(), TicketListDocument, variables, 'network-only');
}

describe('the web client cache keeps lists right without refetching', () => {
  const newest: TicketListQueryVariables = {
    filter: { status: [...OPEN] },
    orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    first: 20,
  };
  const urgentFirst: TicketListQueryVariables = {
    filter: { status: [...OPEN] },
    orderBy: { field: 'PRIORITY', direction: 'DESC' },
    first: 100,
  };
  const resolved: TicketListQueryVariables = {
    filter: { status: ['RESOLVED'] },
    orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    first: 20,
  };

  it('a created ticket appears in every cached list it matches, where the server puts it, and in no other', async () => {
    const client = webClient();
    await query(client, ViewerDocument, {});
    const before = await query(client, TicketListDocument, newest);
    await query(client, TicketListDocument, urgentFirst);
    const resolvedBefore = await query(client, TicketListDocument, resolved);
    requests = [];

    const created = await mutate(client, CreateTicketDocument, {
      input: { title: 'Printer on fire', body: 'Third floor.', priority: 'HIGH' },
    });
    const id = created.createTicket.ticket.id;
    expect(requests).toEqual(['CreateTicket']);

    const cachedNewest = await query(client, TicketListDocument, newest, 'cache-only');
    expect(ids(cachedNewest)[0]).toBe(id);
    expect(cachedNewest.tickets.totalCount).toBe(before.tickets.totalCount + 1);
    const cachedUrgent = await query(client, TicketListDocument, urgentFirst, 'cache-only');
    const cachedResolved = await query(client, TicketListDocument, resolved, 'cache-only');
    expect(ids(cachedResolved)).toEqual(ids(resolvedBefore));
    expect(cachedResolved.tickets.totalCount).toBe(resolvedBefore.tickets.totalCount);
    expect(requests).toEqual(['CreateTicket']);

    // The server agrees on order and count.
    const truthUrgent = await serverList(urgentFirst);
    expect(ids(cachedUrgent).slice(0, truthUrgent.tickets.edges.length)).toEqual(ids(truthUrgent));
    expect(cachedUrgent.tickets.totalCount).toBe(truthUrgent.tickets.totalCount);
    expect(ids(cachedUrgent)).toContain(id);
  });

  it('a status change moves the ticket out of lists it no longer matches and into those it now matches, in order', async () => {
    const client = webClient();
    await query(client, ViewerDocument, {});
    const open = await query(client, TicketListDocument, newest);
    const resolvedBefore = await query(client, TicketListDocument, resolved);
    const target = open.tickets.edges[3]!.node;
    requests = [];

    await mutate(client, UpdateTicketDocument, { input: { id: target.id, status: 'RESOLVED' } });
    expect(requests).toEqual(['UpdateTicket']);

    const cachedOpen = await query(client, TicketListDocument, newest, 'cache-only');
    const cachedResolved = await query(client, TicketListDocument, resolved, 'cache-only');
    expect(ids(cachedOpen)).not.toContain(target.id);
    expect(cachedOpen.tickets.totalCount).toBe(open.tickets.totalCount - 1);
    expect(cachedResolved.tickets.totalCount).toBe(resolvedBefore.tickets.totalCount + 1);
    expect(requests).toEqual(['UpdateTicket']);

    const truthResolved = await serverList(resolved);
    expect(ids(cachedResolved).slice(0, truthResolved.tickets.edges.length)).toEqual(ids(truthResolved));
    const truthOpen = await serverList(newest);
    expect(ids(cachedOpen)).toEqual(ids(truthOpen).slice(0, ids(cachedOpen).length));
  });

  it('a change whose list came back from the server first (as a live result does) is not counted twice', async () => {
    const client = webClient();
    await query(client, ViewerDocument, {});
    const open = await query(client, TicketListDocument, newest);
    const target = open.tickets.edges[4]!.node;
    // Another client resolves it; this one's list is read again from the server, now without it.
    await mutate(webClient(), UpdateTicketDocument, { input: { id: target.id, status: 'RESOLVED' } });
    const fresher = await query(client, TicketListDocument, newest, 'network-only');
    expect(ids(fresher)).not.toContain(target.id);
    // Then this client's own mutation answers (its cached ticket still says what it was before).
    await mutate(client, UpdateTicketDocument, { input: { id: target.id, status: 'RESOLVED' } });
    const cached = await query(client, TicketListDocument, newest, 'cache-only');
    expect(cached.tickets.totalCount).toBe(fresher.tickets.totalCount);
    expect(cached.tickets.totalCount).toBe((await serverList(newest)).tickets.totalCount);
  });

  it('a new comment shows in the ticket view and its count in every list row at once', async () => {
    const client = webClient();
    await query(client, ViewerDocument, {});
    const list = await query(client, TicketListDocument, newest);
    const ticket = list.tickets.edges[0]!.node;
    const detail = await query(client, TicketDetailDocument, { id: ticket.id });
    requests = [];

    const added = await mutate(client, AddCommentDocument, { input: { ticketId: ticket.id, body: 'On it.', internal: false } });
    expect(requests).toEqual(['AddComment']);

    const cachedDetail = await query(client, TicketDetailDocument, { id: ticket.id }, 'cache-only');
    const comments = cachedDetail.ticket!.comments.edges.map((e) => e.node);
    expect(comments.map((c) => c.id)).toEqual([...detail.ticket!.comments.edges.map((e) => e.node.id), added.addComment.comment.id]);
    expect(cachedDetail.ticket!.commentCount).toBe(ticket.commentCount + 1);
    const row = (await query(client, TicketListDocument, newest, 'cache-only')).tickets.edges.find((e) => e.node.id === ticket.id)!.node;
    expect(row.commentCount).toBe(ticket.commentCount + 1);
    expect(requests).toEqual(['AddComment']);

    const truth = await query(webClient(), TicketDetailDocument, { id: ticket.id }, 'network-only');
    expect(truth.ticket!.comments.edges.map((e) => e.node.id)).toEqual(comments.map((c) => c.id));
  });

  it('pages fetched after endCursor are read back as one list', async () => {
    const client = webClient();
    const first = await query(client, TicketListDocument, { ...newest, first: 5 });
    const second = await query(client, TicketListDocument, { ...newest, first: 5, after: first.tickets.pageInfo.endCursor });
    expect(ids(second)).toHaveLength(10);
    expect(ids(second).slice(0, 5)).toEqual(ids(first));
    const truth = await serverList({ ...newest, first: 10 });
    expect(ids(second)).toEqual(ids(truth));
  });

  it('an optimistic change the server refuses is rolled back to what the server holds', async () => {
    const client = webClient();
    await query(client, ViewerDocument, {});
    const list = await query(client, TicketListDocument, newest);
    const ticket = list.tickets.edges[1]!.node;
    const customer = ticket.requester.id; // a customer: never assignable

    const seen: (string | null)[] = [];
    const watch = client.query(TicketListDocument, newest, { requestPolicy: 'cache-only' }).subscribe((r) => {
      const row = r.data?.tickets.edges.find((e) => e.node.id === ticket.id)?.node;
      if (row) seen.push(row.assignee?.id ?? null);
    });
    const result = await client.mutation(UpdateTicketDocument, { input: { id: ticket.id, assigneeId: customer } }).toPromise();
    watch.unsubscribe();

    expect(result.error?.graphQLErrors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(seen).toContain(customer); // shown optimistically ...
    const row = (await query(client, TicketListDocument, newest, 'cache-only')).tickets.edges.find((e) => e.node.id === ticket.id)!.node;
    expect(row.assignee?.id ?? null).toBe(ticket.assignee?.id ?? null); // ... and undone
  });
});

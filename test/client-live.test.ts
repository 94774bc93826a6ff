// The web client's live updates outside the browser: the same exchanges (client/src/urql) against the
// real server running only persisted documents. A list's live first page replaces that page in
// graphcache, so what a cache-only read returns is what the server answers; signing out ends the stream
// with UNAUTHENTICATED, which runs the session's error handler, and nothing is opened again.
import { Client, type AnyVariables, type OperationResult, type TypedDocumentNode } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { cacheConfig } from '../client/src/urql/cache-config.ts';
import { apiExchanges, CSRF_HEADERS } from '../client/src/urql/client.ts';
import { liveExchange } from '../client/src/urql/live-exchange.ts';
import { liveStatus } from '../client/src/urql/live-status.ts';
import {
  SignInDocument,
  SignOutDocument,
  TicketDetailLiveDocument,
  TicketListDocument,
  TicketListLiveDocument,
  UpdateTicketDocument,
  type TicketListQueryVariables,
} from '../client/src/gql/graphql.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { productionPersisted, startTestServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { persisted: productionPersisted() } });
});
afterAll(() => server?.close());

/** A browser-like client for `token`: graphcache with the client's configuration, and live updates. */
function webClient(token: string | null, onUnauthenticated = () => {}): Client {
  const headers = () => ({ ...CSRF_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) });
  return new Client({
    url: server.url,
    exchanges: apiExchanges(cacheExchange(cacheConfig), onUnauthenticated, liveExchange(headers, new URL(server.url).origin)),
    fetchOptions: () => ({ headers: headers() }),
  });
}

async function run<D, V extends AnyVariables>(client: Client, doc: TypedDocumentNode<D, V>, variables: V, kind: 'query' | 'mutation') {
  const result =
    kind === 'query'
      ? await client.query(doc, variables, { requestPolicy: 'network-only' }).toPromise()
      : await client.mutation(doc, variables).toPromise();
  if (result.error) throw result.error;
  return result.data!;
}

async function signIn(email: string): Promise<string> {
  const data = await run(webClient(null), SignInDocument, { email, password: DEMO_PASSWORD }, 'mutation');
  return data.login.token;
}

/** Every result of a subscription, as they arrive; `stop()` unsubscribes. */
function subscribe<D, V extends AnyVariables>(client: Client, doc: TypedDocumentNode<D, V>, variables: V) {
  const results: OperationResult<D, V>[] = [];
  const subscription = client.subscription(doc, variables).subscribe((result) => results.push(result));
  return { results, stop: () => subscription.unsubscribe() };
}

it("a list's live first page replaces that page in the cache: a cache-only read is what the server answers", async () => {
  const token = await signIn('agent@acme.test');
  const client = webClient(token);
  const list: TicketListQueryVariables = {
    filter: { status: ['OPEN', 'IN_PROGRESS', 'PENDING'] },
    orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    first: 20,
    after: null,
  };
  const before = await run(client, TicketListDocument, list, 'query');
  const live = subscribe(client, TicketListLiveDocument, { filter: list.filter, orderBy: list.orderBy, first: 20 });
  await expect.poll(() => live.results.length).toBe(1);
  expect(liveStatus.get()).toBe('live');

  // Another session resolves the list's third ticket: it leaves the open list.
  const leaving = before.tickets.edges[2]!.node;
  await run(webClient(token), UpdateTicketDocument, { input: { id: leaving.id, status: 'RESOLVED' } }, 'mutation');
  await expect.poll(() => live.results.length).toBe(2);
  expect(live.results.map((result) => result.error)).toEqual([undefined, undefined]);

  const cached = await client.query(TicketListDocument, list, { requestPolicy: 'cache-only' }).toPromise();
  const answered = await run(webClient(token), TicketListDocument, list, 'query');
  const ids = (data: typeof answered) => data.tickets.edges.map((edge) => edge.node.id);
  expect(ids(cached.data!)).not.toContain(leaving.id);
  expect(ids(cached.data!)).toEqual(ids(answered));
  expect(cached.data!.tickets.totalCount).toBe(before.tickets.totalCount - 1);
  live.stop();
  await expect.poll(() => liveStatus.get()).toBe('idle');
});

it('signing out ends the stream with UNAUTHENTICATED: the session ends, and the stream is not opened again', async () => {
  const token = await signIn('customer@acme.test');
  let unauthenticated = 0;
  const client = webClient(token, () => unauthenticated++);
  const customer = await server.database.prisma.user.findUniqueOrThrow({ where: { email: 'customer@acme.test' } });
  const ticket = await server.database.prisma.ticket.findFirstOrThrow({ where: { requesterId: customer.id } });
  const hub = server.live!;
  const subscribersBefore = hub.counts.subscribers;
  // Counted on the way (graphql-sse takes the global fetch when the client's transport is made, at its first subscription).
  const realFetch = globalThis.fetch;
  let streams = 0;
  globalThis.fetch = (input, init) => {
    if (new Headers(init?.headers).get('accept') === 'text/event-stream') streams++;
    return realFetch(input, init);
  };
  onTestFinished(() => {
    globalThis.fetch = realFetch;
  });
  const live = subscribe(client, TicketDetailLiveDocument, { id: btoa(`Ticket:${ticket.id}`), commentsAfter: null });
  await expect.poll(() => live.results.length).toBe(1);
  expect(live.results[0]!.data?.ticketChanged?.id).toBe(btoa(`Ticket:${ticket.id}`));
  expect(hub.counts.subscribers).toBe(subscribersBefore + 1);

  await run(webClient(token), SignOutDocument, {}, 'mutation');
  // The stream's last event is the error; urql then closes the result stream (hasNext: false).
  await expect.poll(() => live.results.at(-1)?.hasNext).toBe(false);
  const codes = live.results.flatMap((result) => result.error?.graphQLErrors.map((error) => error.extensions?.code) ?? []);
  expect(new Set(codes)).toEqual(new Set(['UNAUTHENTICATED']));
  expect(unauthenticated).toBeGreaterThan(0);
  // Ended as the stream closed, not waiting to reconnect (that would be 'reconnecting'), and the server
  // holds nothing for it.
  expect(liveStatus.get()).toBe('idle');
  expect(streams).toBe(1);
  await expect.poll(() => hub.counts.subscribers).toBe(subscribersBefore);
  live.stop();
});

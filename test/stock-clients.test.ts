// Stock GraphQL clients, configured as their own docs show, against a real server: each signs in with
// the login mutation, files a ticket and reads it back (twice: the second read is a cache hit), sending
// nothing of ours — no x-graphql-csrf header, no persisted hashes, only `Authorization: Bearer`.
//
// Persisted operations: the test server runs with PERSISTED_OPERATIONS=allow (NODE_ENV=test; the
// harness trusts no manifest), so documents sent as text run. Stock clients send full documents, which
// every mode but `require` (the production default) accepts; under `require` they get 400
// PERSISTED_QUERY_ONLY, shown at the end.
//
// Each client gets a `fetch` that records what it sent and passes it on unchanged to the global fetch:
// the only option set besides the documented ones, so the test can tell which requests went out as GET.
import { ApolloClient, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { Client, cacheExchange, fetchExchange, gql as urqlGql } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { productionPersisted, startTestServer, type TestServer } from './harness.ts';

const LOGIN = `mutation StockLogin($email: String!, $password: String!) {
  login(email: $email, password: $password) { token user { email role } }
}`;
const CREATE = `mutation StockCreate($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id number title status } }
}`;
const READ = `query StockRead($id: ID!) {
  ticket(id: $id) { id number title status requester { email } }
  viewer { email }
}`;

interface Sent {
  method: string;
  url: string;
  headers: Headers;
}

interface Ticket {
  id: string;
  number: number;
  title: string;
  status: string;
}
interface Read {
  ticket: Ticket & { requester: { email: string } };
  viewer: { email: string };
}

/** What each client is asked to do, in its own API; `token` null means a client without Authorization. */
interface StockClient {
  login(email: string): Promise<string>;
  create(token: string, title: string): Promise<Ticket>;
  read(token: string, id: string): Promise<Read>;
}

function recorder(sent: Sent[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    sent.push({
      method: method.toUpperCase(),
      url,
      headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)),
    });
    return fetch(input, init);
  };
}

const bearer = (token: string) => `Bearer ${token}`;

// @urql/core's Client with its default exchanges and defaults (preferGetMethod: 'within-url-limit', so
// queries go as GET); the token goes in fetchOptions, as urql's docs show.
function urql(url: string, sent: Sent[]): StockClient {
  const client = (token: string | null) =>
    new Client({
      url,
      exchanges: [cacheExchange, fetchExchange],
      fetchOptions: token ? { headers: { Authorization: bearer(token) } } : {},
      fetch: recorder(sent),
    });
  const documents = { login: urqlGql(LOGIN), create: urqlGql(CREATE), read: urqlGql(READ) };
  const ok = <T>(result: { data?: T; error?: unknown }): T => {
    if (result.error || !result.data) throw new Error(`urql: ${String(result.error)}`);
    return result.data;
  };
  return {
    async login(email) {
      const data = ok(await client(null).mutation<{ login: { token: string } }>(documents.login, { email, password: DEMO_PASSWORD }));
      return data.login.token;
    },
    async create(token, title) {
      const data = ok(
        await client(token).mutation<{ createTicket: { ticket: Ticket } }>(documents.create, { input: { title, body: 'x' } }),
      );
      return data.createTicket.ticket;
    },
    async read(token, id) {
      // A fresh client per read: urql's document cache would answer the second read itself.
      return ok(await client(token).query<Read>(documents.read, { id }).toPromise());
    },
  };
}

// Apollo Client 4 as its docs set it up: an HttpLink with the headers, an InMemoryCache. Queries are
// POSTs unless useGETForQueries.
function apollo(url: string, sent: Sent[], useGETForQueries: boolean): StockClient {
  const client = (token: string | null) =>
    new ApolloClient({
      link: new HttpLink({
        uri: url,
        headers: token ? { Authorization: bearer(token) } : {},
        ...(useGETForQueries ? { useGETForQueries } : {}),
        fetch: recorder(sent),
      }),
      cache: new InMemoryCache(),
    });
  const documents = { login: apolloGql(LOGIN), create: apolloGql(CREATE), read: apolloGql(READ) };
  return {
    async login(email) {
      const { data } = await client(null).mutate<{ login: { token: string } }>({
        mutation: documents.login,
        variables: { email, password: DEMO_PASSWORD },
      });
      return data!.login.token;
    },
    async create(token, title) {
      const { data } = await client(token).mutate<{ createTicket: { ticket: Ticket } }>({
        mutation: documents.create,
        variables: { input: { title, body: 'x' } },
      });
      return data!.createTicket.ticket;
    },
    async read(token, id) {
      const { data } = await client(token).query<Read>({ query: documents.read, variables: { id }, fetchPolicy: 'network-only' });
      return data!;
    },
  };
}

// graphql-request's GraphQLClient with the headers option (POST for everything by default).
function graphqlRequest(url: string, sent: Sent[]): StockClient {
  const client = (token: string | null) =>
    new GraphQLClient(url, { headers: token ? { Authorization: bearer(token) } : {}, fetch: recorder(sent) });
  return {
    async login(email) {
      const data = await client(null).request<{ login: { token: string } }>(LOGIN, { email, password: DEMO_PASSWORD });
      return data.login.token;
    },
    async create(token, title) {
      const data = await client(token).request<{ createTicket: { ticket: Ticket } }>(CREATE, { input: { title, body: 'x' } });
      return data.createTicket.ticket;
    },
    read: (token, id) => client(token).request<Read>(READ, { id }),
  };
}

async function fastPathHits(server: TestServer): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  return [...text.matchAll(/^deskgraph_cache_hits_total\{[^}]*path="fast"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

const clients: { name: string; make: (url: string, sent: Sent[]) => StockClient; readsWith: 'GET' | 'POST' }[] = [
  { name: 'urql (@urql/core, default exchanges)', make: urql, readsWith: 'GET' },
  { name: 'Apollo Client (HttpLink)', make: (url, sent) => apollo(url, sent, false), readsWith: 'POST' },
  { name: 'Apollo Client (HttpLink, useGETForQueries)', make: (url, sent) => apollo(url, sent, true), readsWith: 'GET' },
  { name: 'graphql-request (GraphQLClient)', make: graphqlRequest, readsWith: 'POST' },
];

describe('stock clients, unchanged, against deskgraph (PERSISTED_OPERATIONS=allow)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it.each(clients)('$name: signs in, files a ticket and reads it back, sending only Authorization', async ({ name, make, readsWith }) => {
    const sent: Sent[] = [];
    const client = make(server.url, sent);

    const token = await client.login('agent@acme.test');
    expect(token).toMatch(/^dg_/);

    const title = `Filed by ${name}`;
    const created = await client.create(token, title);
    expect(created).toMatchObject({ id: expect.any(String), number: expect.any(Number), title, status: 'OPEN' });

    const first = await client.read(token, created.id);
    // urql and Apollo add __typename to every selection; the fields asked for are what matters.
    expect(first).toMatchObject({
      ticket: { id: created.id, number: created.number, title, status: 'OPEN', requester: { email: 'agent@acme.test' } },
      viewer: { email: 'agent@acme.test' },
    });
    // The same read again is a cache hit, answered before GraphQL runs.
    const hits = await fastPathHits(server);
    expect(await client.read(token, created.id)).toEqual(first);
    expect(await fastPathHits(server), 'the second read came from the fast path').toBe(hits + 1);

    // What went out: login and the mutation as POST, the reads as this client sends queries; nothing but
    // the client's own headers and Authorization, never the CSRF header.
    expect(sent.map((request) => request.method)).toEqual(['POST', 'POST', readsWith, readsWith]);
    for (const request of sent) expect(request.headers.has(CSRF_HEADER)).toBe(false);
    expect(sent.map((request) => request.headers.get('authorization'))).toEqual([null, bearer(token), bearer(token), bearer(token)]);
    if (readsWith === 'GET') expect(new URL(sent[2]!.url).searchParams.get('query')).toContain('StockRead');
  });
});

// Production's default: only the shipped client's documents run, by hash. A stock client sending text
// gets a clear 400, not a silent failure.
describe('stock clients under PERSISTED_OPERATIONS=require', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { persisted: productionPersisted() } });
  });
  afterAll(() => server?.close());

  it('refuses a document sent as text with 400 PERSISTED_QUERY_ONLY', async () => {
    const client = new Client({ url: server.url, exchanges: [cacheExchange, fetchExchange] });
    const result = await client.mutation(urqlGql(LOGIN), { email: 'agent@acme.test', password: DEMO_PASSWORD });
    expect(result.data).toBeUndefined();
    expect(result.error?.graphQLErrors.map((error) => error.extensions.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(result.error?.response?.status).toBe(400);
  });
});

// Live updates over one connection (the graphql-sse protocol's single-connection mode at /graphql/stream,
// server/live/use-single-connection.ts), driven by graphql-sse's own client as a browser would drive it:
// the same delivery, visibility and limits as distinct connections, a stream no other credential can
// use, and nothing left behind once the client disposes.
import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionPersisted, startTestServer, testConfig, type TestServer } from './harness.ts';
import type { SseResult } from './sse.ts';

const DETAIL = `subscription Detail($id: ID!) { ticketChanged(id: $id) {
  id title commentCount comments(first: 100) { edges { node { body internal } } } } }`;
const QUEUE = 'subscription Queue { ticketsChanged(first: 3) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const COMMENT = 'mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not become true');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const stamp = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;
const codes = (result: SseResult) => (result.errors ?? []).map((error) => error.extensions?.code);

/** One operation on a client's stream, read result by result. */
interface Operation {
  next(timeoutMs?: number): Promise<SseResult>;
  readonly received: SseResult[];
  /** Resolves when the operation completed (the server's `complete`, or stop()). */
  readonly done: Promise<void>;
  /** The client stops the operation (the protocol's DELETE). */
  stop(): Promise<void>;
}

function operation(client: Client<true>, query: string, variables: Record<string, unknown> = {}): Operation {
  const received: SseResult[] = [];
  const queue: SseResult[] = [];
  let wake = null as (() => void) | null;
  let finished = false;
  const results = client.iterate({ query, variables });
  const done = (async () => {
    for await (const result of results) {
      received.push(result as SseResult);
      queue.push(result as SseResult);
      wake?.();
    }
    finished = true;
    wake?.();
  })();
  return {
    received,
    done,
    async stop() {
      await results.return?.();
      await done;
    },
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (finished) throw new Error('the operation completed');
        if (Date.now() > deadline) throw new Error('no result within the timeout');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return queue.shift()!;
    },
  };
}

describe('live updates over a single connection (/graphql/stream)', () => {
  let server: TestServer;
  let streamUrl: string;
  const tokens = {} as Record<'agent' | 'admin' | 'customer' | 'globex', string>;
  const ids = {} as { ownTicket: string; othersTicket: string };
  const clients: Client<true>[] = [];
  const client = (token: string | null) => {
    const c = createClient({
      singleConnection: true,
      url: streamUrl,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    clients.push(c);
    return c;
  };

  async function drained(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const { subscribers, groups, tags } = server.live!.counts;
      if (subscribers === 0 && groups === 0 && tags === 0 && server.singleConnection.reservations === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect({ ...server.live!.counts, reservations: server.singleConnection.reservations }).toMatchObject({
      subscribers: 0,
      groups: 0,
      tags: 0,
      reservations: 0,
    });
  }

  beforeAll(async () => {
    server = await startTestServer({ config: { live: { ...testConfig().live, maxPerToken: 2, reservationTtlMs: 300 } } });
    streamUrl = server.url.replace(/\/graphql$/, '/graphql/stream');
    const [agent, admin, customer, globex] = await Promise.all(
      ['agent@acme.test', 'admin@acme.test', 'customer@acme.test', 'admin@globex.test'].map((e) => server.login(e)),
    );
    Object.assign(tokens, { agent, admin, customer, globex });
    const page = await server.gql('{ tickets(first: 60) { edges { node { id requester { email } } } } }', {}, admin);
    const tickets = page.body.data!.tickets.edges.map((e: any) => e.node);
    ids.ownTicket = tickets.find((t: any) => t.requester.email === 'customer@acme.test').id;
    ids.othersTicket = tickets.find((t: any) => t.requester.email !== 'customer@acme.test').id;
  });
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await server?.close();
  });

  it('delivers each operation its current result, then each change, on one stream; dispose leaves nothing behind', async () => {
    const c = client(tokens.agent);
    const detail = operation(c, DETAIL, { id: ids.othersTicket });
    const queue = operation(c, QUEUE);
    expect((await detail.next()).data?.ticketChanged.id).toBe(ids.othersTicket);
    expect((await queue.next()).data?.ticketsChanged.totalCount).toBeGreaterThan(0);
    expect(server.live!.counts.subscribers).toBe(2);
    expect(server.singleConnection.reservations).toBe(1);

    const title = stamp('Single connection');
    await server.gql(UPDATE, { input: { id: ids.othersTicket, title } }, tokens.agent);
    let changed = await detail.next();
    while (changed.data?.ticketChanged.title !== title) changed = await detail.next();
    expect(changed.data?.ticketChanged.id).toBe(ids.othersTicket);

    // Stopping one operation leaves the other and the stream; stopping the last one closes the stream.
    await queue.stop();
    await waitFor(() => server.live!.counts.subscribers === 1);
    expect(server.singleConnection.reservations).toBe(1);
    await detail.stop();
    c.dispose();
    await drained();
  });

  it('a plain query on the stream is answered once, as on /graphql, and completes', async () => {
    const c = client(tokens.agent);
    const q = operation(c, 'query One($id: ID!) { ticket(id: $id) { id } }', { id: ids.ownTicket });
    expect((await q.next()).data?.ticket.id).toBe(ids.ownTicket);
    await q.done;
    expect(q.received).toHaveLength(1);
    c.dispose();
    await drained();
  });

  it('a customer gets what a query would give them: NOT_FOUND for another customer’s ticket, never an internal note', async () => {
    const c = client(tokens.customer);
    const others = operation(c, DETAIL, { id: ids.othersTicket });
    expect(codes(await others.next())).toEqual(['NOT_FOUND']);
    await others.done;

    const own = operation(c, DETAIL, { id: ids.ownTicket });
    const first = (await own.next()).data!.ticketChanged;
    const internal = stamp('INTERNAL note');
    await server.gql(COMMENT, { input: { ticketId: ids.ownTicket, body: internal, internal: true } }, tokens.admin);
    const reply = stamp('Public reply');
    await server.gql(COMMENT, { input: { ticketId: ids.ownTicket, body: reply } }, tokens.admin);
    let latest = (await own.next()).data!.ticketChanged;
    while (!latest.comments.edges.some((e: any) => e.node.body === reply)) latest = (await own.next()).data!.ticketChanged;
    expect(latest.commentCount).toBe(first.commentCount + 1);
    expect(JSON.stringify(own.received)).not.toContain(internal);
    expect(own.received.flatMap((r) => r.data!.ticketChanged.comments.edges).every((e: any) => !e.node.internal)).toBe(true);
    await own.stop();
    c.dispose();
    await drained();
  });

  it('a token holds at most LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN operations on its stream, as over distinct connections', async () => {
    const c = client(tokens.agent);
    const [a, b] = [operation(c, QUEUE), operation(c, DETAIL, { id: ids.ownTicket })];
    await Promise.all([a.next(), b.next()]);
    const third = operation(c, DETAIL, { id: ids.othersTicket });
    const refused = await third.next();
    expect(codes(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(refused.errors![0]!.extensions).toMatchObject({ limit: 'token', max: 2 });
    await third.done;
    expect(server.live!.counts.subscribers).toBe(2);
    await Promise.all([a.stop(), b.stop()]);
    c.dispose();
    await drained();
  });

  it('a reserved stream is its owner’s: another credential naming its token is told it does not exist', async () => {
    const reserve = await fetch(streamUrl, { method: 'PUT', headers: { authorization: `Bearer ${tokens.agent}` } });
    expect(reserve.status).toBe(201);
    const token = await reserve.text();
    const stranger = await fetch(streamUrl, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${tokens.globex}`, 'x-graphql-event-stream-token': token },
    });
    expect(stranger.status).toBe(404);
    const post = await fetch(streamUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens.globex}`,
        'x-graphql-event-stream-token': token,
      },
      body: JSON.stringify({ query: QUEUE, extensions: { operationId: '1' } }),
    });
    expect(post.status).toBe(404);
    expect(server.live!.counts.subscribers).toBe(0);
    // The owner opens it; when they leave, the token is forgotten.
    const abort = new AbortController();
    const owner = await fetch(streamUrl, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${tokens.agent}`, 'x-graphql-event-stream-token': token },
      signal: abort.signal,
    });
    expect(owner.status).toBe(200);
    abort.abort();
    await drained();
  });

  /** Reserves a stream as `token` and adds one operation to it, without opening the stream. */
  async function reserveAndPost(token: string, body: string) {
    const headers = { authorization: `Bearer ${token}` };
    const streamToken = await (await fetch(streamUrl, { method: 'PUT', headers })).text();
    return fetch(streamUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-graphql-event-stream-token': streamToken },
      body,
    });
  }

  it('an operation request fails as on /graphql: 401 for an unknown token, 400 with the validation errors, 400 for bad JSON', async () => {
    const badToken = await reserveAndPost('not-a-token', JSON.stringify({ query: QUEUE, extensions: { operationId: '1' } }));
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer');
    expect((await badToken.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const invalid = await reserveAndPost(
      tokens.agent,
      JSON.stringify({ query: 'subscription { nope }', extensions: { operationId: '1' } }),
    );
    expect(invalid.status).toBe(400);
    const body = await invalid.json();
    expect(body.errors[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "Subscription".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const json = await reserveAndPost(tokens.agent, '{not json');
    expect(json.status).toBe(400);
    expect((await json.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    await drained(); // the reservations expire
  });

  it('a reservation never opened is closed after its time, with the subscriptions added to it', async () => {
    const post = await reserveAndPost(tokens.agent, JSON.stringify({ query: QUEUE, extensions: { operationId: '1' } }));
    expect(post.status).toBe(202);
    await waitFor(() => server.live!.counts.subscribers === 1);
    expect(server.singleConnection.reservations).toBe(1);
    await drained();
  });

  it('without a Bearer token, the CSRF header is required, as on /graphql', async () => {
    const reserve = await fetch(streamUrl, { method: 'PUT' });
    expect(reserve.status).toBe(403);
    expect((await reserve.json()).errors[0].extensions.code).toBe('CSRF_HEADER_MISSING');
  });
});

describe('single connection at shutdown', () => {
  it('each operation gets SERVICE_UNAVAILABLE and completes, and the stream ends, so the drain does not wait for it', async () => {
    const server = await startTestServer();
    const c = createClient({
      singleConnection: true,
      url: server.url.replace(/\/graphql$/, '/graphql/stream'),
      headers: { authorization: `Bearer ${await server.login('agent@acme.test')}` },
      retryAttempts: 0,
    });
    try {
      const queue = operation(c, QUEUE);
      await queue.next();
      // The drain waits for open responses up to 10 s, past this test's timeout: it returns because the stream ended.
      const closing = server.close();
      expect(codes(await queue.next())).toEqual(['SERVICE_UNAVAILABLE']);
      await queue.done;
      await closing;
    } finally {
      c.dispose();
    }
  });
});

describe('single connection with persisted operations required', () => {
  it('an operation sent as text is refused with PERSISTED_QUERY_ONLY before anything opens', async () => {
    const server = await startTestServer({ config: { persisted: productionPersisted() } });
    try {
      const streamUrl = server.url.replace(/\/graphql$/, '/graphql/stream');
      // Anonymous (login itself is a persisted document here): the CSRF header stands in for a Bearer token.
      const headers = { 'x-graphql-csrf': '1' };
      const reserve = await fetch(streamUrl, { method: 'PUT', headers });
      const streamToken = await reserve.text();
      const post = await fetch(streamUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'x-graphql-event-stream-token': streamToken },
        body: JSON.stringify({ query: QUEUE, extensions: { operationId: '1' } }),
      });
      expect(post.status).toBe(400);
      expect((await post.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
      expect(server.live!.counts.subscribers).toBe(0);
    } finally {
      await server.close();
    }
  });
});

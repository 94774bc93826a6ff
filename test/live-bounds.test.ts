// Live updates' bounds: how many subscriptions a token and an instance may hold, keep-alives, what is
// left after clients go (nothing), revoked tokens, shutdown, and the settings that turn parts off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionPersisted, startTestServer, testConfig, type TestServer } from './harness.ts';
import { hashToken, newToken } from '../identity/bearer-token.ts';
import { subscribe, type SseSubscription } from './sse.ts';

const QUEUE = 'subscription Queue { ticketsChanged(first: 3) { totalCount edges { node { id title } } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }';
const code = (result: { errors?: { extensions?: Record<string, any> }[] }) => result.errors?.map((e) => e.extensions?.code);

async function drained(server: TestServer): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const { subscribers, groups, tags } = server.live!.counts;
    if (subscribers === 0 && groups === 0 && tags === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(server.live!.counts).toMatchObject({ subscribers: 0, groups: 0, tags: 0 });
}

describe('live updates: limits, keep-alives and cleanup', () => {
  let server: TestServer;
  const open: SseSubscription[] = [];
  const sub = async (query: string, token: string) => {
    const s = await subscribe(server.url, query, {}, token);
    open.push(s);
    return s;
  };
  const live = { ...testConfig().live, maxPerToken: 2, maxPerInstance: 4 };

  beforeAll(async () => {
    server = await startTestServer({ config: { live } });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  it('a token holds at most LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN subscriptions; closing one makes room', async () => {
    const token = await server.login('agent@acme.test');
    const [a, b] = [await sub(QUEUE, token), await sub(QUEUE, token)];
    await Promise.all([a.next(), b.next()]);
    const third = await sub(QUEUE, token);
    const refused = await third.next();
    expect(code(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(refused.errors![0]!.extensions).toMatchObject({ limit: 'token', max: 2 });
    expect(refused.data ?? null).toBeNull();
    expect(await third.completed()).toBe(true);
    // Another token of the same user is counted on its own.
    const other = await sub(QUEUE, await server.login('agent@acme.test'));
    expect((await other.next()).data?.ticketsChanged).toBeTruthy();
    a.close();
    await waitUntil(() => server.live!.counts.subscribers === 2);
    const again = await sub(QUEUE, token);
    expect((await again.next()).data?.ticketsChanged).toBeTruthy();
    for (const s of [b, other, again]) s.close();
    await drained(server);
  });

  it('an instance holds at most LIVE_MAX_SUBSCRIPTIONS in all', async () => {
    const emails = ['agent@acme.test', 'admin@acme.test', 'customer@acme.test', 'agent@globex.test', 'admin@globex.test'];
    const tokens = await Promise.all(emails.map((email) => server.login(email)));
    const streams = [];
    for (const token of tokens.slice(0, 4)) streams.push(await sub(QUEUE, token));
    for (const s of streams) expect((await s.next()).data?.ticketsChanged).toBeTruthy();
    const fifth = await sub(QUEUE, tokens[4]!);
    const refused = await fifth.next();
    expect(code(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(refused.errors![0]!.extensions).toMatchObject({ limit: 'instance', max: 4 });
    for (const s of streams) s.close();
    await drained(server);
  });

  it('keeps idle streams alive with comments, and forgets everything of clients that went away', async () => {
    const tokens = await Promise.all(['agent@acme.test', 'customer@acme.test'].map((email) => server.login(email)));
    const ticket = (await server.gql('{ tickets(first: 1) { edges { node { id } } } }', {}, tokens[1])).body.data!.tickets.edges[0].node.id;
    const streams = [
      await sub(QUEUE, tokens[0]!),
      await sub(QUEUE, tokens[1]!),
      await subscribe(server.url, 'subscription T($id: ID!) { ticketChanged(id: $id) { id title } }', { id: ticket }, tokens[1]),
    ];
    open.push(streams[2]!);
    for (const s of streams) await s.next();
    expect(server.live!.counts).toMatchObject({ subscribers: 3, groups: 3 });
    expect(server.live!.counts.tags).toBeGreaterThan(3);
    // The stream opens with a comment, and more follow while nothing changes (yoga's keep-alive).
    await waitUntil(() => streams[0]!.comments >= 2, 15_000);
    for (const s of streams) s.close();
    await drained(server);
    // A write after they left wakes nothing.
    const runs = server.live!.counts.runs;
    await server.gql(CREATE, { input: { title: 'After everyone left', body: '-' } }, tokens[0]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.live!.counts.runs).toBe(runs);
  });

  it('logout ends the subscriptions of that token with UNAUTHENTICATED', async () => {
    const token = await server.login('agent@acme.test');
    const s = await sub(QUEUE, token);
    await s.next();
    const out = await server.gql('mutation { logout }', {}, token);
    expect(out.body.errors).toBeUndefined();
    expect(code(await s.next())).toEqual(['UNAUTHENTICATED']);
    expect(await s.completed()).toBe(true);
    await drained(server);
  });

  it('a stream ends with UNAUTHENTICATED when its token expires (it was valid when the stream opened)', async () => {
    const agent = await server.database.prisma.user.findFirstOrThrow({ where: { email: 'agent@acme.test' } });
    const token = newToken();
    await server.database.prisma.apiToken.create({
      data: { userId: agent.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 1500) },
    });
    const s = await sub(QUEUE, token);
    await s.next();
    const ended = await s.next(5000);
    expect(code(ended)).toEqual(['UNAUTHENTICATED']);
    expect(ended.errors?.[0]?.message).toContain('expired');
    expect(await s.completed()).toBe(true);
    await drained(server);
  });
});

async function waitUntil(ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('live updates: settings and shutdown', () => {
  it('without the response cache (RESPONSE_CACHE=false), writes on the instance still reach subscribers', async () => {
    const server = await startTestServer({ cache: { enabled: false } });
    try {
      const token = await server.login('agent@acme.test');
      const s = await subscribe(server.url, QUEUE, {}, token);
      const before = (await s.next()).data!.ticketsChanged.totalCount;
      await server.gql(CREATE, { input: { title: 'Uncached live', body: '-' } }, token);
      expect((await s.next()).data!.ticketsChanged.totalCount).toBe(before + 1);
      s.close();
    } finally {
      await server.close();
    }
  });

  it('LIVE_UPDATES=false refuses subscriptions with LIVE_UPDATES_OFF', async () => {
    const server = await startTestServer({ config: { live: { ...testConfig().live, enabled: false } } });
    try {
      const s = await subscribe(server.url, QUEUE, {}, await server.login('agent@acme.test'));
      expect(code(await s.next())).toEqual(['LIVE_UPDATES_OFF']);
      expect(await s.completed()).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('with persisted operations required, a subscription sent as text is refused like a query', async () => {
    const server = await startTestServer({ config: { persisted: productionPersisted() } });
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: QUEUE }),
      });
      const text = await response.text();
      expect(text).toContain('PERSISTED_QUERY_ONLY');
      expect(server.live!.counts.runs).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('shutting down ends open subscriptions with SERVICE_UNAVAILABLE at once, without waiting out the drain', async () => {
    const server = await startTestServer();
    const s = await subscribe(server.url, QUEUE, {}, await server.login('agent@acme.test'));
    await s.next();
    const closing = server.close();
    expect(code(await s.next())).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await s.completed()).toBe(true);
    await closing;
  });
});

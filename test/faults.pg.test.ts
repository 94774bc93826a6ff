// Faults with real processes (issue 7): Redis killed under a stream of requests, PostgreSQL restarted
// under requests, SIGTERM while requests are in flight, and a multi-statement mutation failing half-way.
// PostgreSQL here is a throwaway cluster this file starts (test/postgres-process.ts) holding a copy of
// the test template, so it can be stopped, restarted and put behind a proxy that holds its traffic.
// The tests run in order and share the cluster.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPostgres, type PostgresProcess } from './postgres-process.ts';
import {
  fresh,
  hit,
  ok,
  startProxy,
  startRedis,
  startServer,
  stopAll,
  uniquePrefix,
  waitFor,
  warm,
  type GraphQLResult,
  type RedisProcess,
  type ServerProcess,
  type TcpProxy,
} from './processes.ts';
import { copyTemplate } from './template-db.ts';

const DB = 'deskgraph';
const SIMPLE = 'query Simple($id: ID!) { ticket(id: $id) { id title } }';
const LIST = 'query List { tickets(first: 10) { totalCount edges { node { id title } } } }';
const COMMENTS = 'query Comments($id: ID!) { ticket(id: $id) { id commentCount tags { name } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title } } }';
const ADD_COMMENT = 'mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';
const ADD_TAGS = 'mutation Tag($input: TicketTagsInput!) { addTags(input: $input) { ticket { id tags { name } } } }';

type TicketData = { ticket: { id: string; title: string } };
type ListData = { tickets: { totalCount: number; edges: { node: { id: string; title: string } }[] } };

/** No stack trace, no internals: what a client may see of a failure. */
function expectClean(result: GraphQLResult, code: string): void {
  const text = JSON.stringify(result.body);
  expect(
    result.body.errors?.map((error) => error.extensions?.code),
    text,
  ).toEqual(result.body.errors!.map(() => code));
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|stack|prisma|pg_|SELECT|INSERT|UPDATE "/i);
}

/** A raw HTTP/1.1 connection: what it received so far, and all it receives until the server closes it. */
function rawConnection(port: number): { socket: Socket; text: () => string; received: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => {});
  return { socket, text: () => text, received };
}

const statusesOf = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));

function postRequest(query: string, variables: Record<string, unknown>, token: string): string {
  const body = JSON.stringify({ query, variables });
  return (
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const connectionRefused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

describe('faults', () => {
  let cluster: PostgresProcess;
  let redis: RedisProcess;
  let server: ServerProcess; // on the cluster directly, with its own redis
  let agent: string;
  let x: string; // a ticket the stream writes to
  let title: string;
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    [cluster, redis] = await Promise.all([startPostgres(), startRedis()]);
    cluster.copyFrom(copy.config.url, DB);
    await copy.drop();
    server = await startServer({
      name: 'faults',
      databaseUrl: cluster.databaseUrl(DB),
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('faults'),
      env: { RATE_LIMIT_TOKEN_PER_MINUTE: '0' },
    });
    agent = await server.login('agent@acme.test');
    const list = ok(await server.gql<ListData>(LIST, {}, agent), 'list').tickets.edges;
    x = list[0]!.node.id;
    title = list[0]!.node.title;
  });

  afterAll(async () => {
    await stopAll();
    for (const proxy of proxies) await proxy.close();
    await redis?.dispose();
    await cluster?.dispose();
  });

  it('Redis killed during a stream of reads and writes: no read fails or is stale, writes are refused (503, nothing saved) until it is back', async () => {
    await warm(server, SIMPLE, { id: x }, agent);
    const hitsBefore = await server.metric('deskgraph_cache_hits_total');
    const failures: string[] = [];
    let answered = 0;
    let served = 0;
    let refused = 0;
    // The writer: reads X (a cache hit while Redis is up), every 5th round writes it first; a read
    // after a write must show the write, and after a refused write, the title before it.
    const writer = async () => {
      for (let i = 0; i < 150; i++) {
        if (i === 50) void redis.stop('SIGKILL'); // mid-stream, while the readers keep going
        if (i % 5 === 0) {
          const next = fresh('stream');
          const written = await server.gql<{ updateTicket: { ticket: { title: string } } }>(
            UPDATE,
            { input: { id: x, title: next } },
            agent,
          );
          answered += 1;
          const code = written.body.errors?.[0]?.extensions?.code;
          if (written.status === 503 && code === 'SERVICE_UNAVAILABLE') refused += 1;
          else if (written.status === 200 && code === 'WRITE_UNCONFIRMED')
            title = next; // saved, not confirmed everywhere
          else if (written.status !== 200 || written.body.errors || written.body.data?.updateTicket.ticket.title !== next)
            failures.push(`write ${i}: ${JSON.stringify(written)}`);
          else title = next;
        }
        const read = await server.gql<TicketData>(SIMPLE, { id: x }, agent);
        answered += 1;
        if (hit(read)) served += 1;
        if (read.status !== 200 || read.body.errors || read.body.data?.ticket.title !== title)
          failures.push(`read ${i}: expected "${title}", got ${JSON.stringify(read)}`);
      }
    };
    const reader = async () => {
      for (let i = 0; i < 100; i++) {
        const read = await server.gql<ListData>(LIST, {}, agent);
        answered += 1;
        if (read.status !== 200 || read.body.errors || !read.body.data?.tickets.edges.length)
          failures.push(`list ${i}: ${JSON.stringify(read)}`);
      }
    };
    await Promise.all([writer(), reader(), reader()]);
    expect(failures).toEqual([]);
    expect(answered).toBe(150 + 30 + 200);
    expect(refused, 'writes after the kill are refused before writing').toBeGreaterThan(0);
    expect(redis.pid()).toBeNull();
    expect(served, 'reads before the kill were cache hits').toBeGreaterThan(0);
    expect((await server.ready()).body.cache).toBe('degraded');

    await redis.start();
    await waitFor(
      async () => (await server.ready()).body.cache === 'ok',
      10_000,
      () => 'cache did not come back "ok"',
      50,
    );
    const again = await warm<TicketData>(server, SIMPLE, { id: x }, agent);
    expect(again.body.data!.ticket.title).toBe(title);
    expect(await server.metric('deskgraph_cache_redis_up')).toBe(1);
    expect(await server.metric('deskgraph_cache_hits_total')).toBeGreaterThan(hitsBefore + served);
  }, 60_000);

  it('a mutation failing half-way leaves nothing behind (one transaction), answers cleanly, and the cache stays right', async () => {
    const marker = fresh('fault-marker');
    const target = ok(
      await server.gql<{ updateTicket: { ticket: { id: string } } }>(UPDATE, { input: { id: x, title: marker } }, agent),
      'mark',
    ).updateTicket.ticket.id;
    title = marker;
    // The second statement of addComment (touching the ticket) and of addTags (linking the tag) fail
    // for the marked ticket; the first (the comment, the new tag) must be rolled back with them.
    await cluster.query(
      DB,
      `
      CREATE FUNCTION fault_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE FUNCTION fault_fail_tag() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF EXISTS (SELECT 1 FROM "Ticket" WHERE "id" = NEW."ticketId" AND "title" LIKE 'fault-marker%') THEN RAISE EXCEPTION 'injected fault'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fault_ticket BEFORE UPDATE ON "Ticket" FOR EACH ROW WHEN (OLD."title" LIKE 'fault-marker%') EXECUTE FUNCTION fault_fail();
      CREATE TRIGGER fault_ticket_tag BEFORE INSERT ON "TicketTag" FOR EACH ROW EXECUTE FUNCTION fault_fail_tag();`,
    );
    const before = await warm<{ ticket: { commentCount: number; tags: { name: string }[] } }>(server, COMMENTS, { id: target }, agent);
    const commentsBefore = Number((await cluster.query<{ n: string }>(DB, 'SELECT count(*) AS n FROM "Comment"'))[0]!.n);

    const body = fresh('half-written comment');
    const comment = await server.gql(ADD_COMMENT, { input: { ticketId: target, body } }, agent);
    expect(comment.body.data?.addComment ?? null).toBeNull();
    expectClean(comment, 'INTERNAL_SERVER_ERROR');
    expect(await cluster.query(DB, 'SELECT 1 FROM "Comment" WHERE "body" = $1', [body])).toEqual([]);
    expect(Number((await cluster.query<{ n: string }>(DB, 'SELECT count(*) AS n FROM "Comment"'))[0]!.n)).toBe(commentsBefore);

    const tag = `fault-${Math.random().toString(36).slice(2, 8)}`;
    const tagged = await server.gql(ADD_TAGS, { input: { ticketId: target, names: [tag] } }, agent);
    expect(tagged.body.data?.addTags ?? null).toBeNull();
    expectClean(tagged, 'INTERNAL_SERVER_ERROR');
    expect(await cluster.query(DB, 'SELECT 1 FROM "Tag" WHERE "name" = $1', [tag])).toEqual([]);

    // Nothing changed, so nothing was invalidated: still a hit, with what the database holds.
    const after = await server.gql<{ ticket: { commentCount: number; tags: { name: string }[] } }>(COMMENTS, { id: target }, agent);
    expect(hit(after)).toBe(true);
    expect(after.body.data).toEqual(before.body.data);

    await cluster.query(
      DB,
      'DROP TRIGGER fault_ticket ON "Ticket"; DROP TRIGGER fault_ticket_tag ON "TicketTag"; DROP FUNCTION fault_fail(); DROP FUNCTION fault_fail_tag()',
    );
    ok(await server.gql(ADD_COMMENT, { input: { ticketId: target, body } }, agent), 'comment once the fault is gone');
    ok(await server.gql(ADD_TAGS, { input: { ticketId: target, names: [tag] } }, agent), 'tag once the fault is gone');
    const fixed = ok(
      await server.gql<{ ticket: { commentCount: number; tags: { name: string }[] } }>(COMMENTS, { id: target }, agent),
      'read after',
    );
    expect(fixed.ticket.commentCount).toBe(before.body.data!.ticket.commentCount + 1);
    expect(fixed.ticket.tags.map((t) => t.name)).toContain(tag);
  }, 30_000);

  it('PostgreSQL restarted under requests: 503 SERVICE_UNAVAILABLE while it is down, /ready 503, then served again without a restart', async () => {
    const inFlight: Promise<GraphQLResult>[] = [];
    let stopped = false;
    let sent = 0;
    const worker = async () => {
      const results: GraphQLResult[] = [];
      while (!stopped) {
        sent += 1;
        results.push(await server.gql(UPDATE, { input: { id: x, title: fresh('restart') } }, agent));
      }
      return results;
    };
    const workers = [worker(), worker(), worker()];
    await waitFor(
      async () => sent >= 9,
      10_000,
      () => 'the workers did not get going',
      10,
    );
    await cluster.stop('fast');
    // While it is down: requests fail fast and cleanly, /ready says so.
    for (let i = 0; i < 5; i++) inFlight.push(server.gql(UPDATE, { input: { id: x, title: fresh('down') } }, agent));
    const ready = await server.ready();
    expect(ready.status).toBe(503);
    expect(ready.body.database).toBe('unreachable');
    stopped = true;
    const all = [...(await Promise.all(workers)).flat(), ...(await Promise.all(inFlight))];
    const failed = all.filter((result) => result.status !== 200);
    for (const result of failed) {
      expect(result.status, JSON.stringify(result.body)).toBe(503);
      expectClean(result, 'SERVICE_UNAVAILABLE');
    }
    expect(failed.length).toBeGreaterThanOrEqual(5);
    for (const result of all.filter((r) => r.status === 200))
      expect(result.body.errors, `${JSON.stringify(result.body)}\n${server.output().slice(-3000)}`).toBeUndefined();

    await cluster.start();
    await waitFor(
      async () => (await server.ready()).status === 200,
      15_000,
      () => '/ready did not return to 200',
      100,
    );
    title = fresh('after restart');
    expect(
      ok(await server.gql<{ updateTicket: { ticket: { title: string } } }>(UPDATE, { input: { id: x, title } }, agent), 'write after')
        .updateTicket.ticket.title,
    ).toBe(title);
    expect(ok(await server.gql<TicketData>(SIMPLE, { id: x }, agent), 'read after').ticket.title).toBe(title);
    console.log(`[restart] ${all.length - failed.length} answered 200, ${failed.length} answered 503 SERVICE_UNAVAILABLE`);
  }, 60_000);

  describe('SIGTERM', () => {
    const startBehindProxy = async (name: string, shutdownMs: number) => {
      const proxy = await startProxy(cluster.port);
      proxies.push(proxy);
      const started = await startServer({
        name,
        databaseUrl: cluster.databaseUrl(DB, proxy.port),
        redisUrl: redis.url,
        keyPrefix: uniquePrefix(name),
        env: { SHUTDOWN_TIMEOUT_MS: String(shutdownMs), LOG_LEVEL: 'info', RATE_LIMIT_TOKEN_PER_MINUTE: '0' },
      });
      const token = await started.login('agent@acme.test');
      ok(await started.gql(SIMPLE, { id: x }, token), `${name} first read`); // the token is known from here on
      return { proxy, server: started, token };
    };

    it('in-flight requests finish, new connections are refused, kept-alive ones get 503 + close, exit 0', async () => {
      const { proxy, server: s, token } = await startBehindProxy('drain', 30_000);
      proxy.setMode('hold');
      const slow = [0, 1, 2].map((i) =>
        s.gql<{ updateTicket: { ticket: { title: string } } }>(UPDATE, { input: { id: x, title: fresh(`drain ${i}`) } }, token),
      );
      const raw = rawConnection(s.port);
      raw.socket.write(postRequest(UPDATE, { input: { id: x, title: fresh('drain raw') } }, token));
      await waitFor(
        async () => proxy.heldConnections() >= 4,
        10_000,
        () => `requests did not reach the database: ${proxy.heldConnections()} held`,
        20,
      );

      s.signal('SIGTERM');
      await waitFor(
        () => connectionRefused(s.port),
        10_000,
        () => 'new connections were still accepted',
        20,
      );
      // A request on the connection that is open: queued behind the slow one, then refused with close.
      raw.socket.write('GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(
        async () => s.output().includes('refused a request while draining'),
        10_000,
        () => 'the kept-alive request was not answered',
        20,
      );
      proxy.setMode('pass');

      for (const result of await Promise.all(slow)) expect(ok(result, 'in flight').updateTicket.ticket.title).toMatch(/^drain \d/);
      const text = await raw.received;
      expect(statusesOf(text), text).toEqual([200, 503]);
      const second = text.slice(text.lastIndexOf('HTTP/1.1 503'));
      expect(second.toLowerCase()).toContain('connection: close');
      expect(second).toContain('"status":"draining"');
      expect(await s.exited()).toEqual({ code: 0, signal: null });
      expect(s.output()).toContain('every request finished');
    }, 60_000);

    it('with SHUTDOWN_DELAY_MS, /ready answers 503 while requests on open and new connections are still served, then the drain', async () => {
      // Long enough for the steps below on a loaded machine; the test waits it out once.
      const delayMs = 8000;
      const s = await startServer({
        name: 'leave',
        databaseUrl: cluster.databaseUrl(DB),
        redisUrl: redis.url,
        keyPrefix: uniquePrefix('leave'),
        env: { SHUTDOWN_DELAY_MS: String(delayMs), LOG_LEVEL: 'info', RATE_LIMIT_TOKEN_PER_MINUTE: '0' },
      });
      const token = await s.login('agent@acme.test');
      // A kept-alive connection opened before the signal, as a balancer keeps them: it must stay usable.
      const raw = rawConnection(s.port);
      raw.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(
        async () => statusesOf(raw.text()).length === 1,
        10_000,
        () => 'GET /health was not answered',
        20,
      );

      s.signal('SIGTERM');
      const ready = async () => {
        const response = await fetch(`http://127.0.0.1:${s.port}/ready`);
        return { status: response.status, body: await response.text(), connection: response.headers.get('connection') };
      };
      await waitFor(
        async () => (await ready()).status === 503,
        5000,
        () => '/ready did not answer 503',
        20,
      );
      expect(await ready()).toEqual({ status: 503, body: '{"status":"stopping"}', connection: 'close' });

      raw.socket.write(postRequest(SIMPLE, { id: x }, token));
      const text = await raw.received;
      expect(statusesOf(text), text).toEqual([200, 200]);
      const second = text.slice(text.lastIndexOf('HTTP/1.1 200'));
      expect(second.toLowerCase()).toContain('connection: close');
      expect(second).toContain(`"id":${JSON.stringify(x)}`);
      // A new connection is still accepted, and served.
      expect(ok(await s.gql<TicketData>(SIMPLE, { id: x }, token), 'while leaving').ticket.id).toBe(x);
      expect(s.output(), `the steps took longer than SHUTDOWN_DELAY_MS (${delayMs} ms)`).not.toContain('shutting down');

      await waitFor(
        () => connectionRefused(s.port),
        delayMs + 5000,
        () => 'new connections were still accepted',
        50,
      );
      expect(await s.exited()).toEqual({ code: 0, signal: null });
      expect(s.output()).toMatch(/leaving the rotation[\s\S]*shutting down[\s\S]*every request finished/);
    }, 60_000);

    it('requests that cannot finish are cut off at SHUTDOWN_TIMEOUT_MS: exit 1 with a warning', async () => {
      const { proxy, server: s, token } = await startBehindProxy('deadline', 1000);
      proxy.setMode('hold');
      const stuck = s.gql(UPDATE, { input: { id: x, title: fresh('stuck') } }, token).then(
        (result) => `answered ${result.status}`,
        () => 'cut off',
      );
      await waitFor(
        async () => proxy.heldConnections() >= 1,
        10_000,
        () => 'the request did not reach the database',
        20,
      );
      s.signal('SIGTERM');
      expect(await s.exited()).toEqual({ code: 1, signal: null });
      expect(await stuck).toBe('cut off');
      expect(s.output()).toContain('drain deadline passed');
      proxy.setMode('pass');
    }, 60_000);
  });
});

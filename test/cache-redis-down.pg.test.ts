// Redis failing under two running deskgraph processes: killed, restarted empty, frozen, paused, and
// unreachable from one instance only. The rule (server/cache/redis-layer.ts, response-store.ts): a
// request never fails because of the cache, and no instance ever serves what a write made stale once
// the write's invalidation could be delivered.
//
// A talks to a throwaway redis-server through a TCP proxy in this process (so A alone can be cut off),
// B talks to it directly. The tests run in order and share state (the current title of ticket X).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyTemplate } from './template-db.ts';
import {
  fresh,
  hit,
  ok,
  sleep,
  startProxy,
  startRedis,
  startServer,
  stopAll,
  uniquePrefix,
  waitFor,
  warm,
  type Client,
  type GraphQLResult,
  type RedisProcess,
  type ServerProcess,
  type TcpProxy,
} from './processes.ts';

const SIMPLE = 'query Simple($id: ID!) { ticket(id: $id) { id title status } }';
const LIST = 'query List { tickets(first: 10) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id title } } }';

type TicketData = { ticket: { id: string; title: string; status: string } };
type ListData = { tickets: { totalCount: number; edges: { node: { id: string; title: string } }[] } };

async function cacheState(client: Client): Promise<string> {
  const ready = await client.ready();
  expect(ready.status, `${client.name} /ready must stay 200 whatever Redis does`).toBe(200);
  return ready.body.cache;
}

const waitCache = (client: Client, state: 'ok' | 'degraded', timeoutMs: number) =>
  waitFor(
    async () => (await cacheState(client)) === state,
    timeoutMs,
    () => `${client.name}: /ready did not say cache "${state}" within ${timeoutMs} ms`,
    25,
  );

describe('two instances while Redis fails', () => {
  let drop: (() => Promise<void>) | null = null;
  let databaseUrl: string;
  let keyPrefix: string;
  let redis: RedisProcess;
  let proxy: TcpProxy;
  let a: ServerProcess;
  let b: ServerProcess;
  let agentA: string;
  let agentB: string;
  let x: string; // the ticket the tests write to
  let title: string; // its current title

  const read = async (server: Client, token: string) =>
    ok(await server.gql<TicketData>(SIMPLE, { id: x }, token), `${server.name} read X`).ticket.title;

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    redis = await startRedis();
    proxy = await startProxy(redis.port);
    databaseUrl = copy.config.url;
    keyPrefix = uniquePrefix('redis-down');
    const common = { databaseUrl, keyPrefix };
    [a, b] = await Promise.all([
      startServer({ ...common, name: 'A', redisUrl: proxy.url }),
      startServer({ ...common, name: 'B', redisUrl: redis.url }),
    ]);
    [agentA, agentB] = await Promise.all([a.login('agent@acme.test'), b.login('agent@acme.test')]);
    const list = ok(await b.gql<ListData>(LIST, {}, agentB), 'list');
    x = list.tickets.edges[0]!.node.id;
    title = list.tickets.edges[0]!.node.title;
  });

  afterAll(async () => {
    await stopAll();
    await proxy?.close();
    await redis?.dispose();
    await drop?.();
  });

  it('Redis killed: every request is still answered from the database, /ready says degraded, writes are seen', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      await warm(server, SIMPLE, { id: x }, token);
      await warm(server, LIST, {}, token);
    }
    const listBefore = ok(await b.gql<ListData>(LIST, {}, agentB), 'list');
    const failures = async (server: Client) =>
      (await server.metric('deskgraph_cache_errors_total')) + (await server.metric('deskgraph_cache_bypass_total'));
    const failuresBefore = [await failures(a), await failures(b)];

    await redis.stop('SIGKILL');

    for (let i = 0; i < 10; i++) {
      for (const [server, token] of [
        [a, agentA],
        [b, agentB],
      ] as const) {
        expect(await read(server, token), `${server.name} right after the kill`).toBe(title);
        expect(ok(await server.gql<ListData>(LIST, {}, token), `${server.name} list`)).toEqual(listBefore);
      }
    }
    await waitCache(a, 'degraded', 3000);
    await waitCache(b, 'degraded', 3000);
    for (const server of [a, b]) {
      const answer = await server.gql<TicketData>(SIMPLE, { id: x }, server === a ? agentA : agentB);
      expect(answer.status).toBe(200);
      expect(hit(answer), `${server.name} must not answer from the cache while degraded`).not.toBe(true);
      expect(await server.metric('deskgraph_cache_redis_up')).toBe(0);
    }
    expect(await failures(a)).toBeGreaterThan(failuresBefore[0]!);
    expect(await failures(b)).toBeGreaterThan(failuresBefore[1]!);

    // Writes while Redis is down succeed, and both instances show them.
    title = fresh('written while Redis was down');
    ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A');
    const created = ok(
      await b.gql<{ createTicket: { ticket: { id: string; title: string } } }>(
        CREATE,
        { input: { title: fresh('created while Redis was down'), body: 'on B' } },
        agentB,
      ),
      'create on B',
    ).createTicket.ticket;
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect(await read(server, token), server.name).toBe(title);
      const list = ok(await server.gql<ListData>(LIST, {}, token), `${server.name} list`).tickets;
      expect(list.totalCount).toBe(listBefore.tickets.totalCount + 1);
      expect(list.edges[0]!.node).toEqual(created);
      expect(list.edges.find((edge) => edge.node.id === x)?.node.title).toBe(title);
    }
  });

  it('Redis back (empty, same port): cache "ok" within seconds, hits again, and fresh', async () => {
    const started = Date.now();
    await redis.start();
    await waitCache(a, 'ok', 5000);
    await waitCache(b, 'ok', 5000);
    const recoveredIn = Date.now() - started;
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      const hitAnswer = await warm<TicketData>(server, SIMPLE, { id: x }, token);
      expect(hitAnswer.body.data!.ticket.title).toBe(title);
      await warm(server, LIST, {}, token);
      expect(await server.metric('deskgraph_cache_redis_up')).toBe(1);
    }
    console.log(`[back] cache ok on both instances ${recoveredIn} ms after Redis restarted`);
  });

  // Why no instance serves the pre-mutation title once Redis answers again (server/cache/redis-layer.ts):
  //  - A's mutation drops its own L1 copy first (applyLocally), then runs the invalidation script; it
  //    times out (CACHE_REDIS_TIMEOUT_MS), so A remembers the tags (`pending`), marks the layer
  //    unhealthy and stops trusting its L1: until recovery A answers every query from the database.
  //  - Recovery (retried every 250-500 ms) makes A healthy again only after every pending tag has been
  //    invalidated in Redis, which deletes the L2 entries holding them (whoever stored them, whenever),
  //    stamps the tags' versions (so fills still in flight are refused) and publishes the tags, so B
  //    drops its L1 copies. Only if pending tags had to be dropped does the epoch move instead.
  //  - While Redis is frozen or paused, the command A sent is only delayed, not lost: Redis runs it when
  //    it resumes, which is earlier still. When it is lost (A cut off, next test), recovery delivers it.
  //  - B's L1 is trusted only while its heartbeat renews a lease (3 × CACHE_REDIS_TIMEOUT_MS), and A's
  //    mutation, whose invalidation failed, waits out one lease before it returns: by then B, which
  //    cannot reach the frozen Redis either, answers from the database. So B is fresh even during it.
  it('Redis frozen (SIGSTOP) while A writes: after SIGCONT neither instance serves the old value', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
    const old = title;
    redis.freeze();
    let duringOutageB: string;
    try {
      title = fresh('written while Redis was frozen');
      const started = Date.now();
      ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A while Redis is frozen');
      const mutationMs = Date.now() - started;
      // Bounded: the Redis timeout (200 ms) plus one lease (600 ms), not until Redis comes back.
      expect(mutationMs, 'the mutation waits for Redis at most timeout + lease').toBeLessThan(3000);
      expect(await read(a, agentA), 'A during the outage').toBe(title);
      duringOutageB = await read(b, agentB);
      await sleep(700); // A retries its recovery meanwhile; those attempts time out too
      expect(await cacheState(a)).toBe('degraded');
    } finally {
      redis.thaw();
    }
    expect(duringOutageB!, 'B during the freeze (its lease has run out: from the database)').toBe(title);
    expect(duringOutageB!).not.toBe(old);
    // "Restored" = Redis answers this process again.
    await waitFor(
      async () => redis.cli('PING') === 'PONG',
      5000,
      () => 'redis did not answer after SIGCONT',
    );

    const seen: string[] = [];
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      for (const [server, token] of [
        [b, agentB],
        [a, agentA],
      ] as const) {
        const answer = await server.gql<TicketData>(SIMPLE, { id: x }, token);
        const got = ok(answer, `${server.name} after SIGCONT`).ticket.title;
        seen.push(`${server.name}:${got === old ? 'OLD' : got === title ? 'new' : got}${hit(answer) ? '(hit)' : ''}`);
      }
      await sleep(40);
    }
    expect(
      seen.filter((s) => s.includes('OLD')),
      `answers after SIGCONT, in order: ${seen.join(' ')}`,
    ).toEqual([]);
    await waitCache(a, 'ok', 5000);
    await waitCache(b, 'ok', 5000);
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
  });

  it('A cut off from Redis while it writes (its invalidation is lost): delivered on recovery, no old value after', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
    const old = title;
    proxy.setMode('cut');
    const observedB: string[] = [];
    try {
      await waitCache(a, 'degraded', 3000);
      expect(await cacheState(b), 'B keeps its Redis').toBe('ok');
      title = fresh('written while A was cut off');
      ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A while it is cut off');
      expect(await read(a, agentA), 'A during the partition').toBe(title);
      for (let i = 0; i < 3; i++) observedB.push((await read(b, agentB)) === old ? 'OLD' : 'new');
      await sleep(300);
    } finally {
      proxy.setMode('pass');
    }
    const healed = Date.now();
    // Until A is back it cannot tell anyone; once its layer is usable again, its pending tags went out.
    let staleAfterHeal = 0;
    while ((await cacheState(a)) !== 'ok') {
      if (Date.now() - healed > 5000) throw new Error(`A did not recover within 5 s; its output:\n${a.output()}`);
      if ((await read(b, agentB)) === old) staleAfterHeal += 1;
      await sleep(20);
    }
    console.log(
      `[cut] B during the partition: ${observedB.join(' ')}; A recovered ${Date.now() - healed} ms after the heal; ` +
        `B answered the old title ${staleAfterHeal} times in between`,
    );

    const seen: string[] = [];
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      for (const [server, token] of [
        [b, agentB],
        [a, agentA],
      ] as const) {
        const answer = await server.gql<TicketData>(SIMPLE, { id: x }, token);
        const got = ok(answer, `${server.name} after recovery`).ticket.title;
        seen.push(`${server.name}:${got === old ? 'OLD' : got === title ? 'new' : got}${hit(answer) ? '(hit)' : ''}`);
      }
      await sleep(40);
    }
    expect(
      seen.filter((s) => s.includes('OLD')),
      `answers after A recovered, in order: ${seen.join(' ')}`,
    ).toEqual([]);
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
  });

  // Not a speed test: a request that waited for the paused Redis would take until the pause ends (4 s);
  // finishing well inside it (3 s, against ~0.2-0.3 s measured) shows the timeout cut Redis out.
  it('slow Redis (CLIENT PAUSE 4000 ms > CACHE_REDIS_TIMEOUT_MS 200 ms): requests are answered, not failed', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      await warm(server, SIMPLE, { id: x }, token);
      await warm(server, LIST, {}, token);
    }
    expect(redis.cli('CLIENT', 'PAUSE', '4000', 'ALL')).toBe('OK');
    const pausedAt = Date.now();
    const timings: string[] = [];
    const timed = async (label: string, run: () => Promise<GraphQLResult<any>>) => {
      const started = Date.now();
      const result = await run();
      const ms = Date.now() - started;
      timings.push(`${label}=${ms}ms`);
      ok(result, label);
      expect(ms, `${label} must not wait for the paused Redis`).toBeLessThan(3000);
      return result;
    };
    const newTitle = fresh('written while Redis was paused');
    let round = 0;
    while (Date.now() - pausedAt < 1000) {
      const r = round++;
      await Promise.all([
        timed(`A.simple#${r}`, () => a.gql(SIMPLE, { id: x }, agentA)),
        timed(`B.simple#${r}`, () => b.gql(SIMPLE, { id: x }, agentB)),
        timed(`A.list#${r}`, () => a.gql(LIST, {}, agentA)),
        // A document neither has cached: needs Redis (L1 miss), so meets the pause.
        timed(`B.new#${r}`, () => b.gql(`query Paused${r} { tickets(first: ${r + 1}) { edges { node { id } } } }`, {}, agentB)),
        ...(r === 0 ? [timed('A.update', () => a.gql(UPDATE, { input: { id: x, title: newTitle } }, agentA))] : []),
      ]);
    }
    console.log(`[paused] ${timings.join(' ')}`);
    title = newTitle;
    await waitCache(a, 'ok', 5000);
    await waitCache(b, 'ok', 5000);
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
  });

  // A fill that began before an outage must not be stored after it. Here B reads X's title, then waits
  // (a table lock holds its next statement) while Redis is killed, A renames X (its invalidation is
  // pending) and Redis comes back empty. The read's sequence number came from the old Redis (~N) while
  // the new one counts from 1, so tag versions alone cannot refuse the store. What does
  // (server/cache/response-store.ts fill, redis-layer.ts store): B saw its connection drop, which marks
  // every tag locally as invalidated, so the fill is refused before Redis is asked; and the fill carries
  // the epoch of its read, a random token that the recovery replaced.
  it('a fill in flight across a Redis restart is not stored after it (old sequence numbers, new Redis)', async () => {
    const INFLIGHT = 'query Inflight($id: ID!) { ticket(id: $id) { id title tags { name } } }';
    // Give the current Redis a sequence number well above what the restarted one will reach.
    for (let i = 0; i < 10; i++) ok(await b.gql(UPDATE, { input: { id: x, title: fresh('seq') } }, agentB), 'seq');
    title = ok(
      await b.gql<{ updateTicket: { ticket: { title: string } } }>(UPDATE, { input: { id: x, title: fresh('before restart') } }, agentB),
      'update',
    ).updateTicket.ticket.title;
    // The sequence counters of the organizations' shards (server/cache/redis-scripts.ts, CacheKeys).
    const seqKeys = redis.cli('--scan', '--pattern', `{${keyPrefix}:o:*}:seq`).split('\n').filter(Boolean);
    const seqBefore = Math.max(0, ...seqKeys.map((key) => Number(redis.cli('GET', key))));
    expect(seqBefore).toBeGreaterThanOrEqual(10);
    const old = title;

    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    let inflight: Promise<GraphQLResult<TicketData>>;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "TicketTag" IN ACCESS EXCLUSIVE MODE');
      inflight = b.gql<TicketData>(INFLIGHT, { id: x }, agentB);
      await waitFor(
        async () =>
          Number(
            (
              await locker.query(`SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE d.datname = current_database() AND NOT l.granted`)
            ).rows[0].n,
          ) > 0,
        5000,
        () => 'B never blocked on the lock',
      );
      await redis.stop('SIGKILL');
      await waitCache(a, 'degraded', 3000);
      await waitCache(b, 'degraded', 3000);
      title = fresh('written while Redis was down, during a fill');
      ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A');
      await redis.start();
      await waitCache(a, 'ok', 5000);
      await waitCache(b, 'ok', 5000);
    } finally {
      await locker.query('COMMIT').catch(() => {});
      await locker.end();
    }
    const answered = await inflight;
    expect(ok(answered, 'the in-flight read').ticket.title, 'it read before the write').toBe(old);
    await sleep(300); // its store, if any, happens after the answer

    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [server, token] of [
        [a, agentA],
        [b, agentB],
      ] as const) {
        const answer = await server.gql<TicketData>(INFLIGHT, { id: x }, token);
        const got = ok(answer, server.name).ticket.title;
        seen.push(`${server.name}:${got === old ? 'OLD' : got === title ? 'new' : got}${hit(answer) ? '(hit)' : ''}`);
      }
    }
    expect(
      seen.filter((s) => s.includes('OLD')),
      `answers after the restart: ${seen.join(' ')}`,
    ).toEqual([]);
  });
});

// Redis failing under two running deskgraph processes: killed, restarted empty, frozen, paused, and
// unreachable from one instance only. The rules (server/CACHE.md, "Acknowledged invalidation"): a read
// never fails because of the cache; a mutation is acknowledged only once every instance has applied its
// invalidation (or stopped serving its L1), so no instance ever serves what an acknowledged write made
// stale; an instance that cannot reach Redis refuses mutations before writing (503, nothing saved).
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

  it('Redis killed: every read is still answered from the database, /ready says degraded, writes are refused before writing', async () => {
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

    // Writes while Redis is down are refused before anything is written: no instance could be told.
    const refusedTitle = fresh('refused while Redis was down');
    const refused = [
      await a.gql(UPDATE, { input: { id: x, title: refusedTitle } }, agentA),
      await b.gql(CREATE, { input: { title: fresh('refused create'), body: 'on B' } }, agentB),
    ];
    for (const answer of refused) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect(await read(server, token), `${server.name}: nothing was saved`).toBe(title);
      expect(ok(await server.gql<ListData>(LIST, {}, token), `${server.name} list`)).toEqual(listBefore);
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
    // Writes are taken again, and the other instance shows them at once.
    title = fresh('written after Redis came back');
    ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A');
    expect(await read(b, agentB)).toBe(title);
  });

  // Why no instance serves the pre-mutation title once A's mutation is acknowledged (server/CACHE.md):
  //  - A's mutation commits, drops its own L1 copy, then runs the invalidation script; it times out
  //    (CACHE_REDIS_TIMEOUT_MS), so A keeps the tags (`pending`), goes degraded and answers every query
  //    from the database. The mutation does not return yet: it waits (CACHE_WRITE_CONFIRM_MS) until
  //    recovery has delivered the tags: deleted the L2 entries holding them, stamped their versions,
  //    announced them, and every leased instance acknowledged.
  //  - B cannot renew its lease on the frozen Redis, so within one lease it stops serving L1 too.
  //  - So the mutation returns only after SIGCONT, and from then on nobody has the old title.
  it('Redis frozen (SIGSTOP) while A writes: the mutation returns after SIGCONT, and no old value after it', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
    const old = title;
    title = fresh('written while Redis was frozen');
    redis.freeze();
    let thawedAt: number;
    let answeredAt = 0;
    const update = a.gql(UPDATE, { input: { id: x, title } }, agentA).then((answer) => {
      answeredAt = Date.now();
      return answer;
    });
    try {
      await waitCache(a, 'degraded', 3000);
      expect(answeredAt, 'the mutation has not been acknowledged while Redis is frozen').toBe(0);
      // B's lease runs out: from the database, so it already shows the committed (not yet acknowledged) write.
      await waitFor(
        async () => (await read(b, agentB)) === title,
        3000,
        () => 'B kept serving its L1 on a frozen Redis',
      );
    } finally {
      thawedAt = Date.now();
      redis.thaw();
    }
    ok(await update, 'update on A, acknowledged after SIGCONT');
    expect(answeredAt, 'acknowledged only after Redis answered again').toBeGreaterThanOrEqual(thawedAt);

    const seen: string[] = [];
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      for (const [server, token] of [
        [b, agentB],
        [a, agentA],
      ] as const) {
        const answer = await server.gql<TicketData>(SIMPLE, { id: x }, token);
        const got = ok(answer, `${server.name} after the acknowledgement`).ticket.title;
        seen.push(`${server.name}:${got === old ? 'OLD' : got === title ? 'new' : got}${hit(answer) ? '(hit)' : ''}`);
      }
      await sleep(40);
    }
    expect(
      seen.filter((s) => s.includes('OLD')),
      `answers after the acknowledgement, in order: ${seen.join(' ')}`,
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

  // The partial partition: A cannot reach Redis, B can. A could not tell B about a write, so A refuses
  // mutations (nothing is written) until it is back; B keeps serving, from its cache, what is still true.
  it('A cut off from Redis: A refuses writes (503, nothing saved), B stays right, and writes on A resume after the heal', async () => {
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect((await warm<TicketData>(server, SIMPLE, { id: x }, token)).body.data!.ticket.title).toBe(title);
    }
    proxy.setMode('cut');
    try {
      await waitCache(a, 'degraded', 3000);
      expect(await cacheState(b), 'B keeps its Redis').toBe('ok');
      const refused = await a.gql(UPDATE, { input: { id: x, title: fresh('refused during the partition') } }, agentA);
      expect(refused.status, JSON.stringify(refused.body)).toBe(503);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(await read(a, agentA), 'A during the partition (from the database)').toBe(title);
      const fromB = await b.gql<TicketData>(SIMPLE, { id: x }, agentB);
      expect(ok(fromB, 'B during the partition').ticket.title, 'nothing was written').toBe(title);
      expect(hit(fromB), 'B still answers from its cache').toBe(true);
    } finally {
      proxy.setMode('pass');
    }
    await waitCache(a, 'ok', 5000);
    title = fresh('written on A after the heal');
    ok(await a.gql(UPDATE, { input: { id: x, title } }, agentA), 'update on A after the heal');
    for (let i = 0; i < 5; i++) {
      expect(await read(b, agentB), "B right after A's acknowledged write").toBe(title);
      expect(await read(a, agentA)).toBe(title);
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
    const update = a.gql(UPDATE, { input: { id: x, title: newTitle } }, agentA);
    let round = 0;
    while (Date.now() - pausedAt < 1000) {
      const r = round++;
      await Promise.all([
        timed(`A.simple#${r}`, () => a.gql(SIMPLE, { id: x }, agentA)),
        timed(`B.simple#${r}`, () => b.gql(SIMPLE, { id: x }, agentB)),
        timed(`A.list#${r}`, () => a.gql(LIST, {}, agentA)),
        // A document neither has cached: needs Redis (L1 miss), so meets the pause.
        timed(`B.new#${r}`, () => b.gql(`query Paused${r} { tickets(first: ${r + 1}) { edges { node { id } } } }`, {}, agentB)),
      ]);
    }
    console.log(`[paused] ${timings.join(' ')}`);
    // The write sent as the pause began committed, then waited until its invalidation was delivered
    // (when the pause ended): acknowledged late, never stale.
    ok(await update, 'update sent as the pause began');
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
  // (a table lock holds its next statement) while Redis freezes, A renames X (its invalidation is
  // pending), Redis is killed and comes back empty. The read's sequence number came from the old Redis (~N) while
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
      // A's write commits while Redis is frozen; its invalidation hangs and is lost with the process.
      redis.freeze();
      title = fresh('written while Redis was down, during a fill');
      const update = a.gql(UPDATE, { input: { id: x, title } }, agentA);
      await waitCache(a, 'degraded', 3000);
      await waitCache(b, 'degraded', 3000);
      await redis.stop('SIGKILL');
      await redis.start();
      await waitCache(a, 'ok', 5000);
      await waitCache(b, 'ok', 5000);
      ok(await update, 'update on A, acknowledged once recovery delivered its invalidation');
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

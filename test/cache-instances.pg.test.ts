// Two deskgraph processes (A and B) on one database and one Redis, with one key prefix: what one
// instance writes, the other must never contradict. Each instance has its own in-process L1, so
// these tests are about the shared L2 and the invalidation bus (server/cache/redis-layer.ts). They run
// on the single Redis (TEST_REDIS_URL) and again on a Redis Cluster when TEST_REDIS_CLUSTER_NODES is set.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RedisTarget } from '../server/platform/redis-connection.ts';
import { clusterTarget } from './redis-targets.ts';
import { copyTemplate } from './template-db.ts';
import {
  deletePrefix,
  fresh,
  hit,
  ok,
  sleep,
  startServer,
  stopAll,
  uniquePrefix,
  waitFor,
  warm,
  type GraphQLResult,
  type ServerProcess,
} from './processes.ts';

const LIST = 'query List { tickets(first: 10) { totalCount edges { node { id title status } } } }';
const DETAIL = `query Detail($id: ID!) { ticket(id: $id) {
  id title status updatedAt commentCount comments(first: 100) { edges { node { id body } } } } }`;
const SIMPLE = 'query Simple($id: ID!) { ticket(id: $id) { id title status } }';

const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title status } } }';
const COMMENT = 'mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id body } } }';
const CREATE = 'mutation Create($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id title } } }';

type ListData = { tickets: { totalCount: number; edges: { node: { id: string; title: string; status: string } }[] } };
type DetailData = {
  ticket: {
    id: string;
    title: string;
    status: string;
    commentCount: number;
    comments: { edges: { node: { id: string; body: string } }[] };
  };
};

const redisTargets: [string, RedisTarget | null][] = [['Redis', null]];
if (clusterTarget) redisTargets.push(['Redis Cluster', clusterTarget]);

describe.each(redisTargets)('two instances sharing one %s', (_name, cluster) => {
  let drop: (() => Promise<void>) | null = null;
  let databaseUrl: string;
  let redis: RedisTarget;
  let keyPrefix: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let agentA: string; // the acme agent's token, used on A
  let agentB: string; // the same agent, another token, used on B (same staff scope: shares cached entries)
  let globexB: string;

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    redis = cluster ?? { kind: 'single', url: process.env.TEST_REDIS_URL };
    databaseUrl = copy.config.url;
    keyPrefix = uniquePrefix('instances');
    // The machine is shared: a cluster start (slot map, one subscriber per master) gets more time.
    const common = { databaseUrl, redis, keyPrefix, readyTimeoutMs: 60_000 };
    [a, b] = await Promise.all([startServer({ ...common, name: 'A' }), startServer({ ...common, name: 'B' })]);
    [agentA, agentB, globexB] = await Promise.all([a.login('agent@acme.test'), b.login('agent@acme.test'), b.login('agent@globex.test')]);
  });

  afterAll(async () => {
    await stopAll();
    if (keyPrefix) await deletePrefix(redis, keyPrefix);
    await drop?.();
  });

  it('read-your-writes: B shows a write made on A at once, 25 times in a row', async () => {
    const first = ok(await b.gql<ListData>(LIST, {}, agentB), 'list');
    const target = first.tickets.edges[0]!.node; // newest; creates below push it down at most 9 places
    let title = target.title;
    let totalCount = first.tickets.totalCount;
    let comments = ok(await b.gql<DetailData>(DETAIL, { id: target.id }, agentB), 'detail').ticket.comments.edges.map((e) => e.node.body);

    for (let round = 0; round < 25; round++) {
      // B holds both queries in its cache, and what it holds is the current state.
      const cachedDetail = ok(await warm<DetailData>(b, DETAIL, { id: target.id }, agentB), 'detail').ticket;
      const cachedList = ok(await warm<ListData>(b, LIST, {}, agentB), 'list').tickets;
      expect(cachedDetail.title, `round ${round}: cached detail`).toBe(title);
      expect(cachedDetail.comments.edges.map((e) => e.node.body)).toEqual(comments);
      expect(cachedList.totalCount, `round ${round}: cached list`).toBe(totalCount);

      const kind = (['update', 'comment', 'create'] as const)[round % 3]!;
      let created: { id: string; title: string } | null = null;
      if (kind === 'update') {
        title = fresh(`RYW title ${round}`);
        ok(await a.gql(UPDATE, { input: { id: target.id, title } }, agentA), 'updateTicket on A');
      } else if (kind === 'comment') {
        const body = fresh(`RYW comment ${round}`);
        ok(await a.gql(COMMENT, { input: { ticketId: target.id, body } }, agentA), 'addComment on A');
        comments = [...comments, body];
      } else {
        const result = ok(
          await a.gql<{ createTicket: { ticket: { id: string; title: string } } }>(
            CREATE,
            { input: { title: fresh(`RYW new ticket ${round}`), body: 'made on A' } },
            agentA,
          ),
          'createTicket on A',
        );
        created = result.createTicket.ticket;
        totalCount += 1;
      }

      // No sleep: the mutation returned, so its invalidation has reached Redis and the bus.
      const [detail, list] = await Promise.all([b.gql<DetailData>(DETAIL, { id: target.id }, agentB), b.gql<ListData>(LIST, {}, agentB)]);
      const d = ok(detail, `round ${round} (${kind}): detail on B`).ticket;
      const l = ok(list, `round ${round} (${kind}): list on B`).tickets;
      const context = `round ${round} (${kind}) on B: detail hit=${hit(detail)}, list hit=${hit(list)}`;
      expect(d.title, context).toBe(title);
      expect(
        d.comments.edges.map((e) => e.node.body),
        context,
      ).toEqual(comments);
      expect(d.commentCount, context).toBe(comments.length);
      expect(l.totalCount, context).toBe(totalCount);
      const inList = l.edges.find((edge) => edge.node.id === target.id);
      expect(inList?.node.title, context).toBe(title);
      if (created) expect(l.edges[0]!.node, context).toEqual({ id: created.id, title: created.title, status: 'OPEN' });
    }
  });

  // Observed: a hit on B costs 1 SQL statement when B has not seen the token yet (the token → viewer
  // lookup; the response itself comes from Redis) and 0 once B knows the token (fast path).
  it('shares the L2: a query run on A is a hit on B, answered from Redis', async () => {
    const query = 'query SharedL2 { tickets(first: 5, filter: { status: [OPEN] }) { totalCount edges { node { id title } } } }';
    const storedBefore = await a.metric('deskgraph_cache_stores_total', { outcome: 'stored' });
    const onA = await a.gql(query, {}, agentA);
    ok(onA, 'A');
    expect(hit(onA)).toBe(false);
    // A stores after answering; wait for the store, so B cannot have run it itself.
    for (let i = 0; i < 100 && (await a.metric('deskgraph_cache_stores_total', { outcome: 'stored' })) <= storedBefore; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const l2Before = await b.metric('deskgraph_cache_hits_total', { layer: 'l2' });

    // A token B has never seen: B must look it up (one statement), then finds the response in Redis.
    const newcomer = await a.login('admin@acme.test');
    const onB = await b.gql(query, {}, newcomer);
    expect(onB.status).toBe(200);
    expect(onB.body.data).toEqual(onA.body.data);
    expect(hit(onB)).toBe(true);
    expect(onB.body.extensions?.sqlStatements, 'hit on B with a token B had not seen: only the token lookup').toBe(1);
    expect(await b.metric('deskgraph_cache_hits_total', { layer: 'l2' })).toBe(l2Before + 1);

    // A second document, and a token B already knows: the hit costs no SQL at all.
    const query2 = 'query SharedL2b { tickets(first: 5, filter: { status: [PENDING] }) { totalCount edges { node { id title } } } }';
    ok(await b.gql('{ viewer { id } }', {}, agentB), 'B viewer');
    const stored2 = await a.metric('deskgraph_cache_stores_total', { outcome: 'stored' });
    const onA2 = await a.gql(query2, {}, agentA);
    expect(hit(onA2)).toBe(false);
    for (let i = 0; i < 100 && (await a.metric('deskgraph_cache_stores_total', { outcome: 'stored' })) <= stored2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const onB2 = await b.gql(query2, {}, agentB);
    expect(onB2.body.data).toEqual(onA2.body.data);
    expect(hit(onB2)).toBe(true);
    expect(onB2.body.extensions?.sqlStatements, 'hit on B with a token B knows').toBe(0);
    expect(await b.metric('deskgraph_cache_hits_total', { layer: 'l2' })).toBe(l2Before + 2);
  });

  it('is precise across instances: a write to one acme ticket leaves globex and other tickets cached', async () => {
    const list = ok(
      await b.gql<{ tickets: { edges: { node: { id: string; requester: { id: string }; assignee: { id: string } | null } }[] } }>(
        '{ tickets(first: 50) { edges { node { id requester { id } assignee { id } } } } }',
        {},
        agentB,
      ),
      'list',
    ).tickets.edges.map((e) => e.node);
    const x = list[3]!;
    // Another ticket with neither the requester nor the assignee of X: no list tag of X's write touches it.
    const people = new Set([x.requester.id, x.assignee?.id].filter(Boolean));
    const y = list.find((t) => t.id !== x.id && !people.has(t.requester.id) && !(t.assignee && people.has(t.assignee.id)))!;
    expect(y, 'a second ticket unrelated to the first').toBeDefined();
    // A detail that contains a list: but the lists of Y's requester, which X's write does not touch.
    const yWithList = `query YWithList($id: ID!) { ticket(id: $id) { id title requester { id name requestedTickets(first: 3) { edges { node { id } } } } } }`;
    const globexList = 'query GlobexList { tickets(first: 10) { totalCount edges { node { id title } } } }';

    for (const server of [a, b]) {
      const token = server === a ? agentA : agentB;
      await warm(server, SIMPLE, { id: x.id }, token);
      await warm(server, SIMPLE, { id: y.id }, token);
      await warm(server, yWithList, { id: y.id }, token);
      await warm(server, LIST, {}, token);
    }
    const globexBefore = await warm(b, globexList, {}, globexB);
    const remoteBefore = await b.metric('deskgraph_cache_invalidations_total', { operation: 'remote' });

    const title = fresh('precision');
    ok(await a.gql(UPDATE, { input: { id: x.id, title } }, agentA), 'update X on A');

    // What X's write made stale is fresh on B (and proves B has applied the invalidation) ...
    const xOnB = await b.gql<{ ticket: { title: string } }>(SIMPLE, { id: x.id }, agentB);
    expect(ok(xOnB, 'X on B').ticket.title).toBe(title);
    expect(hit(xOnB)).toBe(false);
    const listOnB = await b.gql(LIST, {}, agentB);
    ok(listOnB, 'acme list on B');
    expect(hit(listOnB), 'acme lists go with any acme ticket write, by design').toBe(false);
    expect(await b.metric('deskgraph_cache_invalidations_total', { operation: 'remote' })).toBeGreaterThan(remoteBefore);

    // ... and nothing else went: Y's details (one with a list of Y's requester) and globex's list.
    for (const server of [a, b]) {
      const token = server === a ? agentA : agentB;
      const ySimple = await server.gql(SIMPLE, { id: y.id }, token);
      expect(hit(ySimple), `${server.name}: detail of another ticket`).toBe(true);
      const yList = await server.gql(yWithList, { id: y.id }, token);
      expect(hit(yList), `${server.name}: detail of another ticket with its requester's list`).toBe(true);
    }
    const globexAfter = await b.gql(globexList, {}, globexB);
    expect(hit(globexAfter), 'globex list on B').toBe(true);
    expect(globexAfter.body.data).toEqual(globexBefore.body.data);
  });

  it('logout on A: the token is refused on B at once, though B had cached its viewer', async () => {
    const token = await a.login('agent@acme.test');
    for (let i = 0; i < 3; i++) {
      ok(await b.gql('{ viewer { id } }', {}, token), 'viewer on B');
      ok(await b.gql(LIST, {}, token), 'list on B');
    }
    // The list is now answered on B's fast path, with the viewer from B's token cache.
    expect(hit(await b.gql(LIST, {}, token))).toBe(true);

    const logout = await a.gql<{ logout: boolean }>('mutation Logout { logout }', {}, token);
    expect(ok(logout, 'logout on A').logout).toBe(true);

    for (const [server, query] of [
      [b, LIST],
      [b, '{ viewer { id } }'],
      [a, LIST],
    ] as const) {
      const refused = await server.gql(query, {}, token);
      expect(refused.status, `${server.name}: ${query.slice(0, 30)}`).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(refused.body.data ?? null).toBeNull();
    }
    // Other tokens of the same agent still work on B, from the cache.
    expect(hit(await b.gql(LIST, {}, agentB))).toBe(true);
  });

  // Single-flight (ResponseStore.joinFlight) hands the leader's result to every identical request that
  // arrives while the leader executes. A leader that read before a write is stale for a request that
  // was sent after the write returned, yet that request gets it. Here B's leader reads ticket X and then
  // waits on a table lock; A renames X (B receives the invalidation); a second request to B, sent after
  // the rename returned, joins the leader's flight and answers the old title.
  it('a request sent after a write does not get the result of a flight that read before it', async () => {
    const INFLIGHT = 'query FlightDetail($id: ID!) { ticket(id: $id) { id title tags { name } } }';
    const x = ok(await b.gql<ListData>(LIST, {}, agentB), 'list').tickets.edges[5]!.node;
    const old = ok(await a.gql<{ ticket: { title: string } }>(SIMPLE, { id: x.id }, agentA), 'X').ticket.title;
    const other = await b.login('admin@acme.test'); // same staff scope as agentB: the same cache key

    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    let leader: Promise<GraphQLResult<{ ticket: { title: string } }>>;
    let follower: Promise<GraphQLResult<{ ticket: { title: string } }>>;
    const title = fresh('after the flight began');
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "TicketTag" IN ACCESS EXCLUSIVE MODE');
      leader = b.gql(INFLIGHT, { id: x.id }, agentB);
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
      ok(await a.gql(UPDATE, { input: { id: x.id, title } }, agentA), 'update X on A');
      // Sent after the write returned (and after B applied its invalidation: this read is fresh).
      expect(ok(await b.gql<{ ticket: { title: string } }>(SIMPLE, { id: x.id }, other), 'X on B').ticket.title).toBe(title);
      follower = b.gql(INFLIGHT, { id: x.id }, other);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await locker.query('COMMIT').catch(() => {});
      await locker.end();
    }
    const [first, second] = await Promise.all([leader, follower]);
    expect(ok(first, 'leader').ticket.title, 'the leader began before the write').toBe(old);
    const got = ok(second, 'follower').ticket.title;
    expect(got === old ? `OLD title (hit=${hit(second)})` : got, 'a request sent after the write returned').toBe(title);
    // And nothing stale stays cached.
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const [server, token] of [
      [a, agentA],
      [b, agentB],
    ] as const) {
      expect(ok(await server.gql<{ ticket: { title: string } }>(INFLIGHT, { id: x.id }, token), server.name).ticket.title).toBe(title);
    }
  });

  // The race the acknowledgements close: an instance whose event loop is held (here: SIGSTOP) has the
  // invalidation on its socket but has not read it; when it runs again it may take the next HTTP
  // request first. So B's mutation returns only once A has acknowledged applying it (or A's lease, 600
  // ms here, ran out: then A serves nothing from its L1 until it joins again). A is resumed after 150
  // ms, inside its lease: B's answer must come after that, and A's next read must be the new value.
  it('a write on B while A is stopped returns only after A resumed and applied it, 5 times in a row', async () => {
    const x = ok(await a.gql<ListData>(LIST, {}, agentA), 'list').tickets.edges[2]!.node;
    for (let round = 0; round < 5; round++) {
      const before = await warm<{ ticket: { title: string } }>(a, SIMPLE, { id: x.id }, agentA);
      expect(hit(before), 'A serves X from its cache').toBe(true);
      const title = fresh(`written on B while A was stopped #${round}`);
      let answeredAt = 0;
      let resumedAt: number;
      a.signal('SIGSTOP');
      try {
        const written = b.gql(UPDATE, { input: { id: x.id, title } }, agentB).then((answer) => {
          answeredAt = Date.now();
          return answer;
        });
        await sleep(150);
        resumedAt = Date.now();
        a.signal('SIGCONT');
        ok(await written, 'update on B');
      } finally {
        a.signal('SIGCONT');
      }
      expect(answeredAt, 'B acknowledged the write only after A could apply it').toBeGreaterThanOrEqual(resumedAt);
      const after = ok(await a.gql<{ ticket: { title: string } }>(SIMPLE, { id: x.id }, agentA), 'A right after');
      expect(after.ticket.title).toBe(title);
    }
  });
});

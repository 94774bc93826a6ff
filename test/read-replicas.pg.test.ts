// deskgraph with a real streaming replica (scripts/test-services.sh: TEST_DATABASE_REPLICA_URL): reads go
// to the replica when it has replayed what they must see, to the primary otherwise, and a replica that
// is down or lags too far is taken out and put back by itself (server/platform/replicas/README.md).
// One file, run in order: the apply delay and the stop are the replica server's, shared by its tests.
import pg from 'pg';
import { hashToken } from '../identity/bearer-token.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replicaServer, type ReplicaServer } from './postgres-replica.ts';
import { copyTemplate } from './template-db.ts';
import { deletePrefix, fresh, ok, startServer, stopAll, uniquePrefix, waitFor, type ServerProcess } from './processes.ts';

const REPLICA_URL = process.env.TEST_DATABASE_REPLICA_URL;

const FIRST = 'query First { tickets(first: 1, orderBy: { field: CREATED_AT, direction: ASC }) { edges { node { id title } } } }';
const TITLE = 'query Title($id: ID!) { ticket(id: $id) { id title } }';
const PAGE = 'query Page($first: Int!) { tickets(first: $first) { totalCount edges { node { id title } } } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title } } }';
const UPDATE_WIDE = `mutation UpdateWide($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticket { id title requester { id name } comments(first: 5) { totalCount edges { node { id body } } } } } }`;

const reads = (server: ServerProcess, target: 'primary' | 'replica', reason?: string) =>
  server.metric('deskgraph_db_reads_total', { target, ...(reason ? { reason } : {}) });
const replicaUp = (server: ServerProcess) => server.metric('deskgraph_db_replica_up', { replica: 'replica1' });

describe.skipIf(!REPLICA_URL)('reads on a streaming replica', () => {
  let drop: (() => Promise<void>) | null = null;
  let databaseUrl: string;
  let databaseName: string;
  let replica: ReplicaServer;
  let direct: pg.Client; // the replica itself, to show what a read there would have returned
  let keyPrefix: string;
  let server: ServerProcess;
  let plain: ServerProcess; // the same database, no replicas: "another instance" whose writes server has not heard of
  let agent: string;
  let ticket: { id: string; dbId: number };

  const start = (name: string, env: Record<string, string> = {}) =>
    startServer({
      name,
      databaseUrl,
      redisUrl: process.env.TEST_REDIS_URL!,
      keyPrefix: `${keyPrefix}-${name}`,
      env: { DATABASE_REPLICA_URLS: replica.urlOf(databaseName), DATABASE_REPLICA_POLL_MS: '50', ...env },
    });

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    databaseUrl = copy.config.url;
    databaseName = new URL(databaseUrl).pathname.slice(1);
    replica = await replicaServer(REPLICA_URL!);
    await replica.setApplyDelay('0');
    await replica.hasDatabase(databaseName);
    direct = new pg.Client({ connectionString: replica.urlOf(databaseName) });
    // Cut when the last test stops the replica; it is not used after that.
    direct.on('error', () => {});
    await direct.connect();
    keyPrefix = uniquePrefix('replicas');
    server = await start('a');
    agent = await server.login('agent@acme.test');
    const first = ok(await server.gql<any>(FIRST, {}, agent), 'first ticket').tickets.edges[0].node;
    ticket = { id: first.id, dbId: Number(Buffer.from(first.id, 'base64').toString('utf8').split(':')[1]) };
    await waitFor(
      async () => (await replicaUp(server)) === 1,
      15_000,
      () => `replica1 never came into service:\n${server.output()}`,
    );
  });

  afterAll(async () => {
    await replica?.setApplyDelay('0').catch(() => {});
    await direct?.end().catch(() => {});
    await replica?.close();
    await stopAll();
    if (process.env.TEST_REDIS_URL && keyPrefix) await deletePrefix(process.env.TEST_REDIS_URL, keyPrefix);
    await drop?.();
  });

  /** Reads pages (each a cache miss) until one is served by the replica: it is in service and caught up. */
  const untilReadsReachReplica = () =>
    waitFor(
      async () => {
        const before = await reads(server, 'replica');
        ok(await server.gql(PAGE, { first: 1 + Math.floor(Math.random() * 50) }, agent), 'page');
        return (await reads(server, 'replica')) > before;
      },
      10_000,
      () => 'no read went to the replica',
    );

  it('without lag, plain reads are served by the replica', async () => {
    await replica.caughtUp(databaseUrl);
    // The replica is in service and has replayed every write (the login's token included) once a read goes there.
    await untilReadsReachReplica();
    const replicaBefore = await reads(server, 'replica');
    const behindBefore = (await reads(server, 'primary', 'behind')) + (await reads(server, 'primary', 'unavailable'));
    // Different page sizes: each is a cache miss, executed against the database.
    for (let first = 51; first <= 70; first += 1) ok(await server.gql(PAGE, { first }, agent), `page of ${first}`);
    expect((await reads(server, 'replica')) - replicaBefore).toBeGreaterThanOrEqual(20);
    expect((await reads(server, 'primary', 'behind')) + (await reads(server, 'primary', 'unavailable')) - behindBefore).toBe(0);
  });

  it("runs a mutation's reads on the primary, and counts in sqlStatements only what Prisma sent (not the LSN it records)", async () => {
    await replica.caughtUp(databaseUrl);
    const replicaBefore = await reads(server, 'replica');
    const pinnedBefore = await reads(server, 'primary', 'pinned');
    const withReplicas = await server.gql<any>(UPDATE_WIDE, { input: { id: ticket.id, title: fresh('wide') } }, agent);
    ok(withReplicas, 'update with replicas');
    expect((await reads(server, 'primary', 'pinned')) - pinnedBefore).toBeGreaterThan(0);
    expect((await reads(server, 'replica')) - replicaBefore).toBe(0);

    plain = await start('plain', { DATABASE_REPLICA_URLS: '' });
    const token = await plain.login('agent@acme.test');
    // The fewest of three writes on each: a fresh instance under load may look its token up again once (its
    // token cache is served only while it holds its cache lease), which is not what this compares. An LSN
    // read counted as a statement would still show on every write with replicas.
    const counts = { without: [] as number[], again: [] as number[] };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      ok(await plain.gql(TITLE, { id: ticket.id }, token), 'warm the viewer'); // the token lookup is not part of the comparison
      ok(await server.gql(TITLE, { id: ticket.id }, agent), 'warm the viewer');
      const without = await plain.gql<any>(UPDATE_WIDE, { input: { id: ticket.id, title: fresh('wide') } }, token);
      const again = await server.gql<any>(UPDATE_WIDE, { input: { id: ticket.id, title: fresh('wide') } }, agent);
      counts.without.push(without.body.extensions?.sqlStatements);
      counts.again.push(again.body.extensions?.sqlStatements);
    }
    expect(await plain.metric('deskgraph_db_replica_up')).toBe(0); // no replica series at all without replicas
    expect(Math.min(...counts.again)).toBeGreaterThan(0);
    expect(Math.min(...counts.again), JSON.stringify(counts)).toBe(Math.min(...counts.without));
  });

  it('with a 2 s apply delay, a read right after a write never returns the old value: it goes to the primary', async () => {
    await replica.setApplyDelay('2s');
    const behindBefore = await reads(server, 'primary', 'behind');
    let stale = 0;
    let staleOnReplica = 0;
    for (let round = 0; round < 50; round += 1) {
      const title = fresh(`round ${round}`);
      ok(await server.gql(UPDATE, { input: { id: ticket.id, title } }, agent), 'update');
      const read = ok(await server.gql<any>(TITLE, { id: ticket.id }, agent), 'read').ticket.title;
      if (read !== title) stale += 1;
      const onReplica = (await direct.query<{ title: string }>('SELECT "title" FROM "Ticket" WHERE "id" = $1', [ticket.dbId])).rows[0]!
        .title;
      if (onReplica !== title) staleOnReplica += 1;
    }
    expect(stale).toBe(0);
    // The replica itself was behind (else this test would prove nothing), and the floor sent the reads to the primary.
    expect(staleOnReplica).toBeGreaterThan(0);
    expect((await reads(server, 'primary', 'behind')) - behindBefore).toBeGreaterThan(0);
    // 2 s behind is within the default DATABASE_REPLICA_MAX_LAG_MS (5 s): still in service.
    expect(await replicaUp(server)).toBe(1);
    await replica.setApplyDelay('0');
  });

  it('a token created a moment ago on another instance is found: a replica that lacks it is not the last word', async () => {
    await replica.caughtUp(databaseUrl);
    // server has heard of every write so far (its reads go to the replica again)…
    await untilReadsReachReplica();
    // …but not of this login, which the replica replays 2 s late.
    await replica.setApplyDelay('2s');
    const token = await plain.login('customer@acme.test');
    const replicaBefore = await reads(server, 'replica');
    const me = await server.gql<any>('query Me { viewer { id name } }', {}, token);
    const onReplica = await direct.query('SELECT 1 FROM "ApiToken" WHERE "tokenHash" = $1', [hashToken(token)]);
    await replica.setApplyDelay('0');
    expect(onReplica.rowCount).toBe(0); // the replica did not have it yet
    expect((await reads(server, 'replica')) - replicaBefore).toBeGreaterThan(0); // and was asked first
    expect(me.status).toBe(200);
    expect(ok(me, 'viewer').viewer.name).toBe('Carla Customer');
  });

  it('a replica lagging beyond DATABASE_REPLICA_MAX_LAG_MS is taken out, and put back once it has caught up', async () => {
    const strict = await start('strict', { DATABASE_REPLICA_MAX_LAG_MS: '300' });
    await waitFor(
      async () => (await replicaUp(strict)) === 1,
      15_000,
      () => 'the strict server never put replica1 in service',
    );
    await replica.setApplyDelay('2s');
    const token = await strict.login('agent@acme.test');
    ok(await strict.gql(UPDATE, { input: { id: ticket.id, title: fresh('lagging') } }, token), 'update');
    await waitFor(
      async () => (await replicaUp(strict)) === 0,
      10_000,
      () => 'replica1 was never taken out for its lag',
    );
    const unavailableBefore = await reads(strict, 'primary', 'unavailable');
    ok(await strict.gql(PAGE, { first: 71 }, token), 'read while out');
    expect((await reads(strict, 'primary', 'unavailable')) - unavailableBefore).toBeGreaterThan(0);
    await replica.setApplyDelay('0');
    await waitFor(
      async () => (await replicaUp(strict)) === 1,
      15_000,
      () => `replica1 was never put back:\n${strict.output()}`,
    );
    await strict.stop();
  });

  it('a stopped replica is taken out (reads are answered by the primary), and put back after its restart', async () => {
    await replica.stop();
    try {
      await waitFor(
        async () => (await replicaUp(server)) === 0,
        10_000,
        () => 'replica1 was never taken out',
      );
      const ready = await server.ready();
      expect(ready.status).toBe(200);
      expect((ready.body as any).replicas).toBe('0/1 in service (reads on the primary)');
      const before = await reads(server, 'primary', 'unavailable');
      for (let first = 72; first <= 76; first += 1)
        ok(await server.gql(PAGE, { first }, agent), `page of ${first} while the replica is down`);
      expect((await reads(server, 'primary', 'unavailable')) - before).toBeGreaterThanOrEqual(5);
    } finally {
      replica.start();
    }
    await waitFor(
      async () => (await replicaUp(server)) === 1,
      30_000,
      () => `replica1 was never put back:\n${server.output()}`,
    );
    expect((await server.ready()).body).toMatchObject({ status: 'ready', replicas: '1/1 in service' });
    const before = await reads(server, 'replica');
    await waitFor(
      async () => {
        ok(await server.gql(PAGE, { first: 77 + Math.floor(Math.random() * 20) }, agent), 'page after the restart');
        return (await reads(server, 'replica')) > before;
      },
      10_000,
      () => 'no read went to the replica after its restart',
    );
  });
});

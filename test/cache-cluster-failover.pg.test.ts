// Two deskgraph processes on a Redis Cluster of their own, under a loop of writes and reads, while the
// master holding the organization's shard is failed over (CLUSTER FAILOVER on its replica) and then
// killed (SIGKILL). The promises of server/CACHE.md, "Redis Cluster": no read after a write's response
// shows the old value, no request fails, and the cache comes back (hits resume) without restarting
// deskgraph. Runs where TEST_REDIS_CLUSTER_NODES says a cluster can be started (redis-server 7).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fresh, hit, sleep, startServer, stopAll, uniquePrefix, type GraphQLResult, type ServerProcess } from './processes.ts';
import { startRedisCluster, type RedisClusterProcess } from './redis-cluster-process.ts';
import { copyTemplate } from './template-db.ts';

const DETAIL = 'query Detail($id: ID!) { ticket(id: $id) { id title status } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title } } }';
const LIST = 'query First { tickets(first: 1) { edges { node { id } } } }';

type Detail = { ticket: { id: string; title: string } | null };

interface Tally {
  /** Which part of the run the rounds belong to, for the messages. */
  phase: string;
  rounds: number;
  reads: number;
  stale: string[];
  failed: string[];
  /** Mutations refused before writing (503 SERVICE_UNAVAILABLE) and sent again, as a client must. */
  retried: number;
  hits: number;
}

describe.skipIf(!process.env.TEST_REDIS_CLUSTER_NODES)('two instances on a Redis Cluster through a failover and a killed master', () => {
  let drop: (() => Promise<void>) | null = null;
  let cluster: RedisClusterProcess;
  let a: ServerProcess;
  let b: ServerProcess;
  let tokens: Map<ServerProcess, string>;
  let ticketId: string;
  let shardKey: string;
  let title = '';

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    cluster = await startRedisCluster();
    const keyPrefix = uniquePrefix('failover');
    const common = { databaseUrl: copy.config.url, redis: cluster.target, keyPrefix, readyTimeoutMs: 60_000 };
    [a, b] = await Promise.all([startServer({ ...common, name: 'A' }), startServer({ ...common, name: 'B' })]);
    tokens = new Map([
      [a, await a.login('agent@acme.test')],
      [b, await b.login('agent@acme.test')],
    ]);
    const client = new pg.Client({ connectionString: copy.config.url });
    await client.connect();
    const { rows } = await client.query<{ id: number }>(`SELECT id FROM "Organization" WHERE slug = 'acme'`);
    await client.end();
    // The hash tag of acme's shard (server/cache/cache-key.ts, cacheShard): its master is the one failed.
    shardKey = `{${keyPrefix}:o:${rows[0]!.id}}:seq`;
    const first = await a.gql<{ tickets: { edges: { node: { id: string } }[] } }>(LIST, {}, tokens.get(a));
    ticketId = first.body.data!.tickets.edges[0]!.node.id;
  }, 180_000);

  afterAll(async () => {
    await stopAll();
    await cluster?.dispose();
    await drop?.();
  });

  // One round: a write on one instance, then three reads after its response: two on the other instance
  // (a miss that fills, then a hit) and one on the writer. Each must show the write.
  async function round(tally: Tally, n: number): Promise<boolean> {
    const [writer, reader] = n % 2 ? [a, b] : [b, a];
    const next = fresh(`failover ${n}`);
    let written = await writer.gql(UPDATE, { input: { id: ticketId, title: next } }, tokens.get(writer));
    // A degraded instance refuses mutations before writing (503 SERVICE_UNAVAILABLE): a client retries.
    for (let attempt = 0; attempt < 100 && isRefusal(written); attempt += 1) {
      tally.retried += 1;
      await sleep(50);
      written = await writer.gql(UPDATE, { input: { id: ticketId, title: next } }, tokens.get(writer));
    }
    tally.rounds += 1;
    if (!succeeded(written, tally, `round ${n}: updateTicket on ${writer.name}`)) return false;
    title = next;
    let secondHit = false;
    for (const [server, label] of [
      [reader, 'first read'],
      [reader, 'second read'],
      [writer, 'read on the writer'],
    ] as const) {
      const read = await server.gql<Detail>(DETAIL, { id: ticketId }, tokens.get(server));
      tally.reads += 1;
      if (!succeeded(read, tally, `round ${n}: ${label} on ${server.name}`)) continue;
      if (hit(read)) tally.hits += 1;
      if (label === 'second read') secondHit = hit(read) === true;
      const seen = read.body.data?.ticket?.title;
      if (seen !== title)
        tally.stale.push(`${tally.phase} round ${n}: ${label} on ${server.name} (hit=${hit(read)}) saw "${seen}", wrote "${title}"`);
    }
    return secondHit;
  }

  const isRefusal = (result: GraphQLResult) => result.status === 503 && result.body.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE';

  function succeeded(result: GraphQLResult, tally: Tally, what: string): boolean {
    if (result.status === 200 && !result.body.errors?.length) return true;
    const code = result.body.errors?.[0]?.extensions?.code ?? 'none';
    tally.failed.push(`${tally.phase} ${what}: HTTP ${result.status} ${String(code)}`);
    return false;
  }

  /** Rounds until `done` holds (checked after each), at most `max`; returns how many ran. */
  async function roundsUntil(tally: Tally, done: () => boolean, max: number): Promise<number> {
    let ran = 0;
    for (; ran < max && !done(); ran += 1) await round(tally, tally.rounds);
    return ran;
  }

  it('serves no stale read, fails no request (mutations refused with 503 are retried, as clients must), and its cache hits resume after both faults', async () => {
    const tally: Tally = { phase: 'warm', rounds: 0, reads: 0, stale: [], failed: [], retried: 0, hits: 0 };
    // Warm: the loop runs with the cache working.
    for (let i = 0; i < 15; i += 1) await round(tally, tally.rounds);
    expect(tally.hits, 'hits before any fault').toBeGreaterThan(0);

    // Fault 1: a graceful failover of the shard's master (nothing is killed; the slots move).
    const before = cluster.ownerOf(shardKey);
    expect(before.replica, 'the shard has a replica').not.toBeNull();
    tally.phase = 'graceful failover';
    before.replica!.redis.cli('CLUSTER', 'FAILOVER');
    const moved = () => cluster.ownerOf(shardKey).master.port === before.replica!.port;
    await roundsUntil(tally, moved, 2000);
    expect(moved(), 'the replica took over the shard').toBe(true);
    tally.phase = 'after the failover';
    for (let i = 0; i < 15; i += 1) await round(tally, tally.rounds);

    // Fault 2: the shard's master (the old replica) is killed; its replica (the old master) takes over.
    const victim = cluster.ownerOf(shardKey);
    tally.phase = 'master killed';
    await victim.master.redis.stop('SIGKILL');
    const failedOver = () => {
      try {
        return cluster.ownerOf(shardKey).master.port !== victim.master.port;
      } catch {
        return false; // no master for the slot yet
      }
    };
    await roundsUntil(tally, failedOver, 3000);
    expect(failedOver(), 'a replica took over after the kill').toBe(true);
    await cluster.whenHealthy();

    // Recovery without a restart: both instances ready, and the reader's second read hits again, ten rounds in a row.
    tally.phase = 'recovery';
    let hitsInARow = 0;
    for (let i = 0; i < 1500 && hitsInARow < 10; i += 1) hitsInARow = (await round(tally, tally.rounds)) ? hitsInARow + 1 : 0;
    expect(hitsInARow, 'cache hits resumed').toBe(10);
    for (const server of [a, b]) expect((await server.ready()).body.cache, `${server.name} /ready`).toBe('ok');

    expect(tally.stale, `stale reads; A's log:\n${a.output().slice(-3000)}\nB's log:\n${b.output().slice(-3000)}`).toEqual([]);
    expect(tally.failed, 'failed requests (other than refusals, retried)').toEqual([]);
    expect(tally.rounds).toBeGreaterThan(40);
    console.log(`[failover] ${tally.rounds} rounds, ${tally.reads} reads, ${tally.retried} mutations refused (503) and retried`);
  }, 300_000);
});

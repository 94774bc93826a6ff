// Single-flight across instances (server/cache/fill-claims.ts): three deskgraph processes on one
// database and one Redis, each sent 30 identical cold requests at once. PostgreSQL must run the
// statements of one execution, counted on its side by pg_stat_statements (scripts/test-services.sh
// loads it), not 3 × 30 executions, nor 3.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyTemplate } from './template-db.ts';
import { deletePrefix, ok, startServer, stopAll, uniquePrefix, type ServerProcess } from './processes.ts';

const SELECTION = `($status: [TicketStatus!]) {
  tickets(first: 20, filter: { status: $status }) { totalCount edges { node { id title requester { name } tags { name } } } } }`;
const LIST = `query Flight${SELECTION}`;
// Another document (another cache key) with the same selection: one execution of exactly what LIST runs.
const SAME_WORK = `query FlightMeasured${SELECTION}`;

describe('three instances, one cold query', () => {
  let drop: (() => Promise<void>) | null = null;
  let keyPrefix: string;
  let redisUrl: string;
  let stats: pg.Client;
  let servers: ServerProcess[];
  let tokens: string[];

  /** Statements PostgreSQL ran in this test's database since the last reset, ours excluded. */
  const statements = async () =>
    Number(
      (
        await stats.query(
          `SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat_statements%'`,
        )
      ).rows[0].n,
    );

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    redisUrl = process.env.TEST_REDIS_URL;
    stats = new pg.Client({ connectionString: copy.config.url });
    await stats.connect();
    try {
      await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await stats.query('SELECT pg_stat_statements_reset()');
    } catch (error) {
      throw new Error(
        `this test counts statements with pg_stat_statements, which the server must preload (scripts/test-services.sh starts PostgreSQL with shared_preload_libraries=pg_stat_statements): ${String(error)}`,
        { cause: error },
      );
    }
    keyPrefix = uniquePrefix('single-flight');
    const common = { databaseUrl: copy.config.url, redisUrl, keyPrefix };
    servers = await Promise.all(['A', 'B', 'C'].map((name) => startServer({ ...common, name })));
    tokens = await Promise.all(servers.map((server) => server.login('agent@acme.test')));
  });

  afterAll(async () => {
    await stopAll();
    await stats?.end();
    if (keyPrefix) await deletePrefix(redisUrl, keyPrefix);
    await drop?.();
  });

  it('3 instances × 30 concurrent identical cold requests run the statements of one execution', async () => {
    // Each instance resolves its token once (its token cache), and one execution is measured alone.
    for (const [i, server] of servers.entries()) ok(await server.gql(LIST, { status: ['PENDING'] }, tokens[i]), `warm ${server.name}`);
    await stats.query('SELECT pg_stat_statements_reset()');
    ok(await servers[0]!.gql(SAME_WORK, { status: ['RESOLVED'] }, tokens[0]), 'one execution');
    const perExecution = await statements();
    expect(perExecution, 'an execution of the list runs some SQL').toBeGreaterThan(0);

    await stats.query('SELECT pg_stat_statements_reset()');
    const answers = await Promise.all(
      servers.flatMap((server, i) => Array.from({ length: 30 }, () => server.gql(LIST, { status: ['RESOLVED'] }, tokens[i]))),
    );
    const bodies = new Set(answers.map((answer) => JSON.stringify(ok(answer, 'a concurrent request'))));
    expect(bodies.size, 'every request got the same answer').toBe(1);
    expect(await statements(), `statements for 90 requests (one execution runs ${perExecution})`).toBe(perExecution);
  });
});

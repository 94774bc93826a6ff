// npm run bench:acks — what acknowledged invalidation adds to a mutation (server/CACHE.md). One
// instance writes (updateTicket, one after another, BENCH_ACK_WRITES each phase) while two other
// instances read the written ticket as fast as they can: in the first and last phase those two use
// another key prefix (another bus: the writer waits for no one), in the middle phase two readers on the
// writer's own bus (it waits for both to acknowledge every write). The machine's load is the same in
// every phase; the outer phases are the baseline, measured in the same run. Prints p50/p99 per phase
// and the difference.
//   BENCH_DATABASE_URL/TEST_DATABASE_URL and BENCH_REDIS_URL/TEST_REDIS_URL are required.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededDatabaseEnv } from './lib/database.ts';
import { describeMachine, machineLine } from './lib/machine.ts';
import { scrapeAll, total } from './lib/metrics.ts';
import { LOGIN, PASSWORD } from './lib/operations.ts';
import { KeyspaceWatch, pickEmptyDatabase, redisUrlWithDb } from './lib/redis-watch.ts';
import { startInstance, startInstances, type Instance } from './lib/server.ts';
import { graphql } from './lib/sessions.ts';
import { Cleanup, codeState, describeCode, envNumber, exitWith, fmt, log, sleep, table } from './lib/util.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UPDATE = 'mutation AckWrite($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';
const READ = 'query AckRead($id: ID!) { ticket(id: $id) { id title } }';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function writes(url: string, token: string, ticket: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await graphql(url, UPDATE, { input: { id: ticket, title: `ack bench ${i} ${Date.now()}` } }, token, 'AckWrite');
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** Each reader instance reads the written ticket `perSecond` times a second until stopped (0: as fast as it can). */
function readers(instances: Instance[], token: string, ticket: string, perSecond: number): () => Promise<void> {
  let running = true;
  const loops = instances.map(async (instance) => {
    while (running) {
      const started = performance.now();
      await graphql(instance.graphqlUrl, READ, { id: ticket }, token, 'AckRead').catch(() => sleep(10));
      if (perSecond > 0) await sleep(Math.max(0, 1000 / perSecond - (performance.now() - started)));
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

async function main(): Promise<number> {
  const count = envNumber('BENCH_ACK_WRITES', 400, { min: 10, integer: true });
  // Readers at a steady rate, not flat out: on two cores, readers flat out starve every event loop and
  // measure the machine, not the acknowledgements (BENCH_ACK_READ_RATE=0 does that too).
  const readRate = envNumber('BENCH_ACK_READ_RATE', 100, { min: 0 });
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisBase = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (!databaseUrl || !redisBase)
    throw new Error('bench:acks needs BENCH_DATABASE_URL (or TEST_DATABASE_URL) and BENCH_REDIS_URL (or TEST_REDIS_URL).');
  const cleanup = new Cleanup();
  try {
    log(`npm run bench:acks  (BENCH_ACK_WRITES=${count} per phase, BENCH_ACK_READ_RATE=${readRate}/s per reader)`);
    log(`machine: ${machineLine(await describeMachine(databaseUrl, redisBase))}`);
    log(describeCode(codeState(root)));
    const dbEnv = await seededDatabaseEnv(databaseUrl, 0.1, cleanup);
    const db = await pickEmptyDatabase(redisBase);
    const prefix = `bench-acks-${randomBytes(3).toString('hex')}`;
    for (const owner of [prefix, `${prefix}-other`]) {
      const keys = new KeyspaceWatch(redisBase, db, owner);
      cleanup.add('remove Redis keys', async () => void (await keys.dispose()));
    }
    const env = { ...dbEnv, RESPONSE_CACHE: 'true', REDIS_URL: redisUrlWithDb(redisBase, db), CACHE_KEY_PREFIX: prefix };
    const writer = await startInstance({ name: 'writer', root, cleanup, env });
    const login = await graphql(writer.graphqlUrl, LOGIN, { email: 'agent@acme.test', password: PASSWORD }, null, 'Login');
    const token = login.login.token as string;
    const list = await graphql(writer.graphqlUrl, 'query AckList { tickets(first: 1) { edges { node { id } } } }', null, token, 'AckList');
    const ticket = list.tickets.edges[0].node.id as string;
    await writes(writer.graphqlUrl, token, ticket, 50); // warm-up: scripts loaded, JIT warm

    const elsewhere = await startInstances(2, { name: 'other-bus', root, cleanup, env: { ...env, CACHE_KEY_PREFIX: `${prefix}-other` } });
    const phase = async (readersOn: Instance[]) => {
      const stop = readers(readersOn, token, ticket, readRate);
      await sleep(500);
      const times = await writes(writer.graphqlUrl, token, ticket, count);
      await stop();
      return times;
    };
    const phases: [string, number[]][] = [];
    phases.push(['no one to wait for (1st)', await phase(elsewhere)]);
    const sharing = await startInstances(2, { name: 'same-bus', root, cleanup, env });
    await sleep(1500); // their leases are granted within a third of a lease
    phases.push(['waits for 2 leased instances', await phase(sharing)]);
    const timeouts = total(await scrapeAll([writer.origin]), 'deskgraph_cache_ack_timeouts_total');
    await Promise.all(sharing.map((instance) => instance.stop()));
    phases.push(['no one to wait for (2nd)', await phase(elsewhere)]);

    const rows = phases.map(([name, times]) => [name, fmt(percentile(times, 50), 2), fmt(percentile(times, 99), 2)]);
    log(table(['phase', 'p50 ms', 'p99 ms'], rows));
    const base = (p: number) => (percentile(phases[0]![1], p) + percentile(phases[2]![1], p)) / 2;
    const withAcks = phases[1]![1];
    log(
      `acknowledgements add p50 ${fmt(percentile(withAcks, 50) - base(50), 2)} ms, p99 ${fmt(percentile(withAcks, 99) - base(99), 2)} ms ` +
        `(against the mean of the two alone phases); writes that stopped waiting for a lease: ${timeouts}`,
    );
    return timeouts > 0 ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

exitWith(main, 'bench:acks failed');

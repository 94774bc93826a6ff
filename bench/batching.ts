// Does request batching help the client? One view (the dashboard screen: dashboard counts, open
// tickets, tags, who am I) loaded as four separate requests — each a cache hit the fast path answers —
// against one POST carrying the four as a batch (GRAPHQL_BATCH_LIMIT), measured in one run against one
// instance. Prints views per second, p99 per view request, and bytes per view.
//   npm run bench:batching      (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_SCALE as for cache-mix)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createSeededDatabase } from './lib/database.ts';
import { startInstance } from './lib/server.ts';
import { resolveServices } from './lib/services.ts';
import { Cleanup, codeState, describeCode, envNumber, fmt, log, sleep, table } from './lib/util.ts';
import { ACCOUNTS, LOGIN, PASSWORD, READ_OPERATIONS } from './lib/operations.ts';
import { graphql } from './lib/sessions.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VIEW = ['Dashboard', 'OpenTickets', 'Tags', 'Viewer'] as const;

async function main(): Promise<void> {
  const duration = envNumber('BENCH_DURATION', 8, { min: 1 });
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  const cleanup = new Cleanup();
  try {
    log(`code: ${describeCode(codeState(root))}`);
    const services = await resolveServices(root, cleanup);
    const databases = await createSeededDatabase(services.databaseUrl, envNumber('BENCH_SCALE', 0.1, { min: 0.01 }), cleanup);
    const copy = await databases.copy('batching');
    const instance = await startInstance({
      name: 'batching',
      root,
      cleanup,
      env: { DATABASE_URL: copy.url, AUTO_MIGRATE: 'false', SEED_IF_EMPTY: 'false', GRAPHQL_BATCH_LIMIT: '10' },
    });
    const agent = ACCOUNTS.find((a) => a.email === 'agent@acme.test') ?? ACCOUNTS[0]!;
    const login = await graphql(instance.graphqlUrl, LOGIN, { email: agent.email, password: PASSWORD }, null, 'Login');
    const token = login.login.token as string;
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` };
    const operations = VIEW.map((name) => ({ query: READ_OPERATIONS[name]!.document, operationName: name }));
    const separate = operations.map((op) => ({ method: 'POST' as const, path: '/graphql', headers, body: JSON.stringify(op) }));
    const batch = { method: 'POST' as const, path: '/graphql', headers, body: JSON.stringify(operations) };

    // Warm every entry both ways, and check the answers agree.
    const single: unknown[] = [];
    for (const request of separate)
      single.push(await (await fetch(instance.graphqlUrl, { method: 'POST', headers, body: request.body })).json());
    const batched = (await (await fetch(instance.graphqlUrl, { method: 'POST', headers, body: batch.body })).json()) as { data: unknown }[];
    const same = batched.every((result, i) => JSON.stringify(result.data) === JSON.stringify((single[i] as { data: unknown }).data));
    if (!same) throw new Error('the batched answers differ from the separate ones');

    const bytes = { separate: 0, batch: 0 };
    for (const request of separate)
      bytes.separate +=
        Buffer.byteLength(request.body) +
        (await (await fetch(instance.graphqlUrl, { method: 'POST', headers, body: request.body })).arrayBuffer()).byteLength;
    bytes.batch =
      Buffer.byteLength(batch.body) +
      (await (await fetch(instance.graphqlUrl, { method: 'POST', headers, body: batch.body })).arrayBuffer()).byteLength;

    const run = async (requests: typeof separate) => {
      await autocannon({ url: instance.graphqlUrl, connections, duration: 2, requests });
      return autocannon({ url: instance.graphqlUrl, connections, duration, requests });
    };
    log(`separate: 4 requests per view, ${duration} s`);
    const a = await run(separate);
    await sleep(500);
    log(`batched: 1 request per view, ${duration} s`);
    const b = await run([batch]);
    const viewsA = a.requests.average / VIEW.length;
    const viewsB = b.requests.average;
    console.log(`\nOne view = ${VIEW.join(' + ')}, as agent@acme.test, all cache hits; ${connections} connections, one run.\n`);
    console.log(
      table(
        ['how', 'requests/view', 'views/s', '×separate', 'p99 ms per request', 'body bytes/view (req+resp)', 'non-2xx'],
        [
          ['separate POSTs (fast path)', '4', fmt(viewsA, 0), '1.00×', fmt(a.latency.p99, 0), String(bytes.separate), String(a.non2xx)],
          [
            'one batched POST (yoga)',
            '1',
            fmt(viewsB, 0),
            `${fmt(viewsB / viewsA, 2)}×`,
            fmt(b.latency.p99, 0),
            String(bytes.batch),
            String(b.non2xx),
          ],
        ],
      ),
    );
    console.log('\nA batch is an array body: the fast path and HTTP caching (GET, ETag) do not apply to it.');
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// Cache warming (CACHE_WARM, server/cache/warmer.ts): a write's invalidation re-runs exactly the hot
// entries it dropped, the next reads find them stored with the write's change, and the warmer's own
// runs move no client hit or miss counter (the hit rate stays the share of client reads the cache answered).
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const list = `query HotList { tickets(first: 5) { edges { node { id title } } } }`;
const detail = `query HotDetail($id: ID!) { ticket(id: $id) { id title } }`;
const tags = `query HotTags { tags { name } }`;
const longList = `query LongList { tickets(first: 10) { edges { node { id } } } }`;

/** Sums every series of a counter on /metrics, optionally only those with the given label text. */
async function counter(server: TestServer, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').pop());
  return sum;
}

/** Waits (up to 10 s) until the warmer has nothing queued or running. */
async function warmerIdle(server: TestServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.warmer!.busy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('cache warming (CACHE_WARM)', () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('re-runs exactly the hot entries a write evicted, outside the client hit and miss counters', async () => {
    // Never paused by load here: this test process is client and server on one event loop.
    server = await startTestServer({ cache: { warm: true, warmTop: 10, warmConcurrency: 2, warmMaxBusyPercent: 100 } });
    const agent = await server.login('agent@acme.test');
    const first = (await server.gql(list, {}, agent)).body.data!.tickets.edges[0].node as { id: string };
    const page = await server.gql(longList, {}, agent);
    const other = page.body.data!.tickets.edges[9].node.id as string;
    const reads: [string, Record<string, unknown>][] = [
      [list, {}],
      [longList, {}],
      [detail, { id: first.id }],
      [detail, { id: other }],
      [tags, {}],
    ];
    for (let i = 0; i < 3; i += 1) for (const [query, variables] of reads) await server.gql(query, variables, agent);

    const before = {
      hits: await counter(server, 'deskgraph_cache_hits_total'),
      misses: await counter(server, 'deskgraph_cache_misses_total'),
      warmed: await counter(server, 'deskgraph_cache_warms_total'),
    };
    const write = await server.gql(
      `mutation ($id: ID!) { updateTicket(input: { id: $id, title: "Warmed again" }) { ticket { id } } }`,
      { id: first.id },
      agent,
    );
    expect(write.body.errors).toBeUndefined();
    // Queued by the write's invalidation before its response was sent (and often done by then).
    await warmerIdle(server);

    // The list of titles and the edited ticket's detail were dropped and warmed; the list of ids (a title is
    // not among its fields), the other detail and the tags stayed.
    expect(await counter(server, 'deskgraph_cache_warms_total', 'outcome="stored"')).toBe(before.warmed + 2);
    for (const [query, variables] of reads) {
      const response = await server.gql(query, variables, agent);
      expect(response.body.extensions?.responseCache?.hit, `${query} ${JSON.stringify(variables)}`).toBe(true);
    }
    expect((await server.gql(detail, { id: first.id }, agent)).body.data!.ticket.title).toBe('Warmed again');
    expect((await server.gql(list, {}, agent)).body.data!.tickets.edges[0].node.title).toBe('Warmed again');
    // Only the seven client reads above moved the counters: the warmer's two runs are neither hits nor misses.
    expect(await counter(server, 'deskgraph_cache_misses_total')).toBe(before.misses);
    expect(await counter(server, 'deskgraph_cache_hits_total')).toBe(before.hits + 7);
  });

  it('leaves evicted entries to the clients while the event loop is saturated', async () => {
    const busy = await startTestServer({ cache: { warm: true, warmTop: 10, warmConcurrency: 2, warmMaxBusyPercent: 50 } });
    try {
      const agent = await busy.login('agent@acme.test');
      const first = (await busy.gql(list, {}, agent)).body.data!.tickets.edges[0].node as { id: string };
      const rename = (title: string) =>
        busy.gql(
          `mutation ($id: ID!, $title: String!) { updateTicket(input: { id: $id, title: $title }) { ticket { id } } }`,
          { id: first.id, title },
          agent,
        );
      const readBoth = async () => {
        for (let i = 0; i < 2; i += 1) {
          await busy.gql(list, {}, agent);
          await busy.gql(detail, { id: first.id }, agent);
        }
      };
      await readBoth();
      // Idle for a whole window of the gauge (500 ms): the write's two evictions are warmed.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await rename('Idle write')).body.errors).toBeUndefined();
      await warmerIdle(busy);
      const stored = await counter(busy, 'deskgraph_cache_warms_total', 'outcome="stored"');
      expect(stored).toBe(2);

      await readBoth();
      // Two seconds of this thread's own work, then the write: the loop was busy nearly all of the window.
      const until = Date.now() + 2_000;
      while (Date.now() < until);
      expect((await rename('Busy write')).body.errors).toBeUndefined();
      await warmerIdle(busy);
      expect(await counter(busy, 'deskgraph_cache_warms_total', 'outcome="stored"')).toBe(stored);
      expect(await counter(busy, 'deskgraph_cache_warms_total', 'outcome="skipped_busy"')).toBe(2);
      // The first client after the write executes the list itself, and sees the write.
      const after = await busy.gql(list, {}, agent);
      expect(after.body.extensions?.responseCache?.hit).toBe(false);
      expect(after.body.data!.tickets.edges[0].node.title).toBe('Busy write');
    } finally {
      await busy.close();
    }
  });
});

// A miss that fills the cache is serialized once: the bytes stored are the bytes yoga sends
// (server/cache/use-response-cache.ts, serializeOnce). A plugin that changes the result after the
// cache (here the responseCache metadata) gets its copy serialized afresh, with what it added. Before
// serializeOnce, the first case took two serializations.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const LIST = 'query SerializedOnce { tickets(first: 20) { edges { node { id title status requester { name } } } } }';

/** Counts JSON.stringify calls on GraphQL results carrying this query's data. */
function countResultStringify(): { count(): number; restore(): void } {
  const original = JSON.stringify;
  let calls = 0;
  JSON.stringify = function (this: unknown, ...args: Parameters<typeof JSON.stringify>) {
    const value = args[0] as { data?: { tickets?: unknown } } | null;
    if (value && typeof value === 'object' && value.data?.tickets) calls += 1;
    return original.apply(this, args);
  } as typeof JSON.stringify;
  return { count: () => calls, restore: () => void (JSON.stringify = original) };
}

describe.each([
  ['without diagnostics', false, 1],
  // The copy with the metadata is serialized for the response, and once more without it for the GET's
  // ETag (use-conditional-get.ts: the same data has the same ETag, diagnostics or not).
  ['with responseCache metadata', true, 3],
] as const)('a filled miss is serialized %s', (_name, metadata, serializations) => {
  let server: TestServer;
  let counter: ReturnType<typeof countResultStringify>;
  beforeEach(() => void (counter = countResultStringify()));
  afterEach(() => counter.restore());
  afterAll(() => server?.close());

  it(`${serializations} time(s), and the hit sends what was stored`, async () => {
    server = await startTestServer({ cache: { enabled: true, metadata }, config: { exposeStatementCount: false } });
    const agent = await server.login('agent@acme.test');
    const get = async () => {
      const response = await fetch(`${server.url}?query=${encodeURIComponent(LIST)}`, {
        headers: { authorization: `Bearer ${agent}`, accept: 'application/json', 'x-graphql-csrf': '1' },
      });
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    const before = counter.count();
    const miss = await get();
    expect(counter.count() - before).toBe(serializations);
    const hit = await get();
    expect(counter.count() - before, 'a hit sends stored bytes').toBe(serializations);
    const strip = (bytes: Buffer) => {
      const { extensions: _, ...rest } = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      return rest;
    };
    if (metadata) expect(JSON.parse(miss.toString('utf8')).extensions.responseCache.hit).toBe(false);
    else expect(miss.equals(hit)).toBe(true);
    expect(strip(hit)).toEqual(strip(miss));
  });
});

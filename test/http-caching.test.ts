// HTTP-level caching and compression, on both paths: cache hits answered before GraphQL, and misses
// answered by yoga (a server with the response cache off takes that path every time).
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { startTestServer, type TestServer } from './harness.ts';

const LIST = 'query CachingList { tickets(first: 20) { edges { node { id title status requester { name } } } } }';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function getUrl(server: TestServer, query: string): string {
  return `${server.url}?query=${encodeURIComponent(query)}`;
}

describe.each([
  ['cache hits (fast path)', true],
  ['yoga (cache off)', false],
] as const)('HTTP caching and compression: %s', (_name, cached) => {
  let server: TestServer;
  let agent: string;
  beforeAll(async () => {
    server = await startTestServer({ cache: { enabled: cached, metadata: false }, config: { exposeStatementCount: false } });
    agent = await server.login('agent@acme.test');
  });
  afterAll(() => server?.close());

  async function get(headers: Record<string, string> = {}, query = LIST): Promise<Raw> {
    const response = await raw(getUrl(server, query), {
      headers: { accept: 'application/graphql-response+json', [CSRF_HEADER]: '1', ...headers },
    });
    return response;
  }

  it('GET answers carry an ETag and revalidate to 304 with If-None-Match', async () => {
    const auth = { authorization: `Bearer ${agent}` };
    const miss = await get(auth); // fills the cache where there is one
    const first = await get(auth);
    expect(first.status).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(miss.headers.etag, 'the same bytes, the same strong ETag, miss or hit').toBe(etag);
    expect(miss.body.equals(first.body)).toBe(true);
    const revalidated = await get({ ...auth, 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers.etag).toBe(etag);
    const other = await get({ ...auth, 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    expect(other.body.equals(first.body)).toBe(true);
  });

  it('a response for a token is private, never public; only tokenless data is public; POST is not marked', async () => {
    expect((await get({ authorization: `Bearer ${agent}` })).headers['cache-control']).toBe('private, no-cache');
    expect((await get({}, '{ __typename }')).headers['cache-control']).toBe('public, no-cache');
    const post = await raw(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: JSON.stringify({ query: LIST }),
    });
    expect(post.status).toBe(200);
    expect(post.headers['cache-control']).toBeUndefined();
  });

  it('compresses with brotli or gzip as negotiated, and the bodies decode to the same JSON', async () => {
    const auth = { authorization: `Bearer ${agent}` };
    const identity = await get(auth);
    const viaGzip = await get({ ...auth, 'accept-encoding': 'gzip' });
    const viaBrotli = await get({ ...auth, 'accept-encoding': 'gzip, br' });
    expect(viaGzip.headers['content-encoding']).toBe('gzip');
    expect(viaBrotli.headers['content-encoding']).toBe('br');
    expect(viaGzip.headers.vary).toMatch(/Accept-Encoding/i);
    expect(gunzipSync(viaGzip.body).equals(identity.body)).toBe(true);
    expect(brotliDecompressSync(viaBrotli.body).equals(identity.body)).toBe(true);
    expect(viaBrotli.body.length).toBeLessThan(identity.body.length / 2);
    expect(Number(viaBrotli.headers['content-length'])).toBe(viaBrotli.body.length);
  });

  it('answers browsers (Origin) with CORS headers, Vary, and a weak ETag on encoded bodies, 304 included', async () => {
    const browser = { authorization: `Bearer ${agent}`, origin: 'http://localhost:5173', 'accept-encoding': 'br' };
    await get(browser);
    const answer = await get(browser);
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    // Auth is a bearer token, never a cookie: no credentials are ever allowed (server/protocol/cors.ts).
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(answer.headers.vary).toMatch(/Origin/);
    expect(answer.headers.vary).toMatch(/Accept-Encoding/i);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.etag).toMatch(/^W\/"/);
    const revalidated = await get({ ...browser, 'if-none-match': answer.headers.etag as string });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(revalidated.headers.vary).toMatch(/Origin/);
    expect(revalidated.headers.vary).toMatch(/Accept-Encoding/i);
  });

  it('leaves small bodies and clients that accept no encoding alone', async () => {
    const small = await get({ 'accept-encoding': 'br, gzip' }, '{ __typename }');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ data: { __typename: 'Query' } });
    const refused = await get({ authorization: `Bearer ${agent}`, 'accept-encoding': 'identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});

// As in development (NODE_ENV=development turns CACHE_METADATA on) with EXPOSE_SQL_STATEMENT_COUNT: a
// miss says {"hit":false,…} and how many statements ran, a hit {"hit":true} and 0. The data is the same,
// so the ETag is too (weak: the bytes differ), and a client revalidating what a miss gave it gets a 304
// from the hit, on the fast path and on yoga's path alike (server/protocol/caching-headers.ts).
describe.each([
  ['hits from the fast path', true],
  ['hits through yoga (CACHE_FAST_PATH=false)', false],
] as const)('ETags with response metadata in the body: %s', (_name, fastPath) => {
  let server: TestServer;
  let agent: string;
  beforeAll(async () => {
    server = await startTestServer({ cache: { metadata: true, fastPath }, config: { exposeStatementCount: true } });
    agent = await server.login('agent@acme.test');
  });
  afterAll(() => server?.close());

  const get = (query: string, headers: Record<string, string> = {}) =>
    raw(getUrl(server, query), {
      headers: { accept: 'application/graphql-response+json', [CSRF_HEADER]: '1', authorization: `Bearer ${agent}`, ...headers },
    });
  const extensionsOf = (response: Raw) => JSON.parse(response.body.toString()).extensions;

  it("a miss and its hit carry the same weak ETag, and the hit answers the miss's ETag with 304", async () => {
    const query = '{ viewer { id name role } }';
    const miss = await get(query);
    const hit = await get(query);
    expect(extensionsOf(miss).responseCache.hit).toBe(false);
    expect(extensionsOf(miss).sqlStatements).toBeGreaterThan(0);
    expect(extensionsOf(hit)).toEqual({ responseCache: { hit: true }, sqlStatements: 0 });
    expect(miss.body.equals(hit.body)).toBe(false);
    expect(miss.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    const revalidated = await get(query, { 'if-none-match': miss.headers.etag as string });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(miss.headers.etag);
  });

  it('compressed, too: the same weak ETag for the miss and the hit', async () => {
    const br = { 'accept-encoding': 'br' };
    const miss = await get(LIST, br);
    const hit = await get(LIST, br);
    expect(miss.headers['content-encoding']).toBe('br');
    expect(hit.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(hit.body).toString()).extensions.responseCache.hit).toBe(true);
    expect(miss.headers.etag).toMatch(/^W\//);
    expect(hit.headers.etag).toBe(miss.headers.etag);
  });

  it('other data gets another ETag', async () => {
    const one = await get('{ viewer { id } }');
    const other = await get('{ viewer { name } }');
    expect(one.headers.etag).not.toBe(other.headers.etag);
  });
});

describe('request batching (GRAPHQL_BATCH_LIMIT)', () => {
  let batched: TestServer;
  let single: TestServer;
  beforeAll(async () => {
    [batched, single] = await Promise.all([startTestServer({ config: { batchLimit: 3 } }), startTestServer()]);
  });
  afterAll(() => Promise.all([batched?.close(), single?.close()]));

  const post = (server: TestServer, body: unknown) =>
    raw(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });

  it('runs an array of operations in one request when on, up to the limit', async () => {
    const two = await post(batched, [{ query: '{ __typename }' }, { query: '{ viewer { id } }' }]);
    expect(two.status).toBe(200);
    const results = JSON.parse(two.body.toString()) as { data: unknown }[];
    expect(results.map((r) => r.data)).toEqual([{ __typename: 'Query' }, { viewer: null }]);
    const four = await post(
      batched,
      Array.from({ length: 4 }, () => ({ query: '{ __typename }' })),
    );
    expect(four.status).toBe(413); // yoga: more operations than the limit
  });

  it('refuses arrays when off (the default)', async () => {
    const refused = await post(single, [{ query: '{ __typename }' }]);
    expect(refused.status).toBe(400);
  });
});

// GraphiQL over real HTTP: the page and the files it loads come from this server alone (the bundle of
// @graphql-yoga/render-graphiql, byte for byte), a browser gets a page saying GraphiQL is off when it is,
// and nothing changes for clients of the API, whether GraphiQL is on or off and whether the cache's hit
// stage or yoga answers. The browser side (no request leaves the origin) is test/e2e/graphiql.e2e.test.ts.
import * as bundle from '@graphql-yoga/render-graphiql/graphiql';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_ELEMENT_ID } from '../server/graphiql/graphiql-boot.ts';
import { CONTENT_SECURITY_POLICY } from '../server/graphiql/graphiql-page.ts';
import { OFF_PAGE_POLICY } from '../server/graphiql/graphiql-off-page.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { startTestServer, testAuthConfig, type TestServer } from './harness.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** node:http rather than fetch: fetch decodes bodies and hides what went over the wire. */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** What Chromium sends when it navigates to a URL. */
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' };

/** Every http(s) URL in a text. */
const absoluteUrls = (text: string): string[] => text.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];

/** The src and href attributes of an HTML page. */
const references = (html: string): string[] => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);

function pageConfig(html: string): { workers: Record<string, string>; options: Record<string, any> } {
  const match = new RegExp(`<script id="${CONFIG_ELEMENT_ID}" type="application/json">(.*?)</script>`, 's').exec(html);
  expect(match, 'the page carries its options').not.toBeNull();
  return JSON.parse(match![1]!);
}

describe('GraphiQL on (the default outside production)', () => {
  let server: TestServer;
  let origin: string;
  beforeAll(async () => {
    server = await startTestServer();
    origin = new URL(server.url).origin;
  });
  afterAll(() => server?.close());

  it('serves a page whose every file is a path of this server, and no http(s) URL at all', async () => {
    const page = await raw(server.url, { headers: BROWSER });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['content-security-policy']).toMatch(/connect-src 'self'/);
    expect(page.headers.vary).toMatch(/\bAccept\b/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(absoluteUrls(page.text)).toEqual([]);
    const files = [...references(page.text), ...Object.values(pageConfig(page.text).workers)];
    // icon, stylesheet, boot script, bundle; Monaco's three workers
    expect(new Set(files).size).toBe(7);
    for (const file of files) expect(file).toMatch(/^\/graphql\/graphiql\/[\w.-]+$/);
    expect(page.text).toMatch(/<script src="[^"]+"/);
    expect(page.text, 'no inline script but the JSON options').not.toMatch(/<script>/);
  });

  it("serves the bundle's files as they are, compressed on request, cached for a year", async () => {
    const page = await raw(server.url, { headers: BROWSER });
    const config = pageConfig(page.text);
    const [icon, css] = references(page.text);
    const script = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    const expected: [string, string, Buffer][] = [
      [css!, 'text/css', Buffer.from(bundle.css)],
      [script[1]!, 'text/javascript', Buffer.from(bundle.js)],
      [config.workers.editorWorkerService!, 'text/javascript', Buffer.from(bundle.editorWorkerService)],
      [config.workers.json!, 'text/javascript', Buffer.from(bundle.jsonWorker)],
      [config.workers.graphql!, 'text/javascript', Buffer.from(bundle.graphqlWorker)],
      [icon!, 'image/x-icon', Buffer.from(bundle.favicon.slice(bundle.favicon.indexOf(',') + 1), 'base64')],
    ];
    for (const [file, type, bytes] of expected) {
      const identity = await raw(`${origin}${file}`);
      expect(identity.status, file).toBe(200);
      expect(identity.headers['content-type']).toContain(type);
      expect(identity.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(identity.body.equals(bytes), file).toBe(true);
      const again = await raw(`${origin}${file}`, { headers: { 'if-none-match': String(identity.headers.etag) } });
      expect(again.status).toBe(304);
      if (type === 'image/x-icon') continue;
      const br = await raw(`${origin}${file}`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(bytes), file).toBe(true);
      const gzip = await raw(`${origin}${file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(bytes), file).toBe(true);
      expect(br.body.length).toBeLessThan(bytes.length / 2);
    }
    const boot = await raw(`${origin}${script[0]}`);
    expect(boot.status).toBe(200);
    expect(boot.text).toContain('renderYogaGraphiQL');
    expect((await raw(`${origin}/graphql/graphiql/graphiql.nosuchhash.js`)).status).toBe(404);
  });

  it('opens on a SignIn tab with the demo agent, and headers that say how to get a token', async () => {
    const { options } = pageConfig((await raw(server.url, { headers: BROWSER })).text);
    const [signIn, firstQuery] = options.defaultTabs;
    expect(signIn.query).toMatch(/^mutation SignIn\(/m);
    expect(JSON.parse(signIn.variables)).toEqual({ email: 'agent@acme.test', password: 'deskgraph' });
    expect(options.variables).toBe(signIn.variables);
    expect(firstQuery.query).toMatch(/^query MyOpenTickets \{/m);
    for (const tab of options.defaultTabs) expect(tab.headers).toBe(options.headers);
    expect(options.headers).toContain('Run the SignIn tab');
    expect(options.headers).toContain('"Authorization": "Bearer dg_…"');
  });

  it('the SignIn tab signs in as it stands, and its token works', async () => {
    const { options } = pageConfig((await raw(server.url, { headers: BROWSER })).text);
    const [signIn] = options.defaultTabs;
    const login = await server.gql(signIn.query, JSON.parse(signIn.variables));
    const token = login.body.data?.login.token as string;
    expect(token).toMatch(/^dg_/);
    const viewer = await server.gql('{ viewer { email } }', {}, token);
    expect(viewer.body.data?.viewer.email).toBe('agent@acme.test');
  });

  it('a browser asking for a query by URL gets GraphiQL, not the result, even when it is cached', async () => {
    const url = `${server.url}?query=${encodeURIComponent('{ tags { name } }')}`;
    const token = await server.login('agent@acme.test');
    const api = { accept: 'application/json', [CSRF_HEADER]: '1', authorization: `Bearer ${token}` };
    expect((await raw(url, { headers: api })).status).toBe(200);
    const hit = await raw(url, { headers: api });
    expect(JSON.parse(hit.text).extensions.responseCache.hit).toBe(true);
    const page = await raw(url, { headers: { ...BROWSER, [CSRF_HEADER]: '1', authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain(CONFIG_ELEMENT_ID);
  });
});

describe('GraphiQL off (GRAPHIQL=false; production by default)', () => {
  let off: TestServer;
  let on: TestServer;
  beforeAll(async () => {
    // Without CSRF prevention, so header-less GETs reach the cache's hit stage too.
    const auth = testAuthConfig({ csrfPrevention: false });
    [off, on] = await Promise.all([startTestServer({ config: { graphiql: false, auth } }), startTestServer({ config: { auth } })]);
  });
  afterAll(() => Promise.all([off?.close(), on?.close()]));

  it('a browser gets a short page saying so and how to query the API, with no link off this server', async () => {
    const page = await raw(off.url, { headers: BROWSER });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(OFF_PAGE_POLICY);
    expect(page.headers.vary).toMatch(/\bAccept\b/);
    expect(page.text).toContain('<h1>GraphiQL is off here</h1>');
    expect(page.text).toContain('curl -X POST');
    expect(page.text).toContain('content-type: application/json');
    expect(page.text).toContain('Authorization: Bearer &lt;token&gt;');
    expect(page.text).toContain('A first query');
    expect(page.text).not.toMatch(/<script/);
    expect(absoluteUrls(page.text)).toEqual([]);
    expect(references(page.text)).toEqual([]);
    expect(page.body.length).toBeLessThan(4096);
  });

  it("and GraphiQL's files are not there", async () => {
    const page = await raw(on.url, { headers: BROWSER });
    const [, css] = references(page.text);
    expect((await raw(`${new URL(on.url).origin}${css}`)).status).toBe(200);
    const missing = await raw(`${new URL(off.url).origin}${css}`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('a browser asking for a query by URL gets the page too, never a cached result', async () => {
    const url = (server: TestServer) => `${server.url}?query=${encodeURIComponent('{ __typename }')}`;
    await raw(url(off), { headers: { accept: 'application/json' } });
    const hit = await raw(url(off), { headers: { accept: 'application/json' } });
    expect(JSON.parse(hit.text).extensions.responseCache.hit).toBe(true);
    const page = await raw(url(off), { headers: BROWSER });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('GraphiQL is off here');
  });

  // What API clients send: none of these is a page request, so GraphiQL's setting changes nothing.
  const API_REQUESTS: [string, { method?: string; query?: string; headers: Record<string, string>; body?: string }][] = [
    ['GET without a query, Accept JSON', { headers: { accept: 'application/json' } }],
    ['GET without a query, Accept */*', { headers: { accept: '*/*' } }],
    ['GET without a query, no Accept', { headers: {} }],
    ['GET ranking JSON above HTML', { query: '{ __typename }', headers: { accept: 'application/json, text/html;q=0.5' } }],
    ['GET of a query, Accept */*', { query: '{ __typename }', headers: { accept: '*/*' } }],
    ['GET of a query, Accept XML only', { query: '{ __typename }', headers: { accept: 'application/xml' } }],
    ['HEAD with a browser Accept', { method: 'HEAD', headers: BROWSER }],
    [
      'POST with a browser Accept',
      { method: 'POST', headers: { ...BROWSER, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' },
    ],
  ];

  it.each(API_REQUESTS)('%s: the same answer with GraphiQL on or off, and not a page', async (_name, call) => {
    const send = (server: TestServer) =>
      raw(call.query ? `${server.url}?query=${encodeURIComponent(call.query)}` : server.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
      });
    const [fromOff, fromOn] = await Promise.all([send(off), send(on)]);
    expect(fromOn.status).toBe(fromOff.status);
    expect(fromOn.headers['content-type']).toBe(fromOff.headers['content-type']);
    expect(String(fromOff.headers['content-type'] ?? '')).not.toContain('text/html');
    const errors = (reply: Raw) => (reply.text ? JSON.parse(reply.text).errors?.map((e: any) => e.extensions?.code) : undefined);
    expect(errors(fromOn)).toEqual(errors(fromOff));
  });
});

// CSRF prevention and the CORS policy, through yoga and through the cache's fast path alike: a warm
// cache entry must never answer a request yoga would refuse, nor carry other CORS headers than yoga's.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/platform/config.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { startTestServer, testAuthConfig, type TestServer } from './harness.ts';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const QUERY = '{ viewer { id name } }';
const getUrl = (server: TestServer, query = QUERY) => `${server.url}?query=${encodeURIComponent(query)}`;

async function fastPathHits(server: TestServer): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  return [...text.matchAll(/^deskgraph_cache_hits_total\{[^}]*path="fast"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('CSRF prevention (CSRF_PREVENTION=true, the default)', () => {
  let server: TestServer;
  let agent: string;
  let bearer: Record<string, string>;
  const tokenless = { accept: 'application/json' };
  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.login('agent@acme.test');
    bearer = { authorization: `Bearer ${agent}`, accept: 'application/json' };
  });
  afterAll(() => server?.close());

  function expectRefused(refused: Raw) {
    expect(refused.status).toBe(403);
    const body = refused.json();
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e: any) => e.extensions?.code)).toEqual(['CSRF_HEADER_MISSING']);
    expect(body.errors[0].message).toContain(CSRF_HEADER);
    expect(refused.text).not.toMatch(/stack|at .*\.ts/);
  }

  // A page on another site cannot attach a Bearer token without a preflight our CORS policy answers, and a
  // browser never attaches one by itself: such a request needs no proof (server/protocol/csrf.ts).
  it('answers a GET with a Bearer token and no CSRF header (a cache miss, executed by yoga)', async () => {
    const ok = await raw(getUrl(server, '{ viewer { email } }'), { headers: bearer });
    expect(ok.status).toBe(200);
    expect(ok.json().data.viewer.email).toBe('agent@acme.test');
    expect(ok.json().extensions.responseCache.hit).toBe(false);
  });

  it('answers a GET with a Bearer token and no CSRF header from the fast path (a cache hit)', async () => {
    const query = '{ viewer { id name role } }';
    const miss = await raw(getUrl(server, query), { headers: bearer });
    expect(miss.json().extensions.responseCache.hit).toBe(false);
    const before = await fastPathHits(server);
    const hit = await raw(getUrl(server, query), { headers: bearer });
    expect(hit.status).toBe(200);
    expect(hit.json().data).toEqual(miss.json().data);
    expect(hit.json().extensions.responseCache.hit).toBe(true);
    expect(await fastPathHits(server)).toBe(before + 1);
  });

  it('refuses a GET with neither a Bearer token nor the header with 403 CSRF_HEADER_MISSING, and answers it with the header', async () => {
    expectRefused(await raw(getUrl(server, '{ viewer { id } }'), { headers: tokenless }));
    const ok = await raw(getUrl(server, '{ viewer { id } }'), { headers: { ...tokenless, [CSRF_HEADER]: '1' } });
    expect(ok.status).toBe(200);
    expect(ok.json().data).toEqual({ viewer: null });
  });

  // Browsers attach HTTP authentication (a proxy's Basic realm) to cross-site requests on their own: only
  // the Bearer scheme, which they never attach, stands in for the header.
  it('an Authorization header of another scheme (Basic) is no proof: 403, not 401', async () => {
    const basic = { ...tokenless, authorization: `Basic ${Buffer.from('agent:deskgraph').toString('base64')}` };
    expectRefused(await raw(getUrl(server, '{ viewer { id } }'), { headers: basic }));
  });

  it('a warm cache entry is not served to a tokenless GET without the header (the fast path defers to yoga)', async () => {
    const withHeader = { ...tokenless, [CSRF_HEADER]: '1' };
    const query = '{ __typename viewer { id } }';
    await raw(getUrl(server, query), { headers: withHeader });
    const hit = await raw(getUrl(server, query), { headers: withHeader });
    expect(hit.json().extensions?.responseCache?.hit).toBe(true);
    const before = await fastPathHits(server);
    expect(before).toBeGreaterThan(0);
    expectRefused(await raw(getUrl(server, query), { headers: tokenless }));
    expect(await fastPathHits(server)).toBe(before);
    const again = await raw(getUrl(server, query), { headers: withHeader });
    expect(again.status).toBe(200);
    expect(await fastPathHits(server)).toBe(before + 1);
  });

  it('refuses a tokenless form or text/plain POST without the header; a JSON POST needs none (browsers preflight it)', async () => {
    const body = JSON.stringify({ query: QUERY });
    expectRefused(await raw(server.url, { method: 'POST', headers: { ...tokenless, 'content-type': 'text/plain' }, body }));
    // A foreign form cannot spend this address's login attempts either.
    const login = 'mutation { login(email: "agent@acme.test", password: "wrong") { token } }';
    const form = await raw(server.url, {
      method: 'POST',
      headers: { ...tokenless, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(login)}`,
    });
    expectRefused(form);
    const json = await raw(server.url, { method: 'POST', headers: { ...tokenless, 'content-type': 'application/json' }, body });
    expect(json.status).toBe(200);
    expect(json.json().data.viewer).toBeNull();
  });

  it('a form or text/plain POST with a Bearer token passes CSRF prevention (the form runs; text/plain is 415, not 403)', async () => {
    const form = await raw(server.url, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(QUERY)}`,
    });
    expect(form.status).toBe(200);
    expect(form.json().data.viewer.name).toBeTruthy();
    const text = await raw(server.url, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(text.status).toBe(415);
  });

  it('GraphiQL still opens in a browser (a page load cannot carry the header)', async () => {
    const page = await raw(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('deskgraph');
  });
});

describe('CSRF_PREVENTION=false', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { auth: testAuthConfig({ csrfPrevention: false }) } });
  });
  afterAll(() => server?.close());

  it('answers a GET without the header', async () => {
    const ok = await raw(getUrl(server, '{ viewer { id } }'), { headers: { accept: 'application/json' } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ data: { viewer: null }, extensions: expect.anything() });
  });
});

describe('CORS', () => {
  describe('default (CORS_ORIGINS=*): any origin, never credentials', () => {
    let server: TestServer;
    let agent: string;
    beforeAll(async () => {
      server = await startTestServer();
      agent = await server.login('agent@acme.test');
    });
    afterAll(() => server?.close());

    it('reflects the origin without Access-Control-Allow-Credentials, on an executed request and on a cache hit', async () => {
      const init = {
        headers: { authorization: `Bearer ${agent}`, accept: 'application/json', origin: 'https://anywhere.example', [CSRF_HEADER]: '1' },
      };
      const first = await raw(getUrl(server), init);
      const hit = await raw(getUrl(server), init);
      expect(hit.json().extensions.responseCache.hit).toBe(true);
      for (const response of [first, hit]) {
        expect(response.status).toBe(200);
        expect(response.headers['access-control-allow-origin']).toBe('https://anywhere.example');
        expect(response.headers['access-control-allow-credentials']).toBeUndefined();
        expect(response.headers['access-control-expose-headers']).toBe('Retry-After');
        expect(response.headers.vary).toContain('Origin');
      }
    });
  });

  describe('CORS_ORIGINS=https://desk.example.com,https://admin.example.com', () => {
    let server: TestServer;
    let agent: string;
    const allowed = 'https://desk.example.com';
    const refused = 'https://evil.example';
    beforeAll(async () => {
      server = await startTestServer({ config: { auth: testAuthConfig({ corsOrigins: [allowed, 'https://admin.example.com'] }) } });
      agent = await server.login('agent@acme.test');
    });
    afterAll(() => server?.close());

    it('answers a preflight from a listed origin, allowing the headers the client sends', async () => {
      const preflight = await raw(server.url, {
        method: 'OPTIONS',
        headers: {
          origin: allowed,
          'access-control-request-method': 'GET',
          'access-control-request-headers': `authorization, ${CSRF_HEADER}`,
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(allowed);
      expect(preflight.headers['access-control-allow-headers']).toBe(`authorization, ${CSRF_HEADER}`);
      expect(preflight.headers['access-control-allow-methods']).toBe('GET');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('does not allow another origin, in its preflight or its responses', async () => {
      const preflight = await raw(server.url, {
        method: 'OPTIONS',
        headers: {
          origin: refused,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(preflight.headers['access-control-allow-origin']).not.toBe(refused);
      expect(preflight.headers['access-control-allow-origin']).toBe('null');
    });

    it('gives a cache hit the same headers as the executed request, for the listed and the other origin', async () => {
      const base = { authorization: `Bearer ${agent}`, accept: 'application/json', [CSRF_HEADER]: '1' };
      for (const origin of [allowed, refused]) {
        const first = await raw(getUrl(server, '{ viewer { id role } }'), { headers: { ...base, origin } });
        const hit = await raw(getUrl(server, '{ viewer { id role } }'), { headers: { ...base, origin } });
        expect(hit.json().extensions.responseCache.hit).toBe(true);
        for (const response of [first, hit]) {
          expect(response.headers['access-control-allow-origin']).toBe(origin === allowed ? allowed : 'null');
          expect(response.headers['access-control-allow-credentials']).toBeUndefined();
        }
      }
    });
  });

  it('CORS_ORIGINS is validated at start, naming the fix', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).auth.corsOrigins).toEqual([
      'https://a.example',
      'https://b.example:8443',
    ]);
    expect(loadConfig({}).auth.corsOrigins).toEqual(['*']);
    expect(() => loadConfig({ CORS_ORIGINS: 'desk.example.com/' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://desk.example.com/app' })).toThrow(/CORS_ORIGINS must be \* or a comma-separated list/);
  });
});

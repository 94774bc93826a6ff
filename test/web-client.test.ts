// The web client served by the API server (WEB_CLIENT=dist) and its endpoints (/vitals, /metrics as
// JSON), over real HTTP. client/dist is built by the global setup (ensureClientBuilt); asset names come
// from its Vite manifest.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import type { Database } from '../server/platform/database.ts';
import { createLogger } from '../server/platform/logger.ts';
import { CONTENT_SECURITY_POLICY } from '../server/web/static-client.ts';
import { startTestServer, testConfig, type TestServer } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'client', 'dist');

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => any;
}

/** node:http rather than fetch: fetch decodes bodies and hides what went over the wire. */
function raw(
  origin: string,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(pathname, origin), { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body,
          text: body.toString('utf8'),
          json: () => JSON.parse(body.toString('utf8')),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('web client (WEB_CLIENT=dist)', () => {
  let server: TestServer;
  let origin: string;
  let indexHtml: string;
  let entry: string;

  beforeAll(async () => {
    server = await startTestServer({ config: { web: { mode: 'dist', dir: DIST } } });
    origin = new URL(server.url).origin;
    indexHtml = readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const manifest = JSON.parse(readFileSync(path.join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
      string,
      { file: string; isEntry?: boolean }
    >;
    entry = `/${manifest['index.html']!.file}`;
  });
  afterAll(() => server?.close());

  it('serves index.html at / with a CSP, nosniff and no-cache', async () => {
    const res = await raw(origin, '/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toBe(indexHtml);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a browser navigation to a client route with index.html', async () => {
    for (const route of ['/tickets/VGlja2V0OjE=', '/dashboard', '/tickets?status=OPEN']) {
      const res = await raw(origin, route, { headers: html });
      expect(res.status, route).toBe(200);
      expect(res.text, route).toBe(indexHtml);
      expect(res.headers['content-security-policy'], route).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['cache-control'], route).toBe('no-cache');
    }
    const head = await raw(origin, '/dashboard', { method: 'HEAD', headers: html });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('does not answer non-HTML requests for unknown paths with index.html', async () => {
    const res = await raw(origin, '/dashboard', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(res.json().errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('serves hashed assets as immutable, precompressed per Accept-Encoding', async () => {
    const original = readFileSync(path.join(DIST, entry));
    const br = await raw(origin, entry, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['x-content-type-options']).toBe('nosniff');
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
    expect(br.body.length).toBeLessThan(original.length);

    const gzip = await raw(origin, entry, { headers: { 'accept-encoding': 'br;q=0, gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(original)).toBe(true);

    const identity = await raw(origin, entry);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(original)).toBe(true);
  });

  it('revalidates with a 304 that keeps the caching headers', async () => {
    const first = await raw(origin, '/', { headers: html });
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await raw(origin, '/', { headers: { ...html, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toBe('no-cache');
    expect(again.headers.vary).toMatch(/accept-encoding/i);
  });

  it('serves /sw.js for revalidation on every load', async () => {
    const res = await raw(origin, '/sw.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/javascript/);
  });

  it('answers a missing asset with 404, never index.html', async () => {
    for (const accept of [html.accept, '*/*']) {
      const res = await raw(origin, '/assets/nope.js', { headers: { accept } });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('<div id="root">');
    }
  });

  it('never serves dotfiles', async () => {
    for (const file of ['/.vite/manifest.json', '/.build-hash', '/%2Ebuild-hash', '/assets/../.build-hash']) {
      const res = await raw(origin, file, { headers: html });
      expect(res.status, file).toBe(404);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await raw(origin, '/', { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('keeps the API routes', async () => {
    const result = await server.gql('{ __typename }');
    expect(result.body.data).toEqual({ __typename: 'Query' });
    const graphiql = await raw(origin, '/graphql', { headers: html });
    expect(graphiql.status).toBe(200);
    expect(graphiql.text).toMatch(/graphiql/i);
    expect(graphiql.text).not.toBe(indexHtml);
    expect((await raw(origin, '/health')).json()).toEqual({ status: 'ok' });
  });

  describe('POST /vitals', () => {
    const entry = (overrides: Record<string, unknown> = {}) => ({
      name: 'LCP',
      value: 1234.5,
      rating: 'good',
      route: '/dashboard',
      ...overrides,
    });
    const post = (body: string | Buffer, contentType = 'text/plain;charset=UTF-8') =>
      raw(origin, '/vitals', { method: 'POST', headers: { 'content-type': contentType }, body });

    it('records a beacon and shows it in /metrics, as text and as JSON', async () => {
      const report = [
        entry({ route: '/tickets/VGlja2V0OjE=' }),
        entry({ name: 'CLS', value: 0.12, rating: 'needs-improvement', route: '/tickets/VGlja2V0OjE=' }),
        entry({ name: 'INP', value: 80, route: '/somewhere-else' }),
      ];
      expect((await post(JSON.stringify(report))).status).toBe(204);
      expect((await post(JSON.stringify([entry({ name: 'TTFB', value: 300 })]), 'application/json')).status).toBe(204);

      const text = await raw(origin, '/metrics');
      expect(text.headers['content-type']).toMatch(/^text\/plain/);
      expect(text.headers['cache-control']).toBe('no-store');
      expect(text.text).toContain('deskgraph_web_vitals_lcp_seconds_count{route="/tickets/:id",rating="good"} 1');
      expect(text.text).toContain('deskgraph_web_vitals_lcp_seconds_sum{route="/tickets/:id",rating="good"} 1.2345');
      expect(text.text).toContain('deskgraph_web_vitals_cls_sum{route="/tickets/:id",rating="needs-improvement"} 0.12');
      expect(text.text).toContain('deskgraph_web_vitals_inp_seconds_count{route="other",rating="good"} 1');
      expect(text.text).toContain('deskgraph_web_vitals_ttfb_seconds_sum{route="/dashboard",rating="good"} 0.3');

      const json = await raw(origin, '/metrics', { headers: { accept: 'application/json' } });
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.headers['cache-control']).toBe('no-store');
      const metrics = json.json() as {
        name: string;
        type: string;
        values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
      }[];
      const lcp = metrics.find((m) => m.name === 'deskgraph_web_vitals_lcp_seconds')!;
      expect(lcp.type).toBe('histogram');
      const sum = lcp.values.find((v) => v.metricName === 'deskgraph_web_vitals_lcp_seconds_sum' && v.labels.route === '/tickets/:id');
      expect(sum).toMatchObject({ value: 1.2345, labels: { route: '/tickets/:id', rating: 'good' } });
      // The panel's inputs are there too.
      expect(metrics.map((m) => m.name)).toEqual(
        expect.arrayContaining(['deskgraph_request_duration_seconds', 'deskgraph_sql_statements', 'deskgraph_cache_hits_total']),
      );
    });

    it('refuses malformed reports with BAD_USER_INPUT naming the problem', async () => {
      const cases: [string, string, RegExp][] = [
        ['bad JSON', '[{"name":', /not valid JSON/],
        ['NaN', '[{"name":"LCP","value":NaN,"rating":"good","route":"/"}]', /not valid JSON/],
        ['a wrong name', JSON.stringify([entry({ name: 'FID' })]), /entry 0: name must be one of LCP, INP, CLS, FCP, TTFB/],
        ['a negative value', JSON.stringify([entry(), entry({ value: -1 })]), /entry 1: value must be 0 or more/],
        ['a string value', JSON.stringify([entry({ value: 'NaN' })]), /value must be a finite number/],
        ['an infinite value', '[{"name":"LCP","value":1e999,"rating":"good","route":"/"}]', /value must be a finite number/],
        ['a wrong rating', JSON.stringify([entry({ rating: 'great' })]), /rating must be good, needs-improvement or poor/],
        ['no route', JSON.stringify([{ name: 'LCP', value: 1, rating: 'good' }]), /route must be a string/],
        ['an object', JSON.stringify(entry()), /JSON array/],
        ['no entries', '[]', /at least one entry/],
        ['21 entries', JSON.stringify(Array.from({ length: 21 }, () => entry())), /at most 20 entries/],
        ['an empty body', '', /not valid JSON/],
      ];
      for (const [what, body, message] of cases) {
        const res = await post(body);
        expect(res.status, what).toBe(400);
        const error = res.json().errors[0];
        expect(error.extensions.code, what).toBe('BAD_USER_INPUT');
        expect(error.message, what).toMatch(message);
      }
      // Nothing of a refused report was recorded.
      expect((await raw(origin, '/metrics')).text).not.toContain('rating="great"');
    });

    it('refuses bodies over 8 KB with 413', async () => {
      const big = JSON.stringify([entry({ route: `/${'x'.repeat(9 * 1024)}` })]);
      const res = await post(big);
      expect(res.status).toBe(413);
      expect(res.json().errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('accepts only POST', async () => {
      const res = await raw(origin, '/vitals');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
    });
  });
});

describe('web client off (WEB_CLIENT=off)', () => {
  let server: TestServer;
  let origin: string;
  beforeAll(async () => {
    server = await startTestServer();
    origin = new URL(server.url).origin;
  });
  afterAll(() => server?.close());

  it('redirects / to GraphiQL and answers other paths with a JSON 404', async () => {
    const root = await raw(origin, '/', { headers: html });
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/graphql');
    const other = await raw(origin, '/dashboard', { headers: html });
    expect(other.status).toBe(404);
    expect(other.json().errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('a missing build', () => {
  it('stops the server at start, naming the fix', () => {
    const config = testConfig({ web: { mode: 'dist', dir: path.join(ROOT, 'client', 'no-such-dist') } });
    expect(() => createApp({ config, database: {} as Database, logger: createLogger(config) })).toThrow(
      /no-such-dist does not exist\. Run `npm run client:build`/,
    );
  });
});

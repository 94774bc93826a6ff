import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPRESSION_MAX_BUFFER_BYTES,
  COMPRESSION_MIN_BYTES,
  compressBody,
  compressNodeResponse,
  encodedVariant,
  varyAcceptEncoding,
  type EncodableEntry,
} from './compression.ts';

function jsonOf(bytes: number): string {
  const items: unknown[] = [];
  let text = '';
  for (let i = 0; text.length < bytes; i++) {
    items.push({ id: `T${i}`, title: `Ticket number ${i}`, status: i % 3 ? 'OPEN' : 'CLOSED', tags: ['billing', `t${i % 7}`] });
    text = JSON.stringify({ data: { tickets: items } });
  }
  return text;
}

describe('varyAcceptEncoding', () => {
  it.each([
    [undefined, 'Accept-Encoding'],
    ['', 'Accept-Encoding'],
    ['Origin', 'Origin, Accept-Encoding'],
    ['Origin, accept-encoding', 'Origin, accept-encoding'],
    ['Accept-Encoding', 'Accept-Encoding'],
    ['*', '*'],
  ])('%j → %j', (existing, expected) => expect(varyAcceptEncoding(existing)).toBe(expected));
});

describe('compressBody / encodedVariant', () => {
  const body = Buffer.from(jsonOf(6_500));

  it('compresses both ways and decodes back exactly', () => {
    const br = compressBody(body, 'br')!;
    const gz = compressBody(body, 'gzip')!;
    expect(br.length).toBeLessThan(body.length / 3);
    expect(gz.length).toBeLessThan(body.length / 3);
    expect(brotliDecompressSync(br).equals(body)).toBe(true);
    expect(gunzipSync(gz).equals(body)).toBe(true);
  });

  it('leaves bodies below the threshold alone', () => {
    expect(compressBody(Buffer.alloc(COMPRESSION_MIN_BYTES - 1, 'a'), 'br')).toBeNull();
    expect(compressBody(Buffer.alloc(COMPRESSION_MIN_BYTES, 'a'), 'gzip')).not.toBeNull();
  });

  it('compresses an entry once per coding, keeps it on the entry and reports the added bytes', () => {
    const entry: EncodableEntry = { bytes: body };
    const first = encodedVariant(entry, 'br')!;
    expect(first.addedBytes).toBe(first.body.length);
    expect(entry.encoded?.br).toBe(first.body);
    const again = encodedVariant(entry, 'br')!;
    expect(again).toEqual({ body: first.body, addedBytes: 0 });
    const gz = encodedVariant(entry, 'gzip')!;
    expect(gz.addedBytes).toBe(gz.body.length);
    expect(gunzipSync(gz.body).equals(body)).toBe(true);
    expect(Object.keys(entry.encoded!).sort()).toEqual(['br', 'gzip']);
  });

  it('compresses the body actually sent when given one, and nothing when too small', () => {
    const sent = Buffer.concat([body, Buffer.from(' ')]);
    const entry: EncodableEntry = { bytes: body };
    expect(brotliDecompressSync(encodedVariant(entry, 'br', sent)!.body).equals(sent)).toBe(true);
    const small: EncodableEntry = { bytes: Buffer.from('{"data":{}}') };
    expect(encodedVariant(small, 'gzip')).toBeNull();
    expect(small.encoded).toBeUndefined();
  });
});

describe('compressNodeResponse', () => {
  const big = jsonOf(6_500);
  const small = '{"data":{"ok":true}}';
  const huge = 'x'.repeat(COMPRESSION_MAX_BUFFER_BYTES + 100_000);
  let releaseEvents: () => void = () => {};
  const eventsReleased = new Promise<void>((resolve) => (releaseEvents = resolve));

  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { items(n: Int!): [String!]! }',
      resolvers: { Query: { items: (_: unknown, { n }: { n: number }) => Array.from({ length: n }, (_, i) => `item number ${i}`) } },
    }),
    logging: false,
  });

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> = {
    '/writehead': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(big) }).end(big);
    },
    '/writehead-array': (_req, res) => {
      res.setHeader('vary', 'Origin');
      res.writeHead(201, 'Made', ['content-type', 'application/graphql-response+json', 'set-cookie', 'a=1', 'set-cookie', 'b=2']);
      res.end(big);
    },
    '/progressive': (_req, res) => {
      res.statusCode = 200;
      res.setHeader('content-type', 'application/graphql-response+json; charset=utf-8');
      res.setHeader('vary', ['Origin', 'Authorization']);
      res.setHeader('etag', '"v1"');
      const bytes = Buffer.from(big);
      const third = Math.floor(bytes.length / 3);
      res.write(bytes.subarray(0, third));
      res.write(new Uint8Array(bytes.subarray(third, 2 * third)));
      res.end(bytes.subarray(2 * third).toString('latin1'), 'latin1');
    },
    '/yoga-style': async (_req, res) => {
      // How @whatwg-node/server sends a buffered response: setHeaders, writeHead with a reason, one
      // write honoring backpressure, end(null, null, null).
      res.setHeaders(new Headers({ 'content-type': 'application/json; charset=utf-8' }) as unknown as Map<string, string>);
      res.writeHead(200, 'OK');
      if (!res.write(Buffer.from(big))) await new Promise((resolve) => res.once('drain', resolve));
      (res.end as (...args: unknown[]) => void)(null, null, null);
    },
    '/small': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(small);
    },
    '/sse': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${big}\n\n`);
      await eventsReleased; // the first event must reach the client before the response ends
      res.end('data: done\n\n');
    },
    '/encoded': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(Buffer.from(big));
    },
    '/png': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(big));
    },
    '/not-modified': (_req, res) => {
      res.writeHead(304, { 'content-type': 'application/json' }).end();
    },
    '/no-content': (_req, res) => {
      res.writeHead(204).end();
    },
    '/implicit': (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(big, () => {});
    },
    '/huge': (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      for (let i = 0; i < huge.length; i += 256 * 1024) res.write(huge.slice(i, i + 256 * 1024));
      res.end();
    },
    '/ended': (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(big);
      compressNodeResponse(req, res);
    },
    '/graphql': (req, res) => yoga.handle(req, res),
  };

  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path !== '/ended') {
        compressNodeResponse(req, res);
        compressNodeResponse(req, res); // a second call changes nothing
      }
      void routes[path]!(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    releaseEvents();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  interface Raw {
    status: number;
    statusMessage: string;
    headers: IncomingHttpHeaders;
    body: Buffer;
  }

  // node:http rather than fetch: fetch decodes bodies itself, and we want the bytes on the wire.
  function get(path: string, acceptEncoding: string | null, method = 'GET'): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (acceptEncoding !== null) headers['accept-encoding'] = acceptEncoding;
      request(`${base}${path}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, statusMessage: res.statusMessage!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  }

  function decoded(raw: Raw): string {
    const coding = raw.headers['content-encoding'];
    if (coding === 'br') return brotliDecompressSync(raw.body).toString();
    if (coding === 'gzip') return gunzipSync(raw.body).toString();
    expect(coding).toBeUndefined();
    return raw.body.toString();
  }

  function expectCompressed(raw: Raw, coding: 'br' | 'gzip', text: string): void {
    expect(raw.headers['content-encoding']).toBe(coding);
    expect(raw.headers['content-length']).toBe(String(raw.body.length));
    expect(raw.headers['transfer-encoding']).toBeUndefined();
    expect(raw.body.length).toBeLessThan(Buffer.byteLength(text) / 3);
    expect(decoded(raw)).toBe(text);
  }

  it('compresses writeHead + end, replacing the content-length', async () => {
    const br = await get('/writehead', 'gzip, deflate, br');
    expectCompressed(br, 'br', big);
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('application/json; charset=utf-8');
    expectCompressed(await get('/writehead', 'gzip'), 'gzip', big);
  });

  it('keeps writeHead array headers, repeated ones and the reason phrase, and merges Vary', async () => {
    const raw = await get('/writehead-array', 'br');
    expectCompressed(raw, 'br', big);
    expect(raw.status).toBe(201);
    expect(raw.statusMessage).toBe('Made');
    expect(raw.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(raw.headers.vary).toBe('Origin, Accept-Encoding');
  });

  it('compresses setHeader + write + end with mixed chunk types, and weakens a strong ETag', async () => {
    const raw = await get('/progressive', 'gzip;q=1, br;q=0.5');
    expectCompressed(raw, 'gzip', big);
    expect(raw.headers.vary).toBe('Origin, Authorization, Accept-Encoding');
    expect(raw.headers.etag).toBe('W/"v1"');
  });

  it('compresses what @whatwg-node/server writes, and a real yoga response', async () => {
    expectCompressed(await get('/yoga-style', 'br'), 'br', big);
    const raw = await get(`/graphql?query=${encodeURIComponent('{ items(n: 200) }')}`, 'br, gzip');
    const text = decoded(raw);
    expect(raw.headers['content-encoding']).toBe('br');
    expect(JSON.parse(text).data.items).toHaveLength(200);
    // And a client that decodes by itself sees the original.
    const viaFetch = await fetch(`${base}/graphql?query=${encodeURIComponent('{ items(n: 200) }')}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(viaFetch.headers.get('content-encoding')).toBe('gzip');
    expect(await viaFetch.text()).toBe(text);
  });

  it('sends a small body as it is, with a content-length and Vary', async () => {
    const raw = await get('/small', 'br');
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.headers['content-length']).toBe(String(small.length));
    expect(raw.headers.vary).toBe('Accept-Encoding');
    expect(raw.body.toString()).toBe(small);
  });

  it('compresses an implicit-header response (setHeader + end only)', async () => {
    expectCompressed(await get('/implicit', 'br'), 'br', big);
  });

  it('passes an event stream through as it is written', async () => {
    const response = await fetch(`${base}/sse`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.endsWith('\n\n')) seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toBe(`data: ${big}\n\n`); // arrived while the handler was still waiting
    releaseEvents();
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(seen).toBe(`data: ${big}\n\ndata: done\n\n`);
  });

  it('leaves responses alone that are already encoded, not compressible, or without a body', async () => {
    const encoded = await get('/encoded', 'br');
    expect(encoded.headers['content-encoding']).toBe('gzip');
    expect(encoded.body.toString()).toBe(big);
    const png = await get('/png', 'br');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.body.toString()).toBe(big);
    const notModified = await get('/not-modified', 'br');
    expect([notModified.status, notModified.headers['content-encoding'], notModified.body.length]).toEqual([304, undefined, 0]);
    const noContent = await get('/no-content', 'br');
    expect([noContent.status, noContent.headers['content-encoding'], noContent.body.length]).toEqual([204, undefined, 0]);
  });

  it('sends identity when the client asks for it or accepts nothing we offer', async () => {
    for (const accept of [null, '', 'identity', 'deflate', 'br;q=0, gzip;q=0']) {
      const raw = await get('/writehead', accept);
      expect(raw.headers['content-encoding']).toBeUndefined();
      expect(raw.headers['content-length']).toBe(String(Buffer.byteLength(big)));
      expect(raw.body.toString()).toBe(big);
    }
  });

  it('answers HEAD as node would, without content-encoding', async () => {
    const raw = await get('/writehead', 'br', 'HEAD');
    expect(raw.status).toBe(200);
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.headers['content-length']).toBe(String(Buffer.byteLength(big)));
    expect(raw.body.length).toBe(0);
  });

  it('does nothing to a response that has already ended', async () => {
    const raw = await get('/ended', 'br');
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.body.toString()).toBe(big);
  });

  it('stops holding a body that outgrows the buffer limit and sends it as it is', async () => {
    const raw = await get('/huge', 'br');
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.headers.vary).toBe('Accept-Encoding');
    expect(raw.body.length).toBe(huge.length);
    expect(raw.body.toString() === huge).toBe(true);
  });
});

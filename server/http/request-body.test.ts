// readBody on a real node:http server, fed by a raw socket so the test decides how the bytes arrive.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, type BodyRead } from './request-body.ts';

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that reads each body with a limit of `maxBytes` and answers with its length (or 413). */
async function bodyServer(maxBytes: number): Promise<{ port: number; seen: BodyRead[] }> {
  const seen: BodyRead[] = [];
  server = createServer((req: IncomingMessage, res) => {
    readBody(req, maxBytes).then(
      (body) => {
        seen.push(body);
        const answer = body.kind === 'read' ? String(body.raw.length) : body.kind;
        res.writeHead(body.kind === 'too-large' ? 413 : 200, { 'content-type': 'text/plain', 'content-length': answer.length });
        res.end(answer);
      },
      (error: unknown) => res.destroy(error as Error),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, seen };
}

/** Writes `parts` on one connection, 30 ms apart, and returns what came back once `responses` answers arrived. */
function exchange(port: number, parts: string[], responses: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if ((text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === responses && /\r\n\r\n\S+$/.test(text)) {
        socket.end();
        resolve(text);
      }
    });
    socket.on('error', reject);
    parts.forEach((part, i) => setTimeout(() => socket.write(part), i * 30));
  });
}

const post = (headers: string) => `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n`;

describe('readBody', () => {
  it('reads a body that came in parts', async () => {
    const { port, seen } = await bodyServer(1024);
    const body = '{"query":"{ viewer { id } }"}';
    const text = await exchange(port, [post(`Content-Length: ${body.length}\r\n`) + body.slice(0, 10), body.slice(10)], 1);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(seen).toEqual([{ kind: 'read', raw: Buffer.from(body) }]);
  });

  it('reads a chunked body, which declares no length', async () => {
    const { port, seen } = await bodyServer(1024);
    const text = await exchange(port, [post('Transfer-Encoding: chunked\r\n') + '3\r\n{"a\r\n', '4\r\n":1}\r\n0\r\n\r\n'], 1);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(seen).toEqual([{ kind: 'read', raw: Buffer.from('{"a":1}') }]);
  });

  it('past the limit: too-large, declared or counted, and the kept-alive connection still serves the next request', async () => {
    const { port, seen } = await bodyServer(8);
    const declared = post('Content-Length: 9\r\n') + '123456789';
    const chunked = post('Transfer-Encoding: chunked\r\n') + '5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n';
    const small = post('Content-Length: 2\r\n') + '{}';
    const text = await exchange(port, [declared, chunked, small], 3);
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 413', 'HTTP/1.1 200']);
    expect(seen.map((body) => body.kind)).toEqual(['too-large', 'too-large', 'read']);
  });

  it('a method without a body has none to read', async () => {
    const { port, seen } = await bodyServer(8);
    await exchange(port, ['GET /graphql HTTP/1.1\r\nHost: x\r\n\r\n'], 1);
    expect(seen).toEqual([{ kind: 'none' }]);
  });
});

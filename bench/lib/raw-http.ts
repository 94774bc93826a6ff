// One HTTP/1.1 exchange on a raw TCP socket, for counting bytes on the wire exactly: the request is
// written byte for byte as built here (request line, headers in this order, body), and the response is
// counted as it comes off the socket (status line, headers, body with its chunk framing if any).
import { connect } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FixedRequest } from './load-jobs.ts';

export interface RawRequest {
  method: 'GET' | 'POST';
  /** Path and query string, as sent. */
  target: string;
  /** In the order sent; content-length is added for a body. */
  headers: [string, string][];
  body?: string;
}

export interface RawResponse {
  status: number;
  /** By lower-case name; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Header names in the order received, as received. */
  headerNames: string[];
  /** Status line + headers + the blank line. */
  headBytes: number;
  /** Everything read for this response (head + body, chunk framing included). */
  wireBytes: number;
  /** The body without chunk framing, still content-encoded. */
  body: Buffer;
  /** The body decoded (br, gzip) when content-encoding says so. */
  decoded: Buffer;
}

/** A load-generator request as sent on a raw socket, where the Host header is ours to write. */
export function toRawRequest(port: number, request: FixedRequest): RawRequest {
  return {
    method: request.method,
    target: request.path,
    headers: [['host', `127.0.0.1:${port}`] as [string, string], ...Object.entries(request.headers)],
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}

/** A raw request for autocannon, which writes Host, Connection and Content-Length itself. */
export function toFixedRequest(request: RawRequest): FixedRequest {
  return {
    method: request.method,
    path: request.target,
    headers: Object.fromEntries(request.headers.filter(([name]) => name !== 'host')),
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}

/** The exact bytes of a request. */
export function serializeRequest(request: RawRequest): Buffer {
  const body = request.body === undefined ? null : Buffer.from(request.body, 'utf8');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, ...request.headers.map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

/** Where the response ends in `data` (bytes from its start), or null when more is needed. */
function responseEnd(data: Buffer, method: string): { end: number; headEnd: number; body: Buffer } | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const bodyStart = headEnd + 4;
  const head = data.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
  if (method === 'HEAD' || status === 304 || status === 204 || (status >= 100 && status < 200))
    return { end: bodyStart, headEnd: bodyStart, body: Buffer.alloc(0) };
  if (chunked) {
    const parts: Buffer[] = [];
    let pos = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', pos);
      if (lineEnd < 0) return null;
      const size = parseInt(data.subarray(pos, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
      if (!Number.isFinite(size)) throw new Error(`bad chunk size line: ${data.subarray(pos, lineEnd).toString('latin1')}`);
      if (size === 0) {
        // Trailers (none expected) end with an empty line.
        const trailerEnd = data.indexOf('\r\n', lineEnd + 2);
        if (trailerEnd < 0) return null;
        if (trailerEnd !== lineEnd + 2) {
          const end = data.indexOf('\r\n\r\n', lineEnd);
          return end < 0 ? null : { end: end + 4, headEnd: bodyStart, body: Buffer.concat(parts) };
        }
        return { end: trailerEnd + 2, headEnd: bodyStart, body: Buffer.concat(parts) };
      }
      if (data.length < lineEnd + 2 + size + 2) return null;
      parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
  }
  if (lengthMatch) {
    const end = bodyStart + Number(lengthMatch[1]);
    return data.length < end ? null : { end, headEnd: bodyStart, body: data.subarray(bodyStart, end) };
  }
  return null; // read until close
}

/** Sends `request` on a new connection to 127.0.0.1:port and reads one response. */
export function exchange(port: number, request: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const raw = serializeRequest(request);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | null, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms (${data.length} bytes read)`)), timeoutMs);
    const complete = (found: { end: number; headEnd: number; body: Buffer }) => {
      if (data.length > found.end) return finish(new Error(`${data.length - found.end} bytes after the end of the response`));
      const lines = data
        .subarray(0, found.headEnd - 4)
        .toString('latin1')
        .split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      const headerNames: string[] = [];
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        const value = line.slice(colon + 1).trim();
        headerNames.push(name);
        const key = name.toLowerCase();
        headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
      }
      const body = Buffer.from(found.body);
      let decoded = body;
      try {
        if (headers['content-encoding'] === 'br') decoded = brotliDecompressSync(body);
        else if (headers['content-encoding'] === 'gzip') decoded = gunzipSync(body);
      } catch (error) {
        return finish(
          new Error(`cannot decode the ${headers['content-encoding']} body: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
      finish(null, { status, headers, headerNames, headBytes: found.headEnd, wireBytes: found.end, body, decoded });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      try {
        const found = responseEnd(data, request.method);
        if (found) complete(found);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('end', () => {
      // A response without a length ends with the connection.
      const headEnd = data.indexOf('\r\n\r\n');
      const framed = headEnd >= 0 && /\r\n(content-length|transfer-encoding):/i.test(data.subarray(0, headEnd).toString('latin1'));
      if (headEnd >= 0 && !framed) complete({ end: data.length, headEnd: headEnd + 4, body: data.subarray(headEnd + 4) });
      else finish(new Error(`connection closed after ${data.length} bytes, before the end of the response`));
    });
    socket.on('error', (error) => finish(error));
    socket.write(raw);
  });
}

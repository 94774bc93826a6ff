// Response compression (the coding is negotiated in negotiation.ts), for both ways a response leaves the server:
// the cache fast path, which holds the whole body as a Buffer (and can keep the compressed form on the
// cache entry), and yoga, which writes into a node ServerResponse that we wrap before it starts.
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { etagForEncoded } from './caching-headers.ts';
import { contentCoding, type ContentCoding } from './negotiation.ts';

/** Bodies smaller than this go out as they are: below about a TCP segment, the saved bytes do not pay for the CPU. */
export const COMPRESSION_MIN_BYTES = 1024;

/**
 * A response still buffered past this size is sent uncompressed as it comes: compressing it in one
 * synchronous call would block the event loop for too long, and a body that keeps growing may be a
 * stream that never ends.
 */
export const COMPRESSION_MAX_BUFFER_BYTES = 4 * 1024 * 1024;

/** The body compressed with `encoding`, or null when it is too small to be worth it (send it as it is). */
export function compressBody(body: Buffer, encoding: ContentCoding): Buffer | null {
  if (body.length < COMPRESSION_MIN_BYTES) return null;
  if (encoding === 'gzip') return gzipSync(body, { level: 6 });
  return brotliCompressSync(body, {
    params: {
      // Quality 5 keeps per-response cost near gzip's for a clearly smaller result; 11 is for static assets.
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

export type EncodedVariants = Partial<Record<ContentCoding, Buffer>>;

/** What `encodedVariant` needs of a cache entry (l1-cache's CachedResponse, once it has the `encoded` field). */
export interface EncodableEntry {
  readonly bytes: Buffer;
  /** Compressed forms of the body sent for this entry, filled in on first use, one per coding. */
  encoded?: EncodedVariants;
}

export interface EncodedBody {
  body: Buffer;
  /** Bytes this call added to the entry (the new variant's length); 0 when it was already there. */
  addedBytes: number;
}

/**
 * The entry's body compressed with `encoding`, compressed once per entry and coding and kept on the
 * entry; null when the body is too small to compress (send it as it is).
 *
 * `body` is what is actually sent when that is not `entry.bytes` itself. It must be the same for
 * every call on one entry (for instance entry.bytes plus extensions fixed by the process' config),
 * since the first compressed form is kept and served from then on.
 *
 * The kept variants grow the entry by `addedBytes`; a size-bounded cache that measured the entry
 * when it was stored does not see this unless the caller accounts for it.
 */
export function encodedVariant(entry: EncodableEntry, encoding: ContentCoding, body: Buffer = entry.bytes): EncodedBody | null {
  const kept = entry.encoded?.[encoding];
  if (kept) return { body: kept, addedBytes: 0 };
  const compressed = compressBody(body, encoding);
  if (!compressed) return null;
  (entry.encoded ??= {})[encoding] = compressed;
  return { body: compressed, addedBytes: compressed.length };
}

/** The Vary value to send with a response whose encoding was negotiated, given the one already set. */
export function varyAcceptEncoding(existing: string | undefined): string {
  if (!existing || !existing.trim()) return 'Accept-Encoding';
  for (const field of existing.split(',')) {
    const name = field.trim().toLowerCase();
    if (name === '*' || name === 'accept-encoding') return existing;
  }
  return `${existing}, Accept-Encoding`;
}

const COMPRESSIBLE = new Set(['application/json', 'application/graphql-response+json', 'application/javascript', 'image/svg+xml']);

function compressibleType(contentType: OutgoingHttpHeader | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  // Event streams are written event by event and must reach the client as they are written.
  if (type.startsWith('text/')) return type !== 'text/event-stream';
  return COMPRESSIBLE.has(type);
}

function headerText(value: OutgoingHttpHeader | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

const WRAPPED = Symbol('deskgraph.compression');

type Patched = 'writeHead' | 'write' | 'end' | 'flushHeaders';
type Callback = (error?: Error | null) => void;

/**
 * Makes what is written to `res` from now on go out compressed when that is worth it. Call it before
 * anything is written (for yoga: before `yoga.handle(req, res, ...)`); it does nothing when the
 * response has started, the request is HEAD or the client accepts neither br nor gzip.
 *
 * Compressed: responses with a compressible content type (JSON, GraphQL response JSON, text/* other
 * than event streams, JavaScript, SVG), a status other than 1xx/204/206/304 and no content-encoding
 * of their own. Their body is held until end() (or COMPRESSION_MAX_BUFFER_BYTES), then sent
 * compressed with content-encoding, Vary: Accept-Encoding and a content-length, or as it is when
 * shorter than COMPRESSION_MIN_BYTES. Anything else (event streams, multipart, images) passes through
 * untouched as it is written.
 */
export function compressNodeResponse(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'HEAD' || res.headersSent || res.writableEnded) return;
  const target = res as ServerResponse & { [WRAPPED]?: true };
  if (target[WRAPPED]) return;
  const encoding = contentCoding(headerText(req.headers['accept-encoding']));
  if (!encoding) return;
  target[WRAPPED] = true;

  // Own properties shadow ServerResponse.prototype; deleting them gives node's methods back, which
  // then see the headers and status we kept on `res` exactly as if they had been set directly.
  const own = res as unknown as Record<Patched, unknown>;
  let buffering = false;
  let chunks: Buffer[] = [];
  let size = 0;

  const restore = (): void => {
    delete own.writeHead;
    delete own.write;
    delete own.end;
    delete own.flushHeaders;
  };

  // Decided when the headers would have gone out (writeHead, or the first write/end without it).
  const startBuffering = (): boolean => {
    const status = res.statusCode;
    const eligible =
      status >= 200 &&
      status !== 204 &&
      status !== 206 &&
      status !== 304 &&
      !res.hasHeader('content-encoding') &&
      compressibleType(res.getHeader('content-type') as OutgoingHttpHeader | undefined);
    if (!eligible) {
      restore();
      return false;
    }
    // Whether this body ends up compressed depends on Accept-Encoding, so caches must key on it even
    // when this particular answer goes out as it is.
    res.setHeader('vary', varyAcceptEncoding(headerText(res.getHeader('vary') as OutgoingHttpHeader | undefined)));
    buffering = true;
    return true;
  };

  // Gives up on compressing: what was held goes out first, the rest is written through.
  const passThrough = (): boolean => {
    restore();
    const held = chunks;
    chunks = [];
    size = 0;
    let ready = true;
    for (const chunk of held) ready = res.write(chunk);
    return ready;
  };

  const hold = (chunk: unknown, encodingArg: unknown): void => {
    if (chunk == null) return;
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encodingArg === 'string' ? (encodingArg as BufferEncoding) : 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : ArrayBuffer.isView(chunk)
            ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
            : null;
    if (!buffer) throw new TypeError('compressNodeResponse: a chunk must be a string, a Buffer or a typed array');
    if (buffer.length === 0) return;
    chunks.push(buffer);
    size += buffer.length;
  };

  own.writeHead = function writeHead(statusCode: number, reason?: unknown, headers?: unknown): ServerResponse {
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) {
      restore(); // node's own writeHead reports the bad status as usual
      return res.writeHead(statusCode, reason as string, headers as OutgoingHttpHeaders);
    }
    if (typeof reason === 'string') res.statusMessage = reason;
    else headers ??= reason;
    res.statusCode = statusCode;
    // The same merge node does when writeHead meets headers set earlier with setHeader: array pairs
    // replace same-named headers but may repeat among themselves, object keys are set one by one.
    if (Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i += 2) res.removeHeader(String(headers[i]));
      for (let i = 0; i + 1 < headers.length; i += 2) res.appendHeader(String(headers[i]), headers[i + 1] as string | string[]);
    } else if (headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) if (value !== undefined) res.setHeader(name, value);
    }
    if (!buffering && !startBuffering()) return res.writeHead(res.statusCode);
    return res;
  };

  own.write = function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    if (!buffering && !startBuffering()) return res.write(chunk as string, encodingOrCallback as BufferEncoding, callback as Callback);
    hold(chunk, encodingOrCallback);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') process.nextTick(done as Callback);
    if (size > COMPRESSION_MAX_BUFFER_BYTES) return passThrough();
    // Held chunks cost no socket buffer: asking the writer to wait for 'drain' would stall it for good.
    return true;
  };

  own.end = function end(chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown): ServerResponse {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    } else if (typeof encodingOrCallback === 'function') {
      callback = encodingOrCallback;
      encodingOrCallback = undefined;
    }
    const done = typeof callback === 'function' ? (callback as () => void) : undefined;
    if (!buffering && !startBuffering()) return res.end(chunk as string, encodingOrCallback as BufferEncoding, done);
    hold(chunk, encodingOrCallback);
    restore();
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    chunks = [];
    const compressed = compressBody(body, encoding);
    if (compressed) {
      res.setHeader('content-encoding', encoding);
      res.removeHeader('content-length');
      const etag = res.getHeader('etag');
      if (typeof etag === 'string') res.setHeader('etag', etagForEncoded(etag));
    }
    const sent = compressed ?? body;
    if (!res.hasHeader('content-length') && !res.hasHeader('transfer-encoding')) res.setHeader('content-length', sent.length);
    return res.end(sent, done);
  };

  own.flushHeaders = function flushHeaders(): void {
    // Whoever flushes headers early means to stream; a held body would defeat that.
    if (buffering) passThrough();
    else restore();
    res.flushHeaders();
  };
}

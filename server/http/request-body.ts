// Reads a POST body once, before GraphQL, within a size limit, so the cache-hit stage can look at it
// and oversized bodies are refused before anything parses them. The bytes are handed on to yoga as
// req.body, which yoga reads as if it had read them itself (parsed by server/protocol/graphql-params.ts).
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'read'; raw: Buffer } | { kind: 'none' } | { kind: 'too-large' };

type RequestWithBody = IncomingMessage & { body?: unknown };

const NONE: BodyRead = { kind: 'none' };
const TOO_LARGE: BodyRead = { kind: 'too-large' };

export function readBody(req: RequestWithBody, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => readBodyThen(req, maxBytes, resolve, reject));
}

/**
 * readBody with callbacks: `done` runs in the request's own 'end' callback (or at once when there is no
 * body to read), so a cache hit can be answered there, without a promise or a microtask in between.
 * Exactly one of `done` and `failed` runs, once.
 */
export function readBodyThen(req: RequestWithBody, maxBytes: number, done: (body: BodyRead) => void, failed: (error: Error) => void): void {
  if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return done(NONE);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) return done(TOO_LARGE);
  // Plain events rather than `for await` (the async iterator costs more than the small bodies it reads),
  // and callbacks passed inline: tsx names every function stored in a variable, per request.
  let chunks: Buffer[] | null = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (!chunks) return; // past the limit (chunked bodies declare no length): drained so a 413 can follow on a kept-alive connection
    size += chunk.length;
    if (size <= maxBytes) return void chunks.push(chunk);
    chunks = null;
    done(TOO_LARGE);
  });
  req.once('end', () => {
    if (!chunks) return;
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    chunks = null;
    req.body = raw;
    done({ kind: 'read', raw });
  });
  req.once('error', (error) => {
    if (!chunks) return;
    chunks = null;
    failed(error);
  });
}

// Reads a POST body once, before GraphQL, within a size limit, so the cache-hit stage can look at it
// and oversized bodies are refused before anything parses them. The bytes are handed on to yoga as
// req.body, which yoga reads as if it had read them itself (parsed by server/protocol/graphql-params.ts).
import type { IncomingMessage } from 'node:http';

export type BodyRead = { kind: 'read'; raw: Buffer } | { kind: 'none' } | { kind: 'too-large' };

export async function readBody(req: IncomingMessage & { body?: unknown }, maxBytes: number): Promise<BodyRead> {
  if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return { kind: 'none' };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) return { kind: 'too-large' };
  const raw = await collect(req, maxBytes);
  if (!raw) return { kind: 'too-large' };
  req.body = raw;
  return { kind: 'read', raw };
}

// Plain events rather than `for await`: this runs on every POST, and the async iterator costs more
// than the small bodies it reads. Resolves null once the limit is passed (chunked bodies declare no length).
function collect(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume(); // drain the rest so the 413 can be written on a keep-alive connection
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

// Reads a small JSON request body once, before GraphQL, so the fast path can look at it. The bytes are
// handed on to yoga as req.body, which yoga parses as if it had read them itself (a client's malformed
// JSON gets yoga's usual error).
import type { IncomingMessage } from 'node:http';

/** Bodies above this are left for yoga to read and refuse; the fast path only answers small requests. */
export const FAST_PATH_MAX_BODY_BYTES = 64 * 1024;

/** The body's text, or null when it is not a small JSON POST (then the stream is left untouched). */
export async function readSmallJsonBody(req: IncomingMessage & { body?: unknown }): Promise<string | null> {
  const type = req.headers['content-type'];
  if (req.method !== 'POST' || !type || !type.startsWith('application/json')) return null;
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!(length > 0 && length <= FAST_PATH_MAX_BODY_BYTES)) return null;
  const raw = await collect(req);
  req.body = raw;
  return raw.toString('utf8');
}

// Plain events rather than `for await`: this runs on every POST, and the async iterator costs more
// than the small bodies it reads.
function collect(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

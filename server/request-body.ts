// Reads a JSON request body once, before GraphQL, so the fast path can look at it. What it read is
// handed on to yoga as req.body (parsed, or the raw bytes when it is not valid JSON, so yoga reports
// the client's mistake in its usual way).
import type { IncomingMessage } from 'node:http';

/** Bodies above this are left for yoga to read and refuse; the fast path only answers small requests. */
export const FAST_PATH_MAX_BODY_BYTES = 64 * 1024;

export type ReadBody = { kind: 'json'; value: unknown } | { kind: 'raw' } | { kind: 'skipped' };

export async function readJsonBody(req: IncomingMessage & { body?: unknown }): Promise<ReadBody> {
  const type = req.headers['content-type'];
  if (req.method !== 'POST' || !type || !type.startsWith('application/json')) return { kind: 'skipped' };
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!(length > 0 && length <= FAST_PATH_MAX_BODY_BYTES)) return { kind: 'skipped' };
  const raw = await collect(req);
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    // yoga takes a non-empty object as the parsed body; anything else it re-reads from these bytes.
    req.body = value !== null && typeof value === 'object' && Object.keys(value).length > 0 ? value : raw;
    return { kind: 'json', value };
  } catch {
    req.body = raw;
    return { kind: 'raw' };
  }
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

// HTTP caching headers, one policy for every GraphQL GET, hit or miss: an ETag on every 200, 304 when
// If-None-Match matches, and Cache-Control from who may see the data. Responses are never given a
// positive max-age: no HTTP cache can be told about an invalidation, so a stored copy must be
// revalidated (no-cache) to stay as fresh as our own cache. A request without a token can only see
// what every viewer sees: public; with a token: private.
//
// An ETag names what a response says, so a miss and a hit of the same data get the same one: with
// CACHE_METADATA or EXPOSE_SQL_STATEMENT_COUNT on, the body also tells how it was made (hit or miss,
// statements run), which differs between the two. The tag is then of the result without those
// extensions, and weak: same meaning, other bytes (RFC 9110 §8.8.1). Without them it is strong.
import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';

function hashOf(bytes: Buffer | Uint8Array): string {
  return `"${createHash('sha1').update(bytes).digest('base64url')}"`;
}

/**
 * The ETag of a response whose result without diagnostics serializes to `meaning`; `withDiagnostics`
 * says whether the bytes sent carry them too.
 */
export function etagFor(meaning: Buffer | Uint8Array, withDiagnostics: boolean): string {
  return withDiagnostics ? `W/${hashOf(meaning)}` : hashOf(meaning);
}

// Extensions that tell how one answer was made, not what it says: the response cache's metadata and
// our SQL statement count.
const DIAGNOSTICS = ['responseCache', 'sqlStatements'];

/**
 * The result's JSON without its diagnostic extensions, as the response cache stores it; null when it
 * carries none (its body is then exactly what it says).
 */
export function bytesWithoutDiagnostics(result: ExecutionResult): Buffer | null {
  const extensions = result.extensions;
  if (!extensions || !DIAGNOSTICS.some((name) => name in extensions)) return null;
  const rest = Object.fromEntries(Object.entries(extensions).filter(([name]) => !DIAGNOSTICS.includes(name)));
  return Buffer.from(JSON.stringify({ ...result, extensions: Object.keys(rest).length ? rest : undefined }));
}

/** A strong validator names exact bytes, which an encoded body no longer are (RFC 9110 §8.8.3). */
export function etagForEncoded(etag: string): string {
  return etag.startsWith('"') ? `W/${etag}` : etag;
}

/** Weak comparison (RFC 9110 §13.1.2), as If-None-Match requires; `*` matches anything. */
export function ifNoneMatchHits(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}

export function cacheControlFor(hasToken: boolean): string {
  return hasToken ? 'private, no-cache' : 'public, no-cache';
}

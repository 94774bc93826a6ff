// HTTP caching headers, one policy for every GraphQL GET, hit or miss: an ETag on every 200, 304 when
// If-None-Match matches, and Cache-Control from who may see the data. Responses are never given a
// positive max-age: no HTTP cache can be told about an invalidation, so a stored copy must be
// revalidated (no-cache) to stay as fresh as our own cache. A request without a token can only see
// what every viewer sees: public; with a token: private.
import { createHash } from 'node:crypto';

export function etagOf(body: Buffer | Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
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

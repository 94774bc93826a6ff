// HTTP caching for GET: an ETag on every 200, 304 when If-None-Match matches, and Cache-Control from
// who may see the data. Responses are never given a positive max-age: no HTTP cache can be told about
// an invalidation, so a stored copy must be revalidated (no-cache) to stay as fresh as our own cache.
// A request without a token can only see what every viewer sees: public; with a token: private.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { varyAcceptEncoding } from './compression.ts';

export function etagOf(body: Buffer | Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
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

export function requestHasToken(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined;
}

// The yoga path (cache misses, and anything the fast path leaves alone): GET 200 responses get the
// same headers the fast path sends for hits.
export function useConditionalGet(): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || response.status !== 200) return;
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('application/json') && !type.startsWith('application/graphql-response+json')) return;
      return response.arrayBuffer().then((buffer) => {
        const body = new Uint8Array(buffer);
        const headers = new fetchAPI.Headers(response.headers);
        const etag = etagOf(body);
        headers.set('etag', etag);
        headers.set('cache-control', cacheControlFor(request.headers.has('authorization')));
        if (ifNoneMatchHits(request.headers.get('if-none-match'), etag)) {
          headers.delete('content-length');
          headers.delete('content-type');
          // The 200 would have varied by encoding (the compression wrapper adds it there); a 304 must say so too.
          if (request.headers.has('accept-encoding')) headers.set('vary', varyAcceptEncoding(headers.get('vary') ?? undefined));
          setResponse(new fetchAPI.Response(null, { status: 304, headers }));
        } else {
          setResponse(new fetchAPI.Response(body, { status: 200, headers }));
        }
      });
    },
  };
}

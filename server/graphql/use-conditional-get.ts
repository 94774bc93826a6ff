// Yoga's responses to GET (cache misses, and whatever the cache-hit stage leaves alone) get the
// caching headers of server/protocol/caching-headers.ts, as hits do: the same ETag for the same data
// whether it was executed or read from the cache, diagnostics or not.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { bytesWithoutDiagnostics, cacheControlFor, etagFor, ifNoneMatchHits } from '../protocol/caching-headers.ts';
import { varyAcceptEncoding } from '../protocol/compression.ts';
import { contentCoding } from '../protocol/negotiation.ts';

export function useConditionalGet(): Plugin {
  // Per GET whose result carries diagnostic extensions: that result without them, which the ETag is of.
  const meanings = new WeakMap<Request, Buffer>();
  return {
    onResultProcess({ request, result }) {
      if (request.method !== 'GET' || isAsyncIterable(result) || Array.isArray(result)) return;
      const meaning = bytesWithoutDiagnostics(result);
      if (meaning) meanings.set(request, meaning);
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || response.status !== 200) return;
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('application/json') && !type.startsWith('application/graphql-response+json')) return;
      const meaning = meanings.get(request);
      return response.arrayBuffer().then((buffer) => {
        const body = new Uint8Array(buffer);
        const headers = new fetchAPI.Headers(response.headers);
        const etag = meaning ? etagFor(meaning, true) : etagFor(body, false);
        headers.set('etag', etag);
        headers.set('cache-control', cacheControlFor(request.headers.has('authorization')));
        if (ifNoneMatchHits(request.headers.get('if-none-match'), etag)) {
          headers.delete('content-length');
          headers.delete('content-type');
          // The 200 would have varied by encoding (the compression wrapper adds it there); a 304 must say so too.
          if (contentCoding(request.headers.get('accept-encoding') ?? undefined))
            headers.set('vary', varyAcceptEncoding(headers.get('vary') ?? undefined));
          setResponse(new fetchAPI.Response(null, { status: 304, headers }));
        } else {
          setResponse(new fetchAPI.Response(body, { status: 200, headers }));
        }
      });
    },
  };
}

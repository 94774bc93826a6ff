// Yoga's responses to GET (cache misses, and whatever the cache-hit stage leaves alone) get the
// caching headers of server/protocol/caching-headers.ts, as hits do.
import type { Plugin } from 'graphql-yoga';
import { cacheControlFor, etagOf, ifNoneMatchHits } from '../protocol/caching-headers.ts';
import { varyAcceptEncoding } from '../protocol/compression.ts';
import { contentCoding } from '../protocol/negotiation.ts';

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

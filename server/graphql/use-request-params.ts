// Yoga reads GraphQL parameters with our parser (server/protocol/graphql-params.ts) for the requests the
// cache-hit stage also reads: GET query strings, JSON bodies and form bodies. Other bodies
// (application/graphql, multipart) stay with yoga's own parsers.
import type { Plugin } from 'graphql-yoga';
import { isFormBody, isJsonBody, paramsFromJson, paramsFromSearch } from '../protocol/graphql-params.ts';

type RequestParser = NonNullable<Parameters<NonNullable<Plugin['onRequestParse']>>[0]['requestParser']>;

const fromQueryString: RequestParser = (request) => {
  const q = request.url.indexOf('?');
  return paramsFromSearch(q < 0 ? '' : request.url.slice(q + 1));
};

// whatwg-node answers a body it already holds with a thenable that is not a native Promise.
const fromJsonBody: RequestParser = (request) => Promise.resolve(request.text()).then(paramsFromJson);
const fromFormBody: RequestParser = (request) => Promise.resolve(request.text()).then(paramsFromSearch);

export function useRequestParams(): Plugin {
  return {
    // After yoga's own plugins have chosen a parser by method and content type; this replaces it for ours.
    onRequestParse({ request, setRequestParser }) {
      if (request.method === 'GET') return setRequestParser(fromQueryString);
      if (request.method !== 'POST') return;
      const type = request.headers.get('content-type');
      if (isJsonBody(type)) setRequestParser(fromJsonBody);
      else if (isFormBody(type)) setRequestParser(fromFormBody);
    },
  };
}

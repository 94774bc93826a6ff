// The media type of a single GraphQL response is negotiated by server/protocol/negotiation.ts, the same
// function the cache-hit stage asks, so a hit and a miss of one request are sent as the same type.
// Streams (subscriptions, @defer) and clients that accept neither JSON type keep yoga's choice.
//
// The status code follows one rule whatever the media type: the one the GraphQL-over-HTTP spec gives
// application/graphql-response+json. A request error (unusable parameters, a document that does not
// parse or validate, variables that do not fit: nothing ran, the response has no `data`) is a 4xx; once
// the operation ran, the answer is 200 with its data, field errors included. For application/json the
// spec prefers 200 even for request errors (a legacy client may not read a 4xx body); yoga does that,
// we do not: the limits were 400 in both types already, and one table of codes (README "Errors") is
// easier to rely on than two. test/graphql-over-http.test.ts lists the spec's SHOULDs this departs from.
import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';
import { responseMediaType } from '../protocol/negotiation.ts';

type ResultProcessor = Parameters<Parameters<NonNullable<Plugin['onResultProcess']>>[0]['setResultProcessor']>[0];

// yoga decides the status for graphql-response+json (with its 4xx for request errors); the body is the
// same in both types, only Content-Type differs.
const asJson: ResultProcessor = (result, fetchAPI) => {
  const response = processRegularResult(result, fetchAPI, 'application/graphql-response+json');
  response.headers.set('content-type', 'application/json; charset=utf-8');
  return response;
};

export function useResponseMediaType(): Plugin {
  return {
    // Runs after yoga's own result processors (user plugins come last), so this choice stands.
    onResultProcess({ request, result, setResultProcessor }) {
      if (isAsyncIterable(result)) return;
      const type = responseMediaType(request.headers.get('accept') ?? undefined);
      if (type === 'application/json') setResultProcessor(asJson, type);
      else if (type) setResultProcessor(processRegularResult, type);
    },
  };
}

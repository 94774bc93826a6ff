// The media type of a single GraphQL response is negotiated by server/protocol/negotiation.ts, the same
// function the cache-hit stage asks, so a hit and a miss of one request are sent as the same type.
// Streams (subscriptions, @defer) and clients that accept neither JSON type keep yoga's choice.
import { isAsyncIterable, processRegularResult, type Plugin } from 'graphql-yoga';
import { responseMediaType } from '../protocol/negotiation.ts';

export function useResponseMediaType(): Plugin {
  return {
    // Runs after yoga's own result processors (user plugins come last), so this choice stands.
    onResultProcess({ request, result, setResultProcessor }) {
      if (isAsyncIterable(result)) return;
      const type = responseMediaType(request.headers.get('accept') ?? undefined);
      if (type) setResultProcessor(processRegularResult, type);
    },
  };
}

// What a client over a limit gets: HTTP 429, Retry-After, and extensions.code RATE_LIMITED, in the same
// shape as every other error, before any SQL runs.
import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { sendError } from '../protocol/send-json.ts';

const message = (seconds: number) => `Too many requests; retry in ${seconds} s.`;

/** For resolvers (login): yoga turns extensions.http into the status and headers, then strips it. */
export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(message(retryAfterSeconds), {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter: retryAfterSeconds,
      http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
    },
  });
}

/** Before GraphQL (the per-token limit): answers directly, with the CORS headers a browser needs to read it. */
export function sendRateLimited(res: ServerResponse, retryAfterSeconds: number, cors: Record<string, string> | null): void {
  sendError(res, 429, message(retryAfterSeconds), 'RATE_LIMITED', { ...cors, 'retry-after': String(retryAfterSeconds) });
}

// What a client sees when something unexpected breaks: a stable code and no internals. The database
// being unreachable is reported as SERVICE_UNAVAILABLE so clients know a retry may succeed.
import { maskError as yogaMaskError, type YogaServerOptions } from 'graphql-yoga';
import { GraphQLError } from 'graphql';

const unavailablePatterns = [
  /ECONNREFUSED/,
  /ECONNRESET/,
  /Connection terminated/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down)/i,
  /Can't reach database server/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /DatabaseNotReachable/,
  // Seen while PostgreSQL restarts (test/faults.pg.test.ts): Prisma's wording for a connection the
  // server dropped, and the SQLSTATEs for admin/crash shutdown, "cannot connect now" and lost connections.
  /Server has closed the connection/i,
  /ConnectionClosed/,
  /Client was closed and is not queryable/i,
  /\b57P0[123]\b/,
  /\b08(000|001|003|004|006)\b/,
];

function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { message?: unknown; code?: unknown; cause?: unknown; originalError?: unknown; kind?: unknown };
  const text = `${String(e.message ?? '')} ${String(e.code ?? '')} ${String(e.kind ?? '')}`;
  if (unavailablePatterns.some((pattern) => pattern.test(text))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.originalError, depth + 1);
}

export const maskedErrors: NonNullable<YogaServerOptions<object, object>['maskedErrors']> = {
  isDev: false,
  maskError(error, message) {
    if (isDatabaseUnavailable(error)) {
      const original = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError('The database is unavailable right now; retry shortly.', {
        nodes: original?.nodes,
        path: original?.path,
        // 503 + Retry-After: the request was fine, the server cannot answer it now (yoga takes the
        // status from extensions.http and leaves http out of the body).
        extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '1' } } },
      });
    }
    return yogaMaskError(error, message, false);
  },
};

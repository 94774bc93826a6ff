// What a subscription is answered with when it does not open, or when it ends on the server's side:
// single results with a stable extensions.code (README, "Errors").
import { GraphQLError, type ExecutionResult } from 'graphql';

function refusal(code: string, message: string, extensions: Record<string, unknown> = {}): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code, ...extensions } })] };
}

export const liveErrors = {
  tooMany: (limit: 'token' | 'instance', max: number) =>
    refusal(
      'TOO_MANY_SUBSCRIPTIONS',
      limit === 'token'
        ? `This token already holds ${max} open subscriptions on this server, its maximum: close one before opening another.`
        : `This server holds its maximum of ${max} subscriptions; retry later (another instance may have room).`,
      { limit, max },
    ),
  shuttingDown: () => refusal('SERVICE_UNAVAILABLE', 'This server is shutting down: subscribe again (another instance will serve it).'),
  revoked: () => refusal('UNAUTHENTICATED', 'This token was revoked: sign in again and subscribe again.'),
  expired: () => refusal('UNAUTHENTICATED', 'This token has expired: sign in again and subscribe again.'),
  unexpected: () => refusal('INTERNAL_SERVER_ERROR', 'Unexpected error.'),
};

/** A result that opens no stream: the operation failed as a whole, or one of its root fields did. */
export function isRefusal(result: ExecutionResult): boolean {
  return result.errors?.some((error) => (error.path?.length ?? 0) <= 1) ?? false;
}

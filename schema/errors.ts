// Typed errors a client can act on. Each is a GraphQLError, so yoga's masking lets it through with its
// stable extensions.code; anything else is masked as INTERNAL_SERVER_ERROR without details.
import { GraphQLError } from 'graphql';

type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE';

class DeskgraphError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export class BadUserInputError extends DeskgraphError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('BAD_USER_INPUT', message, extra);
  }
}

export class UnauthenticatedError extends DeskgraphError {
  constructor(
    message = 'Sign in first: send "Authorization: Bearer <token>" (get a token from the login mutation).',
    extra: Record<string, unknown> = {},
  ) {
    super('UNAUTHENTICATED', message, extra);
  }
}

export class ForbiddenError extends DeskgraphError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends DeskgraphError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} does not exist or is not visible to you.`, { id });
  }
}

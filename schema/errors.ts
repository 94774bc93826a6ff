// Typed errors a client can act on. Each is a GraphQLError, so yoga's masking lets it through with its
// stable extensions.code; anything else is masked as INTERNAL_SERVER_ERROR without details.
import { GraphQLError } from 'graphql';

type ErrorCode =
  'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'SERVICE_UNAVAILABLE' | 'WRITE_UNCONFIRMED';

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

/** Refused before anything was written: the request may be sent again as it is (HTTP 503, Retry-After). */
export class ServiceUnavailableError extends DeskgraphError {
  constructor(message: string) {
    super('SERVICE_UNAVAILABLE', message, { http: { status: 503, headers: { 'retry-after': '1' } } });
  }
}

/**
 * The write was committed, but not every instance could be told to drop what it changed, so reads may
 * still show the old value until they are (server/CACHE.md, "Acknowledged invalidation"). Not a 503: a
 * blind retry of a creation would create twice.
 */
export class WriteUnconfirmedError extends DeskgraphError {
  constructor() {
    super(
      'WRITE_UNCONFIRMED',
      'The change was saved, but the cache could not confirm it on every server yet: reads may show the previous value for a few seconds. Read it back before repeating a change that is not idempotent.',
    );
  }
}

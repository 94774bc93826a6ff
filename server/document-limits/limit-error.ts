// A refused document: a GraphQL error with a stable code, the limit and what was measured, and HTTP 400
// in either media type (spec: false keeps yoga from answering 200 to application/json clients, as it
// does for ordinary validation errors).
import { GraphQLError } from 'graphql';

export type LimitCode =
  | 'TOO_MANY_TOKENS'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_DUPLICATE_FIELDS'
  | 'TOO_MANY_DIRECTIVES'
  | 'INTROSPECTION_DISABLED'
  | 'BATCHING_DISABLED'
  | 'TOO_MANY_OPERATIONS'
  | 'BAD_USER_INPUT';

export interface LimitDetail {
  /** the limit's name as in the README (maxDepth, maxCost, ...) */
  limit: string;
  max: number;
  /** what the document measured; absent where counting stops at the limit */
  measured?: number;
}

export function limitError(code: LimitCode, message: string, detail?: LimitDetail): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...(detail ?? {}), http: { status: 400, spec: false } },
  });
}

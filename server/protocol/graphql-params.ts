// GraphQL-over-HTTP parameters, read one way for every request: yoga parses GET query strings, JSON
// bodies and form bodies with these functions (server/graphql/use-request-params.ts), and the
// cache-hit stage reads the same requests with the same functions before yoga runs, so the two
// cannot disagree on what a request asks. Malformed input is the client's mistake: 400 BAD_REQUEST,
// in our words (the JSON parser's message says nothing useful and would leak its internals).
import { GraphQLError } from 'graphql';

/** What a request carries; `documentId` names a persisted document (server/persisted/). */
export interface RequestParams {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  documentId?: string;
}

// HTTP 400 whatever the Accept header: the request itself is unusable, nothing was executed.
function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

function jsonParameter(search: URLSearchParams, name: 'variables' | 'extensions'): Record<string, unknown> | undefined {
  const text = search.get(name);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw badRequest(`A JSON parameter (variables or extensions) is not valid JSON: the ${name} parameter could not be parsed.`);
  }
}

/** The parameters of a query string (GET) or a form body; empty values count as absent. */
export function paramsFromSearch(text: string): RequestParams {
  const search = new URLSearchParams(text);
  return {
    query: search.get('query') || undefined,
    operationName: search.get('operationName') || undefined,
    variables: jsonParameter(search, 'variables'),
    extensions: jsonParameter(search, 'extensions'),
    documentId: search.get('documentId') || undefined,
  };
}

/** A JSON body: one operation's parameters, or an array of them (a batch, refused unless enabled). */
export function paramsFromJson(text: string): RequestParams | RequestParams[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('POST body sent invalid JSON.');
  }
  if (body === null || typeof body !== 'object') {
    throw badRequest(`POST body is expected to be object but received ${body === null ? 'null' : typeof body}`);
  }
  return body as RequestParams | RequestParams[];
}

function mediaTypeIs(contentType: string | null | undefined, expected: string): boolean {
  if (contentType === expected) return true; // what nearly every client sends, on every request
  // Only the first of a list counts: a list is not valid in Content-Type, but some clients send one.
  const first = contentType?.split(',')[0]?.trim().toLowerCase();
  return first === expected || first?.startsWith(`${expected};`) === true;
}

/** A JSON body of GraphQL parameters, as yoga and the spec name it. */
export function isJsonBody(contentType: string | null | undefined): boolean {
  return mediaTypeIs(contentType, 'application/json') || mediaTypeIs(contentType, 'application/graphql+json');
}

export function isFormBody(contentType: string | null | undefined): boolean {
  return mediaTypeIs(contentType, 'application/x-www-form-urlencoded');
}

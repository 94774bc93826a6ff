// GraphQL parameters in a query string (GET, and form-encoded POST bodies) carry `variables` and
// `extensions` as JSON text. yoga parses them with a bare JSON.parse, so a malformed one
// (`?variables={`) escaped as an unexpected error: HTTP 500 (found by test/fuzz.test.ts). It is the
// client's mistake: 400 BAD_REQUEST, as for a malformed JSON body.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type RequestParser = Parameters<NonNullable<Plugin['onRequestParse']>>[0]['requestParser'] & {};

function refuse(error: unknown): never {
  if (!(error instanceof SyntaxError)) throw error;
  throw new GraphQLError(`A JSON parameter (variables or extensions) is not valid JSON: ${error.message}`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function guarded(parser: RequestParser): RequestParser {
  return (request) => {
    try {
      const result = parser(request);
      // whatwg-node answers a body it already holds with a thenable that is not a native Promise.
      return isThenable(result) ? Promise.resolve(result).catch(refuse) : result;
    } catch (error) {
      return refuse(error);
    }
  };
}

export function useMalformedParams(): Plugin {
  return {
    // yoga's parsers are chosen (by method and content type) before user plugins run; this wraps the chosen one.
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser) setRequestParser(guarded(requestParser));
    },
  };
}

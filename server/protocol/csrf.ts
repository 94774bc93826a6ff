// CSRF prevention: a GET, or a POST a browser would send cross-site without a preflight (form and
// text/plain bodies), must carry a custom header. A page on another site cannot add one without a CORS
// preflight, which our policy answers (server/protocol/cors.ts). Yoga's plugin enforces it for requests it
// executes; the fast path asks the very same plugin before it serves a cached answer, so a warm entry
// never reaches a request yoga would have refused.
import type { IncomingMessage } from 'node:http';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The header clients send on every request (its value does not matter). */
export const CSRF_HEADER = 'x-graphql-csrf';

const MESSAGE = `This request needs the "${CSRF_HEADER}" header (any value): GET and form or text/plain POST requests without it are refused as possible cross-site request forgery.`;

export interface CsrfPrevention {
  /** For yoga's plugin list: refuses with 403 and extensions.code CSRF_HEADER_MISSING. */
  plugin: Plugin;
  /** True when yoga would refuse this request; the fast path then leaves it to yoga. */
  refuses(req: IncomingMessage): boolean;
}

type RequestParseHook = (payload: { request: { headers: { get(name: string): string | null; has(name: string): boolean } } }) => void;

export function createCsrfPrevention(enabled: boolean): CsrfPrevention | null {
  if (!enabled) return null;
  const check = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }).onRequestParse as unknown as RequestParseHook;
  const plugin: Plugin = {
    onRequestParse(payload) {
      try {
        check(payload as unknown as Parameters<RequestParseHook>[0]);
      } catch {
        throw new GraphQLError(MESSAGE, { extensions: { code: 'CSRF_HEADER_MISSING', http: { status: 403 } } });
      }
    },
  };
  return {
    plugin,
    refuses(req) {
      // What every well-behaved client sends: one lookup, no adapter objects, on the path of every hit.
      if (req.headers[CSRF_HEADER] !== undefined) return false;
      const headers = {
        get: (name: string) => (req.headers[name] as string | undefined) ?? null,
        has: (name: string) => req.headers[name] !== undefined,
      };
      try {
        check({ request: { headers } });
        return false;
      } catch {
        return true;
      }
    },
  };
}

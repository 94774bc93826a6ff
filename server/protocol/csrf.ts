// CSRF prevention, decided by one function (`lacksCsrfProof`) that yoga's plugin and the cache's fast path
// both ask, so a warm entry never answers a request yoga would refuse.
//
// The threat is a page on another site making a visitor's browser send a request that carries something
// the browser adds on its own (an ambient credential), without a CORS preflight we could refuse. What
// our API trusts is `Authorization: Bearer <token>`, which only a script sets, and which is not a
// CORS-safelisted header: a browser sends it cross-site only after a preflight our CORS policy allowed
// (server/protocol/cors.ts), and never attaches it by itself. There are no cookies anywhere (no
// Set-Cookie is ever sent, none is read: server/auth/, identity/), so a request carrying a Bearer token
// cannot be forged and needs no extra header. This is what lets stock clients (urql's GETs, Apollo's
// useGETForQueries, curl) work unchanged.
//
// A request without a Bearer token still carries what a browser does add by itself: HTTP authentication
// of a proxy in front of us (`Authorization: Basic …`, which is why only the Bearer scheme counts), and
// the visitor's network position: the client address the login limits count (a foreign form could spend
// a visitor's login attempts and lock them out), and reach into a private network the API may only be
// served on. So a GET, or a POST a browser sends cross-site without a preflight (form, multipart and
// text/plain bodies, or none), must carry the `x-graphql-csrf` header when it has no Bearer token; with a
// CORS_ORIGINS list a foreign page cannot add it. (With CORS_ORIGINS=*, the default, any page may pass the
// preflight and add the header: the protection then is that nothing ambient grants anything.) JSON POSTs
// are preflighted by every browser and need nothing, so GraphiQL does not send it. Which content types
// browsers send without a preflight is yoga's CSRF plugin's knowledge, reused here as it is.
import type { IncomingMessage } from 'node:http';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The header clients without a Bearer token send on GET and simple POST requests (its value does not matter). */
export const CSRF_HEADER = 'x-graphql-csrf';

const MESSAGE = `This request needs the "${CSRF_HEADER}" header (any value) or an "Authorization: Bearer <token>" header: GET and form or text/plain POST requests with neither are refused as possible cross-site request forgery.`;

export interface CsrfPrevention {
  /** For yoga's plugin list: refuses with 403 and extensions.code CSRF_HEADER_MISSING. */
  plugin: Plugin;
  /** True when yoga would refuse this request; the fast path then leaves it to yoga. */
  refuses(req: IncomingMessage): boolean;
  /** The refusal yoga's plugin throws, for a path that asks refuses() itself (server/http/stream-route.ts). */
  error(): GraphQLError;
}

/** Headers as both paths can read them: a Fetch Headers object (yoga) or node's (the fast path). */
interface RequestHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
}

type RequestParseHook = (payload: { request: { headers: RequestHeaders } }) => void;

// Yoga's check throws when the request could have been sent without a preflight and lacks the header.
const yogaCheck = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }).onRequestParse as unknown as RequestParseHook;

/** A scheme a browser never attaches by itself (RFC 9110 §11.1: schemes are case-insensitive). */
const BEARER_SCHEME = /^bearer\s/i;

/** The policy: true when a request must carry the CSRF header (it has no Bearer token, and no preflight vouched for it) and does not. */
function lacksCsrfProof(headers: RequestHeaders): boolean {
  if (BEARER_SCHEME.test(headers.get('authorization') ?? '')) return false;
  try {
    yogaCheck({ request: { headers } });
    return false;
  } catch {
    return true;
  }
}

function nodeHeaders(req: IncomingMessage): RequestHeaders {
  return {
    get: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    },
    has: (name) => req.headers[name] !== undefined,
  };
}

export function createCsrfPrevention(enabled: boolean): CsrfPrevention | null {
  if (!enabled) return null;
  const error = () => new GraphQLError(MESSAGE, { extensions: { code: 'CSRF_HEADER_MISSING', http: { status: 403 } } });
  const plugin: Plugin = {
    onRequestParse({ request }) {
      if (lacksCsrfProof(request.headers)) throw error();
    },
  };
  return {
    plugin,
    error,
    // What nearly every hit carries (a Bearer token, or our client's header) is settled with one or two
    // lookups and no adapter object: this runs on the path of every cache hit.
    refuses: (req) =>
      req.headers[CSRF_HEADER] === undefined && !BEARER_SCHEME.test(req.headers.authorization ?? '') && lacksCsrfProof(nodeHeaders(req)),
  };
}

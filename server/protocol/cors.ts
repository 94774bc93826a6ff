// One CORS policy for both paths: yoga applies it (preflights included), and the fast path asks the same
// function yoga uses for the headers of a hit, so the two cannot drift apart.
//
// Auth is a bearer token the client sends itself, never a cookie, so a browser on another origin holds no
// credential of ours: allowing any origin (the default) exposes nothing a curl could not fetch, and we
// never send Access-Control-Allow-Credentials. CORS_ORIGINS narrows it to a list where that is wanted.
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';

/** Yoga's CORS options for CORS_ORIGINS: ['*'] allows any origin (reflected), a list allows those only. */
export function corsOptionsFor(origins: readonly string[]): CORSOptions {
  return {
    origin: origins.includes('*') ? ['*'] : [...origins],
    credentials: false,
    // So a client can read how long to wait after a 429.
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  };
}

/** The CORS headers for a request under a policy; null without an Origin header. */
export function corsHeadersFor(req: IncomingMessage, options: CORSOptions): Record<string, string> | null {
  if (!req.headers.origin) return null;
  const headers = { get: (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? null };
  return getCORSHeadersByRequestAndOptions({ headers } as unknown as Request, options);
}

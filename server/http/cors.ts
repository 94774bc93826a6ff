// One CORS policy for both paths: yoga applies it (preflights included), and the fast path asks the same
// function yoga uses for the headers of a hit, so the two cannot drift apart.
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';

/** yoga's default: any origin, reflected, with credentials (auth is by bearer token, not cookies). */
export const corsOptions: CORSOptions = {};

/** The CORS headers for a request; null without an Origin header. */
export function corsHeadersFor(req: IncomingMessage): Record<string, string> | null {
  if (!req.headers.origin) return null;
  const headers = { get: (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? null };
  return getCORSHeadersByRequestAndOptions({ headers } as unknown as Request, corsOptions);
}

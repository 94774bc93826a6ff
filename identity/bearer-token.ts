// Bearer tokens: made once at sign-in, shown to the client once, stored only as their SHA-256. Requests
// find their token by that hash through a unique index, so the token itself is never compared in
// process, and what the database compares is a digest the client cannot steer byte by byte: lookups
// are no timing oracle on the token.
import { createHash, randomBytes } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `dg_${randomBytes(32).toString('base64url')}`;
}

const BEARER = /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i;

/** The token of a "Bearer <token>" header; undefined when the header is malformed. */
export function parseBearer(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

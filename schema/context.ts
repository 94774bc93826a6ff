// What every resolver receives. Built once per request by the server (server/auth/use-viewer.ts).
import type { PrismaClient } from '../prisma/generated/client.ts';
import type { Loaders } from './loaders.ts';
import type { Viewer } from './viewer.ts';

export interface SchemaSettings {
  maxPageSize: number;
  tokenTtlHours: number;
}

export interface Context {
  prisma: PrismaClient;
  viewer: Viewer | null;
  loaders: Loaders;
  settings: SchemaSettings;
  /** The bearer token of this request (hashed lookups only), so logout can revoke it. */
  tokenHash: string | null;
  cache: CacheHooks;
  /**
   * Login attempt limits for this request's client (server/rate-limits/use-login-limits.ts); the app always
   * provides it, contexts built elsewhere (the benchmark's peer servers) may not.
   */
  loginAttempts?: LoginAttempts;
}

export interface LoginAttempts {
  /** Counts an attempt for the (normalized) email; throws RATE_LIMITED (HTTP 429) when over a limit. */
  check(email: string): Promise<void>;
  /** A successful login clears that email's count from this client address. */
  succeeded(email: string): Promise<void>;
}

/** What resolvers tell the response cache (server/cache): see server/CACHE.md for the tag vocabulary. */
export interface CacheHooks {
  /** Adds tags to the response being computed, for what entity ids cannot cover (list membership, lookups of absent ids). */
  tag(...tags: string[]): void;
  /** Drops every cached response holding one of the tags, on every instance; resolves when that took effect. */
  invalidate(tags: Iterable<string>): Promise<void>;
}

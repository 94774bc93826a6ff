// Resolves who is asking from "Authorization: Bearer <token>" and builds the per-request context:
// the viewer, and loaders made for that viewer alone.
import type { Plugin } from 'graphql-yoga';
import type { PrismaClient, Role } from '../../prisma/generated/client.ts';
import type { Context, SchemaSettings } from '../../schema/context.ts';
import { UnauthenticatedError } from '../../schema/errors.ts';
import { createLoaders, type LoaderOptions } from '../../schema/loaders.ts';
import type { Viewer } from '../../identity/viewer.ts';
import { pinToPrimary, readFromReplica } from '../platform/replicas/read-floor.ts';
import { bearerTokenHash, type ViewerCache } from './viewer-cache.ts';

export interface ViewerOptions {
  prisma: PrismaClient;
  settings: SchemaSettings;
  /** Batching on (the product) or off (the N+1 baseline for tests and benchmarks). */
  loaderOptions?: LoaderOptions;
  /** Token → viewer in process; null when the response cache is off. */
  viewers: ViewerCache | null;
}

// A bad credential fails the whole request before execution: HTTP 401 with a Bearer challenge.
const rejected = { http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } };

/** The token hash of a request, or null without one; a malformed Authorization header is the client's mistake. */
function requestTokenHash(header: string | null, viewers: ViewerCache | null): string | null {
  if (!header) return null;
  const hash = bearerTokenHash(header, viewers);
  if (!hash) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".', rejected);
  return hash;
}

export async function viewerForToken(prisma: PrismaClient, tokenHash: string): Promise<{ viewer: Viewer; expiresAt: Date | null }> {
  // One statement per request for authentication: a join, where Prisma's nested select would make two.
  // Found by the token's SHA-256 through the unique index: no secret is compared in process, and the
  // database compares digests of the client's guesses, which tell it nothing about a real token's
  // bytes, so the lookup is no timing oracle on the token (schema/session.ts).
  const lookup = () => prisma.$queryRaw<{ userId: number; organizationId: number; role: Role; expiresAt: Date | null }[]>`
    SELECT u."id" AS "userId", u."organizationId", u."role"::text AS "role", t."expiresAt"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
    WHERE t."tokenHash" = ${tokenHash}`;
  let [row] = await lookup();
  // A read replica may not have replayed a login made a moment ago on another instance: the primary decides.
  if (!row && readFromReplica() && pinToPrimary()) [row] = await lookup();
  if (!row) throw new UnauthenticatedError('This token is unknown or was revoked. Sign in again with login.', rejected);
  if (row.expiresAt && new Date(row.expiresAt).getTime() <= Date.now()) {
    throw new UnauthenticatedError('This token has expired. Sign in again with login.', rejected);
  }
  return {
    viewer: { userId: row.userId, organizationId: row.organizationId, role: row.role },
    expiresAt: row.expiresAt ? new Date(row.expiresAt) : null,
  };
}

export function useViewer(options: ViewerOptions): Plugin<Context & ViewerServerContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      // Cache warming runs queries in process as a viewer of the entry's scope; HTTP clients cannot set this.
      const warmViewer = (context as { warmViewer?: Viewer | null }).warmViewer;
      const tokenHash = warmViewer === undefined ? requestTokenHash(context.request.headers.get('authorization'), options.viewers) : null;
      const resolved =
        warmViewer !== undefined ? { viewer: warmViewer, expiresAt: null } : tokenHash ? await resolveViewer(options, tokenHash) : null;
      const viewer = resolved?.viewer ?? null;
      extendContext({
        prisma: options.prisma,
        settings: options.settings,
        viewer,
        tokenHash,
        tokenExpiresAt: resolved?.expiresAt ?? null,
        loaders: createLoaders(options.prisma, viewer, options.loaderOptions),
      });
    },
  };
}

/** What the server's context adds for its own parts: when the request's token expires (live streams end then). */
export interface ViewerServerContext {
  tokenExpiresAt: number | null;
}

async function resolveViewer(options: ViewerOptions, tokenHash: string): Promise<{ viewer: Viewer; expiresAt: number | null }> {
  const cached = options.viewers?.peek(tokenHash);
  if (cached) return cached;
  const snapshot = options.viewers?.snapshot() ?? 0;
  const { viewer, expiresAt } = await viewerForToken(options.prisma, tokenHash);
  options.viewers?.remember(tokenHash, viewer, expiresAt, snapshot);
  return { viewer, expiresAt: expiresAt ? expiresAt.getTime() : null };
}

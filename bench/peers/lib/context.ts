// The per-request context of deskgraph (schema/context.ts), built outside yoga for the peer servers, with the
// frozen Prisma data layer of prisma-loaders.ts (not schema/loaders.ts: see why there).
//
// server/auth/use-viewer.ts builds it inside a yoga plugin (onContextBuilding) and exports only its parts
// (bearerTokenHash, viewerForToken); this is the same sequence with the response cache off (no token →
// viewer cache: one SQL statement per authenticated request, exactly as deskgraph with
// RESPONSE_CACHE=false), plus a `cache` for the resolvers' hooks. A cleaner seam would be an exported
// `buildContext({ prisma, settings, loaderOptions, viewers }, authorizationHeader, cache)` in
// use-viewer.ts that the plugin itself calls.
import { GraphQLError } from 'graphql';
import type { CacheHooks, Context } from '../../../schema/context.ts';
import { UnauthenticatedError } from '../../../schema/errors.ts';
import { createPrismaLoaders } from './prisma-loaders.ts';
import { viewerForToken } from '../../../server/auth/use-viewer.ts';
import { bearerTokenHash } from '../../../server/auth/viewer-cache.ts';
import type { PeerRuntime } from './runtime.ts';

/** What deskgraph's resolvers get when the response cache is off: tags go nowhere, nothing to invalidate. */
const noCache: CacheHooks = {
  tag() {},
  async invalidate() {},
};

// As in use-viewer.ts: a bad credential fails the whole request with HTTP 401 and a Bearer challenge.
const rejected = { http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } };

/** The context of one request; throws UnauthenticatedError (extensions.http: 401) for a bad token. */
export async function buildContext(
  runtime: PeerRuntime,
  authorization: string | undefined | null,
  cache: CacheHooks = noCache,
): Promise<Context> {
  const prisma = runtime.database.prisma;
  let tokenHash: string | null = null;
  if (authorization) {
    tokenHash = bearerTokenHash(authorization, null);
    if (!tokenHash) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".', rejected);
  }
  const viewer = tokenHash ? (await viewerForToken(prisma, tokenHash)).viewer : null;
  return { prisma, settings: runtime.settings, viewer, tokenHash, loaders: createPrismaLoaders(prisma, viewer), cache };
}

/** An error thrown while building the context, as an HTTP answer: its status (401) and a GraphQL error body. */
export function contextFailure(error: unknown): { status: number; headers: Record<string, string>; body: unknown } | null {
  if (!(error instanceof GraphQLError)) return null;
  const { http, ...extensions } = (error.extensions ?? {}) as { http?: { status?: number; headers?: Record<string, string> } };
  if (!http?.status) return null;
  return { status: http.status, headers: http.headers ?? {}, body: { errors: [{ message: error.message, extensions }] } };
}

// The per-token request limit as both GraphQL paths spend it (/graphql and the single-connection stream
// endpoint): per token and before anything answers, so a cache hit and a stream operation cost the same
// budget as an executed query.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import { bearerTokenHash, type ViewerCache } from '../auth/viewer-cache.ts';
import type { Metrics } from '../platform/metrics.ts';
import { corsHeadersFor } from '../protocol/cors.ts';
import type { Limit } from '../rate-limits/limit.ts';
import { sendRateLimited } from '../rate-limits/rate-limited.ts';
import { tokenLimitWait } from '../rate-limits/token-rate-limit.ts';

export interface TokenGateOptions {
  /** The per-token request limit; null when off. */
  tokenLimit: Limit | null;
  viewers: ViewerCache | null;
  metrics: Metrics;
  cors: CORSOptions;
}

/**
 * true when the request may go on; false when the 429 has been sent. Synchronous when the limit can
 * tell in process (a leased point), so a cache hit is answered without a promise. `tokenHash` is the
 * request's token hash when the caller already has it (bearerTokenHash of its Authorization header).
 */
export type TokenGate = (req: IncomingMessage, res: ServerResponse, tokenHash?: string | null) => boolean | Promise<boolean>;

export function createTokenGate({ tokenLimit, viewers, metrics, cors }: TokenGateOptions): TokenGate {
  const refuse = (req: IncomingMessage, res: ServerResponse, wait: number): false => {
    metrics.rateLimited.inc({ limit: 'token' });
    sendRateLimited(res, wait, corsHeadersFor(req, cors));
    return false;
  };
  return function spendTokenLimit(req, res, tokenHash) {
    const authorization = req.headers.authorization;
    if (!tokenLimit || !authorization) return true;
    const wait = tokenLimitWait(tokenLimit, tokenHash === undefined ? bearerTokenHash(authorization, viewers) : tokenHash);
    if (wait === null) return true;
    return wait.then((seconds) => seconds === null || refuse(req, res, seconds));
  };
}

// The per-token request limit as both GraphQL paths spend it (/graphql and the single-connection stream
// endpoint): per token and before anything answers, so a cache hit and a stream operation cost the same
// budget as an executed query.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import type { ViewerCache } from '../auth/viewer-cache.ts';
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

/** Resolves true when the request may go on; false when the 429 has been sent. */
export function createTokenGate({ tokenLimit, viewers, metrics, cors }: TokenGateOptions) {
  return async function spendTokenLimit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const authorization = req.headers.authorization;
    if (!tokenLimit || !authorization) return true;
    const wait = await tokenLimitWait(tokenLimit, authorization, viewers);
    if (wait === null) return true;
    metrics.rateLimited.inc({ limit: 'token' });
    sendRateLimited(res, wait, corsHeadersFor(req, cors));
    return false;
  };
}

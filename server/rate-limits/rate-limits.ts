// Counters for the request and login limits, with rate-limiter-flexible: in Redis when REDIS_URL (or a
// Redis Cluster) is set (so every instance counts against one budget), in process otherwise. Its script
// touches one key, so one hash slot: it runs on a cluster as it is. Redis being down or slow never
// fails a request: the library's insurance limiter, in memory, counts per instance until Redis is back.
// The token limit is leased in chunks (leased-limit.ts), so a request rarely waits for Redis or counts;
// the login limits stay exact: they are rare, and a guessed password must never get a spare attempt.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AuthConfig } from './auth-config.ts';
import type { Logger } from '../platform/logger.ts';
import { connectCommands, type RedisTarget } from '../platform/redis-connection.ts';
import type { Limit } from './limit.ts';
import { LeasedLimit, leaseChunk, retryAfter } from './leased-limit.ts';

export interface RateLimits {
  /** Requests per bearer token (keyed by the token's hash); null when off. */
  token: Limit | null;
  /** Login attempts per "email ip"; null when off. */
  loginPerEmailAndIp: Limit | null;
  /** Login attempts per client address; null when off. */
  loginPerIp: Limit | null;
  /** Resolves true once the Redis connection is ready (at once without Redis), false after timeoutMs; before that the insurance limiter counts. */
  whenReady(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RateLimitStore {
  target: RedisTarget;
  keyPrefix: string;
  timeoutMs: number;
}

class LimiterLimit implements Limit {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly logger: Logger,
  ) {}

  async take(key: string): Promise<number | null> {
    try {
      await this.limiter.consume(key);
      return null;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return retryAfter(outcome);
      // Both stores failed (the insurance limiter is in memory, so this should not happen): let it through.
      this.logger.warn({ err: String(outcome) }, 'rate limiter failed; request allowed');
      return null;
    }
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key).catch(() => undefined);
  }
}

export function createRateLimits(config: AuthConfig, store: RateLimitStore | null, logger: Logger): RateLimits {
  const log = logger.child({ component: 'rate-limit' });
  // Its own connection: a command that finds Redis unreachable fails at once (no offline queue) or
  // after the cache's timeout, and the insurance limiter answers.
  const redis = store
    ? connectCommands(store.target, {
        role: 'rate-limits',
        timeoutMs: store.timeoutMs,
        offlineQueue: false,
        // Every request of every token counts here: the commands of one tick share a round trip.
        autoPipelining: true,
      })
    : null;
  redis?.on('error', (error: Error) => log.debug({ err: error.message }, 'rate limit redis connection error'));

  const limit = (name: string, points: number, duration: number, leased = false): Limit | null => {
    if (points <= 0) return null;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: name });
    const limiter =
      redis && store
        ? new RateLimiterRedis({
            storeClient: redis,
            points,
            duration,
            keyPrefix: `${store.keyPrefix}:rl:${name}`,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
    // Leased in process too: with one counter, every leased point is used before a refusal, so the
    // limit stays exact, and a request takes a point from a lease instead of a counter update and a
    // promise (RateLimiterMemory.consume): cache hits ran ~10 % faster. A chunk of 1 is the exact limit.
    const chunk = leaseChunk(points);
    if (leased && chunk > 1) return new LeasedLimit(limiter, log, { chunk });
    return new LimiterLimit(limiter, log);
  };

  return {
    token: limit('token', config.tokenRequestsPerMinute, 60, true),
    loginPerEmailAndIp: limit('login-email-ip', config.loginPerEmailAndIp, config.loginWindowSeconds),
    loginPerIp: limit('login-ip', config.loginPerIp, config.loginWindowSeconds),
    async whenReady(timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (redis && redis.status !== 'ready' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      return !redis || redis.status === 'ready';
    },
    async close() {
      redis?.disconnect();
    },
  };
}

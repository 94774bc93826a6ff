// The response cache's settings (README: "Configuration"; how the layers work: server/CACHE.md).
import { z } from 'zod';
import { bool, int } from '../platform/env-schema.ts';
import type { NodeEnv } from '../platform/platform-config.ts';
import { parseNodes, type RedisTarget } from '../platform/redis-connection.ts';

export interface CacheConfig {
  /** Response cache on (the product) or off (the baseline benchmarks compare against). */
  enabled: boolean;
  /** Shared L2 store and invalidation bus (a single Redis or a Redis Cluster); null keeps everything in process. */
  redis: RedisTarget | null;
  /** Namespace for every Redis key and the pub/sub channel, so deployments (and test runs) can share a Redis. */
  keyPrefix: string;
  /** A Redis command slower than this counts as a failure: the request is answered from the database. */
  redisTimeoutMs: number;
  /**
   * How long a mutation waits for its invalidation to reach Redis when Redis could not take it at once
   * (the write is committed; WRITE_UNCONFIRMED after this). server/CACHE.md, "Acknowledged invalidation".
   */
  writeConfirmMs: number;
  /** Bounds of the in-process layer; 0 entries turns it off. */
  l1MaxEntries: number;
  l1MaxBytes: number;
  /** Upper bound on how long a response stays cached; invalidation, not expiry, keeps it fresh. */
  defaultTtlSeconds: number;
  /** Answer hits before GraphQL (parse, validate, execute); off only to measure what it saves. */
  fastPath: boolean;
  /** Adds extensions.responseCache ({ hit, didCache, ttl }) to responses; on by default in development. */
  metadata: boolean;
  /** Re-run the most requested queries after start and as soon as a write evicted them. */
  warm: boolean;
  /** How many of the most requested queries that is. */
  warmTop: number;
  /** How many warming executions may run at once (per instance). */
  warmConcurrency: number;
  /**
   * Warming pauses while the event loop was busy more than this percentage of the last half second: at
   * saturation a warming run takes the place of a client's request (100: never pauses).
   */
  warmMaxBusyPercent: number;
  /**
   * Remember token → viewer in process (a minute at most, forgotten at logout). With the response cache
   * on, its bus carries logouts to every instance; with it off, only a single instance without Redis has it.
   */
  viewerCache: boolean;
}

const MB = 1024 * 1024;

export const cacheEnv = z.object({
  RESPONSE_CACHE: bool('RESPONSE_CACHE').default(true),
  REDIS_URL: z
    .string()
    .transform((url, ctx) => redisUrlTarget(url) ?? invalidRedisUrl(url, ctx))
    .optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((list, ctx) => clusterNodesTarget(list, ctx))
    .optional(),
  CACHE_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'CACHE_KEY_PREFIX must be 1-40 letters, digits, _ . or -')
    .default('dg'),
  CACHE_REDIS_TIMEOUT_MS: int('CACHE_REDIS_TIMEOUT_MS', 5, 60000).default(250),
  CACHE_WRITE_CONFIRM_MS: int('CACHE_WRITE_CONFIRM_MS', 0, 600000).default(5000),
  CACHE_L1_MAX_ENTRIES: int('CACHE_L1_MAX_ENTRIES', 0, 10_000_000).default(10_000),
  CACHE_L1_MAX_MB: int('CACHE_L1_MAX_MB', 1, 65536).default(64),
  CACHE_TTL_SECONDS: int('CACHE_TTL_SECONDS', 1, 7 * 24 * 3600).default(300),
  CACHE_METADATA: bool('CACHE_METADATA').optional(),
  CACHE_FAST_PATH: bool('CACHE_FAST_PATH').default(true),
  CACHE_WARM: bool('CACHE_WARM').default(true),
  CACHE_WARM_TOP: int('CACHE_WARM_TOP', 1, 1000).default(100),
  CACHE_WARM_CONCURRENCY: int('CACHE_WARM_CONCURRENCY', 1, 32).default(2),
  CACHE_WARM_MAX_BUSY_PERCENT: int('CACHE_WARM_MAX_BUSY_PERCENT', 1, 100).default(90),
  VIEWER_CACHE: bool('VIEWER_CACHE').default(true),
});

export function cacheConfig(e: z.output<typeof cacheEnv>, nodeEnv: NodeEnv): CacheConfig {
  return {
    enabled: e.RESPONSE_CACHE,
    redis: e.REDIS_URL ?? e.REDIS_CLUSTER_NODES ?? null,
    keyPrefix: e.CACHE_KEY_PREFIX,
    redisTimeoutMs: e.CACHE_REDIS_TIMEOUT_MS,
    writeConfirmMs: e.CACHE_WRITE_CONFIRM_MS,
    l1MaxEntries: e.CACHE_L1_MAX_ENTRIES,
    l1MaxBytes: e.CACHE_L1_MAX_MB * MB,
    defaultTtlSeconds: e.CACHE_TTL_SECONDS,
    fastPath: e.CACHE_FAST_PATH,
    metadata: e.CACHE_METADATA ?? nodeEnv === 'development',
    warm: e.CACHE_WARM,
    warmTop: e.CACHE_WARM_TOP,
    warmConcurrency: e.CACHE_WARM_CONCURRENCY,
    warmMaxBusyPercent: e.CACHE_WARM_MAX_BUSY_PERCENT,
    viewerCache: e.VIEWER_CACHE,
  };
}

/** Both variables name a Redis: refused rather than one silently winning. */
export function cacheProblem(e: z.output<typeof cacheEnv>): string | null {
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES)
    return 'Set REDIS_URL or REDIS_CLUSTER_NODES, not both (a cluster may also be given as REDIS_URL=redis+cluster://host:port,host:port).';
  return null;
}

// redis:// and rediss:// are one Redis (ioredis reads the URL: password, database, TLS); redis+cluster://
// and rediss+cluster:// list seed nodes of a cluster, with optional credentials shared by every node.
function redisUrlTarget(url: string): RedisTarget | null {
  if (/^rediss?:\/\//.test(url)) return { kind: 'single', url };
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/.exec(url);
  if (!match) return null;
  const parsed = parseNodes(match[3]!);
  if ('bad' in parsed) return null;
  const [username, password] = (match[2] ?? '').split(':').map((part) => (part ? decodeURIComponent(part) : undefined));
  return { kind: 'cluster', nodes: parsed.nodes, tls: match[1] === 'rediss', username, password };
}

function invalidRedisUrl(url: string, ctx: z.RefinementCtx): never {
  // Only the scheme is shown: the rest may hold a password.
  const scheme = url.split(':')[0];
  ctx.addIssue({
    code: 'custom',
    message: /^rediss?\+cluster$/.test(scheme ?? '')
      ? `REDIS_URL must list the cluster's nodes as ${scheme}://[user:password@]host:port[,host:port…]`
      : `REDIS_URL must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL, got ${scheme}:…`,
  });
  return z.NEVER;
}

function clusterNodesTarget(list: string, ctx: z.RefinementCtx): RedisTarget {
  const parsed = parseNodes(list);
  if ('nodes' in parsed) return { kind: 'cluster', nodes: parsed.nodes, tls: false };
  ctx.addIssue({ code: 'custom', message: `REDIS_CLUSTER_NODES must be comma-separated host:port pairs, got "${parsed.bad}"` });
  return z.NEVER;
}

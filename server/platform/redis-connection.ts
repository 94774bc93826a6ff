// Every Redis connection deskgraph opens is made here, for a single Redis or a Redis Cluster, so the cache,
// the rate limits and the registry's CLI get the same timeouts and reconnection rules on both, and every
// connection is named `deskgraph:<role>` in CLIENT LIST (for operators, and for the fault injectors of the
// tests). Only single-slot commands may be sent through these: see server/CACHE.md, "Redis Cluster".
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { ShardedSubscriber } from './redis-sharded-subscriber.ts';

export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is: parsed once from REDIS_URL / REDIS_CLUSTER_NODES (server/cache/cache-config.ts). */
export type RedisTarget =
  { kind: 'single'; url: string } | { kind: 'cluster'; nodes: RedisNode[]; tls: boolean; username?: string; password?: string };

export type RedisClient = Redis | Cluster;

export interface ConnectionOptions {
  /** Shown in CLIENT LIST as `deskgraph:<role>`. */
  role: string;
  /** A command slower than this fails (and connecting may take four times as long). */
  timeoutMs: number;
  /** Queue commands while disconnected (the subscriber) or fail them at once (commands: the caller falls back). */
  offlineQueue: boolean;
  /** Batch the commands of one tick into one write (the rate limits: every request counts). */
  autoPipelining?: boolean;
  /** Connect on the first command instead of now. */
  lazyConnect?: boolean;
  /** Give up after the first failed connection instead of reconnecting (one-shot CLIs). */
  once?: boolean;
}

// Reconnect quickly, then at most every second: an instance is degraded while it cannot reach Redis.
const retryDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 1000);

function nodeOptions(options: ConnectionOptions, commandTimeout: boolean): RedisOptions {
  return {
    connectionName: `deskgraph:${options.role}`,
    commandTimeout: commandTimeout ? options.timeoutMs : undefined,
    connectTimeout: Math.max(1000, options.timeoutMs * 4),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: options.offlineQueue,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: options.once ? () => null : retryDelay,
    lazyConnect: options.lazyConnect ?? false,
  };
}

function clusterOptions(
  target: Extract<RedisTarget, { kind: 'cluster' }>,
  options: ConnectionOptions,
  commandTimeout: boolean,
): ClusterOptions {
  const {
    enableOfflineQueue,
    enableAutoPipelining,
    lazyConnect,
    retryStrategy: _perNode,
    ...perNode
  } = nodeOptions(options, commandTimeout);
  return {
    redisOptions: {
      ...perNode,
      username: target.username,
      password: target.password,
      tls: target.tls ? {} : undefined,
    },
    enableOfflineQueue,
    enableAutoPipelining,
    lazyConnect,
    // The whole cluster unreachable: reconnect as a single Redis would. One node lost is not this: its
    // slots move to its replica, and the slot map is refreshed on the MOVED replies and every 2 s.
    clusterRetryStrategy: options.once ? () => null : retryDelay,
    slotsRefreshTimeout: Math.max(1000, options.timeoutMs * 4),
    slotsRefreshInterval: 2000,
    // A failover takes the node timeout plus an election: retry a command on the slot's new owner soon,
    // but never past the caller's timeout (maxRedirections × delay ≈ 1 s).
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 10,
  };
}

/** A connection for commands (and scripts): fails fast when Redis cannot answer. */
export function connectCommands(target: RedisTarget, options: ConnectionOptions): RedisClient {
  if (target.kind === 'single') return new Redis(target.url, nodeOptions(options, true));
  return new Cluster(target.nodes, clusterOptions(target, options, true));
}

/**
 * A connection that receives messages on one channel (the invalidation bus): plain SUBSCRIBE on a single
 * Redis, sharded SSUBSCRIBE on a cluster (the channel must carry a hash tag), where it looks like a single
 * Redis connection to its users (status, 'ready', 'close', 'message'); see redis-sharded-subscriber.ts.
 */
export function connectSubscriber(target: RedisTarget, options: ConnectionOptions): SubscriberConnection {
  if (target.kind === 'single') return new Redis(target.url, nodeOptions(options, false));
  return new ShardedSubscriber(new Cluster(target.nodes, { ...clusterOptions(target, options, false), shardedSubscribers: true }));
}

/** What the bus and the health check use of a subscriber connection; a single Redis connection is one. */
export interface SubscriberConnection {
  readonly status: string;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'close' | 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Publishes on a channel the way its subscribers listen: SPUBLISH on a cluster, PUBLISH on a single Redis. */
export function publish(client: RedisClient, channel: string, message: string): Promise<number> {
  return client instanceof Cluster ? (client.spublish(channel, message) as Promise<number>) : client.publish(channel, message);
}

/** Parses `host:port` pairs ("10.0.0.1:7000,10.0.0.2:7000"); null names the first bad one. */
export function parseNodes(list: string): { nodes: RedisNode[] } | { bad: string } {
  const nodes: RedisNode[] = [];
  for (const part of list.split(',')) {
    const item = part.trim();
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(item);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) return { bad: item };
    nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return { nodes };
}

/** The hash slot of a key on a Redis Cluster: CRC16 (XMODEM) of its hash tag (or the whole key), mod 16384. */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

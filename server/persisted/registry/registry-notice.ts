// After a push or a removal, the CLI tells the running instances on the cache's Redis bus, so each
// rereads the registry at once rather than at its next periodic check.
import { connectCommands, type RedisTarget } from '../../platform/redis-connection.ts';
import { publishNotice } from '../../cache/redis-bus.ts';
import { CacheKeys } from '../../cache/redis-scripts.ts';

/** The bus topic of registry changes; the payload is the client's name (for logs: an instance rereads whatever changed). */
export const REGISTRY_TOPIC = 'trusted-documents';

export interface BusTarget {
  redis: RedisTarget;
  keyPrefix: string;
  timeoutMs: number;
}

/** Announces a change of a client's documents; resolves with how many instances heard it. */
export async function announceChange(target: BusTarget, clientName: string): Promise<number> {
  const redis = connectCommands(target.redis, {
    role: 'registry-cli',
    timeoutMs: Math.max(1000, target.timeoutMs * 4),
    offlineQueue: true,
    lazyConnect: true,
    once: true,
  });
  // ioredis rejects a failed connect with "Connection is closed."; the error event says why.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect();
    return await publishNotice(redis, new CacheKeys(target.keyPrefix).channel, REGISTRY_TOPIC, clientName);
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

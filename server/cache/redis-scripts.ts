// What the shared layer keeps in Redis and the Lua scripts that change it. A store and an invalidation
// are each one script, so they never interleave. See server/CACHE.md for the reasoning.
import { randomUUID } from 'node:crypto';
import type { Cluster, RedisValue } from 'ioredis';
import type { RedisClient } from '../platform/redis-connection.ts';

/** A fill may take at most this long; tag versions live twice as long, so none it needs has expired. */
export const MAX_FILL_MS = 15_000;
const VERSION_TTL_MS = 2 * MAX_FILL_MS;
// The sequence and epoch counters expire too, after a month without writes (nothing can be in flight then).
const COUNTER_TTL_MS = 30 * 24 * 3600 * 1000;

// Atomically: refuse if any tag was invalidated after the read began (its version is newer than the
// shard's sequence number seen before execution); otherwise store the entry and add its key to each tag's
// sorted set (score = expiry), pruning members that expired. Every key is in the entry's shard (one hash
// slot). The epoch is not checked here: the entry's key contains the read's epoch (see CacheKeys).
const STORE_SCRIPT = `
local s0 = tonumber(ARGV[3])
local n = (#KEYS - 1) / 2
for i = 0, n - 1 do
  local v = redis.call('GET', KEYS[2 + 2 * i])
  if v and tonumber(v) > s0 then return 0 end
end
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 0, n - 1 do
  local set = KEYS[3 + 2 * i]
  redis.call('ZADD', set, now + ttl, KEYS[1])
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
return 1
`;

// Atomically, in one shard: take the shard's next sequence number, stamp each tag's version with it (so
// in-flight reads of those tags will not be stored), delete every entry in each tag's set, and raise the
// shard's LSN mark to the write's (when given; 16 hex digits, so they compare as strings). Each deleted
// entry is also taken out of its other tags' sets (its header lists them): those sets are named in the
// same shard (ARGV[5] is the shard's key prefix), since an entry only ever joins its own shard's sets, so
// the script touches one hash slot and runs on a Redis Cluster too. Announcing is the bus's, after this.
const INVALIDATE_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  local lsn = redis.call('GET', KEYS[2])
  if not lsn or lsn < ARGV[3] then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2]) end
end
local shard = ARGV[4]
local evicted = 0
local n = (#KEYS - 2) / 2
for i = 0, n - 1 do
  redis.call('SET', KEYS[3 + 2 * i], seq, 'PX', ARGV[1])
  local set = KEYS[4 + 2 * i]
  local members = redis.call('ZRANGE', set, 0, -1)
  redis.call('DEL', set)
  for _, member in ipairs(members) do
    local head = redis.call('GETRANGE', member, 0, 3)
    if #head == 4 then
      local len = struct.unpack('>I4', head)
      local ok, header = pcall(cjson.decode, redis.call('GETRANGE', member, 4, 3 + len))
      if ok and type(header) == 'table' and type(header.tags) == 'table' then
        for _, tag in ipairs(header.tags) do redis.call('ZREM', shard .. ':t:' .. tag, member) end
      end
      evicted = evicted + redis.call('DEL', member)
    end
  end
end
return {seq, evicted}
`;

/**
 * Key names under one prefix. A shard (`o:<organizationId>`, or `public` for viewers without one; see
 * cacheShard in cache-key.ts) holds the entries, tag sets, tag versions, sequence counter and LSN mark of
 * what its viewers read and write, all under the hash tag `{<prefix>:<shard>}`: one hash slot, so every
 * script and MGET stays on one node of a Redis Cluster. The epoch, the saved documents and the bus
 * channel are single keys of their own.
 */
export class CacheKeys {
  /** The bus: hash-tagged, since sharded pub/sub routes a channel by its slot like a key. */
  readonly channel: string;
  readonly epoch: string;

  constructor(readonly prefix: string) {
    this.channel = `{${prefix}:bus}:invalidations`;
    this.epoch = `${prefix}:epoch:current`;
  }

  /** Every key of the shard starts with this; INVALIDATE_SCRIPT derives tag-set names from it as `<base>:t:<tag>`. */
  shard(shard: string): string {
    return `{${this.prefix}:${shard}}`;
  }

  /** Entries are named by epoch, so moving the epoch makes every older entry unreachable at once. */
  entry(shard: string, key: string, epoch: string): string {
    return `${this.shard(shard)}:r:${epoch}:${key}`;
  }

  seq(shard: string): string {
    return `${this.shard(shard)}:seq`;
  }

  /** The highest WAL LSN an invalidation of this shard carried (for routing reads to replicas). */
  lsn(shard: string): string {
    return `${this.shard(shard)}:lsn`;
  }

  version(shard: string, tag: string): string {
    return `${this.shard(shard)}:v:${tag}`;
  }

  tagSet(shard: string, tag: string): string {
    return `${this.shard(shard)}:t:${tag}`;
  }

  doc(name: string): string {
    return `${this.prefix}:doc:${name}`;
  }
}

// The commands defineCommand adds; the first argument is the key count.
interface ScriptCommands {
  dgStore(numberOfKeys: number, ...keysThenArgs: RedisValue[]): Promise<0 | 1>;
  dgInvalidate(numberOfKeys: number, ...keysThenArgs: RedisValue[]): Promise<[seq: number, evicted: number]>;
}

/** A connection the scripts are defined on: only these may call them. */
export type ScriptedRedis = RedisClient & ScriptCommands;

export function withScripts(client: RedisClient): ScriptedRedis {
  client.defineCommand('dgStore', { lua: STORE_SCRIPT });
  client.defineCommand('dgInvalidate', { lua: INVALIDATE_SCRIPT });
  // defineCommand adds the methods at run time; this is the one place their types meet them.
  return client as ScriptedRedis;
}

export interface StoreRequest {
  key: string;
  payload: Buffer;
  tags: readonly string[];
  ttlMs: number;
  /** The shard the entry belongs to (the reader's), and the sequence and epoch its read saw before executing. */
  shard: string;
  seq: number;
  epoch: string;
}

/** 'raced' when one of the tags was invalidated since the read. */
export async function storeIfCurrent(client: ScriptedRedis, keys: CacheKeys, request: StoreRequest): Promise<'stored' | 'raced'> {
  const { shard } = request;
  const names = [keys.entry(shard, request.key, request.epoch)];
  for (const tag of request.tags) names.push(keys.version(shard, tag), keys.tagSet(shard, tag));
  const outcome = await client.dgStore(names.length, ...names, request.payload, request.ttlMs, request.seq);
  return outcome === 1 ? 'stored' : 'raced';
}

/** A WAL position as the LSN mark stores it: 16 hex digits, zero-padded, so later ones compare greater as strings. */
export type PaddedLsn = string;

function invalidateArgs(keys: CacheKeys, shard: string, tags: readonly string[], lsn: PaddedLsn | null): [number, ...RedisValue[]] {
  const names = [keys.seq(shard), keys.lsn(shard)];
  for (const tag of tags) names.push(keys.version(shard, tag), keys.tagSet(shard, tag));
  return [names.length, ...names, VERSION_TTL_MS, COUNTER_TTL_MS, lsn ?? '', keys.shard(shard)];
}

/** Invalidates the tags in one shard (and raises its LSN mark); returns how many entries went. Announcing is the caller's. */
export async function invalidateTags(
  client: ScriptedRedis,
  keys: CacheKeys,
  shard: string,
  tags: readonly string[],
  lsn: PaddedLsn | null = null,
): Promise<number> {
  const [, evicted] = await client.dgInvalidate(...invalidateArgs(keys, shard, tags, lsn));
  return evicted;
}

/**
 * The same, followed by WAIT in one pipeline, so on the shard's master (a pipeline on a cluster goes to
 * the node of its keys): resolves once `replicas` replicas have the invalidation or `timeoutMs` passed,
 * with how many acknowledged it.
 */
export async function invalidateTagsReplicated(
  client: ScriptedRedis & Cluster,
  keys: CacheKeys,
  shard: string,
  tags: readonly string[],
  lsn: PaddedLsn | null,
  wait: { replicas: number; timeoutMs: number },
): Promise<{ evicted: number; acknowledged: number }> {
  const pipeline = client.pipeline();
  // The pipeline has the scripts defined on its client (ioredis copies them), untyped.
  (pipeline as unknown as { dgInvalidate(...args: RedisValue[]): unknown }).dgInvalidate(...invalidateArgs(keys, shard, tags, lsn));
  pipeline.wait(wait.replicas, wait.timeoutMs);
  const [script, waited] = (await pipeline.exec()) ?? [];
  const error = script ? script[0] : new Error('invalidation got no reply');
  // The slot moved (a failover): ioredis retries a pipeline only when every command failed alike, and
  // WAIT answered. The script alone follows the redirection; its replication is then not waited for.
  if (error && /^(MOVED|ASK) /.test(error.message))
    return { evicted: await invalidateTags(client, keys, shard, tags, lsn), acknowledged: 0 };
  if (error) throw error;
  if (waited?.[0]) throw waited[0];
  return { evicted: (script![1] as [number, number])[1], acknowledged: Number(waited?.[1] ?? 0) };
}

/** Sets a new epoch and returns it; the caller announces it on the bus. */
export async function bumpEpoch(client: RedisClient, keys: CacheKeys): Promise<string> {
  const epoch = randomUUID();
  await client.set(keys.epoch, epoch, 'PX', COUNTER_TTL_MS);
  return epoch;
}

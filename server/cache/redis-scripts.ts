// What the shared layer keeps in Redis and the Lua scripts that change it. A store and an invalidation
// are each one script, so they never interleave. See server/CACHE.md for the reasoning.
import { randomUUID } from 'node:crypto';
import type { Redis, RedisKey, RedisValue } from 'ioredis';
import { BusKeys, publishCommand } from './bus-scripts.ts';

/** A fill may take at most this long; tag versions live twice as long, so none it needs has expired. */
export const MAX_FILL_MS = 15_000;
const VERSION_TTL_MS = 2 * MAX_FILL_MS;
// The sequence and epoch counters expire too, after a month without writes (nothing can be in flight then).
const COUNTER_TTL_MS = 30 * 24 * 3600 * 1000;

// Atomically: refuse if the epoch moved or any tag was invalidated after the read began (its version is
// newer than the sequence number seen before execution); otherwise store the entry and add its key to
// each tag's sorted set (score = expiry), pruning members that expired.
const STORE_SCRIPT = `
local epoch = redis.call('GET', KEYS[2]) or '0'
if epoch ~= ARGV[4] then return -1 end
local s0 = tonumber(ARGV[3])
local n = (#KEYS - 2) / 2
for i = 0, n - 1 do
  local v = redis.call('GET', KEYS[3 + 2 * i])
  if v and tonumber(v) > s0 then return 0 end
end
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 0, n - 1 do
  local set = KEYS[4 + 2 * i]
  redis.call('ZADD', set, now + ttl, KEYS[1])
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
return 1
`;

// Atomically: take the next sequence number, stamp each tag's version with it (so in-flight reads of
// those tags will not be stored), and delete every entry in each tag's set. The bus announces the tags
// afterwards (bus-scripts.ts). Each
// deleted entry is also taken out of its other tags' sets (its header lists them), so tag sets hold
// live entries only and the key count follows what is cached. (Standalone Redis: the script names keys
// it derives from the entries, which Redis Cluster would not allow.)
const INVALIDATE_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local prefix = ARGV[3]
local evicted = 0
local n = (#KEYS - 1) / 2
for i = 0, n - 1 do
  redis.call('SET', KEYS[2 + 2 * i], seq, 'PX', ARGV[1])
  local set = KEYS[3 + 2 * i]
  local members = redis.call('ZRANGE', set, 0, -1)
  redis.call('DEL', set)
  for _, member in ipairs(members) do
    local head = redis.call('GETRANGE', member, 0, 3)
    if #head == 4 then
      local len = struct.unpack('>I4', head)
      local ok, header = pcall(cjson.decode, redis.call('GETRANGE', member, 4, 3 + len))
      if ok and type(header) == 'table' and type(header.tags) == 'table' then
        for _, tag in ipairs(header.tags) do redis.call('ZREM', prefix .. ':t:' .. tag, member) end
      end
      evicted = evicted + redis.call('DEL', member)
    end
  end
end
return {seq, evicted}
`;

// Moves every instance to a fresh key space: used after this instance lost Redis, since entries written
// meanwhile may lack invalidations nobody could deliver. The epoch is a random token, not a counter, so
// a Redis that restarted empty can never come back to an epoch some in-flight read remembers.
const BUMP_EPOCH_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
redis.call(ARGV[5], ARGV[1], ARGV[2] .. ARGV[4])
return ARGV[4]
`;

/** Key names under one prefix. INVALIDATE_SCRIPT derives tag-set names itself, as `<prefix>:t:<tag>`. */
export class CacheKeys {
  readonly channel: string;
  readonly seq: string;
  readonly epoch: string;

  constructor(readonly prefix: string) {
    // The epoch is announced on the bus's channel by a script, so it lives in the bus's slot.
    const bus = new BusKeys(prefix);
    this.channel = bus.channel;
    this.seq = `${prefix}:seq:invalidations`;
    this.epoch = bus.epoch;
  }

  /** Entries are named by epoch, so moving the epoch makes every older entry unreachable at once. */
  entry(key: string, epoch: string): string {
    return `${this.prefix}:r:${epoch}:${key}`;
  }

  version(tag: string): string {
    return `${this.prefix}:v:${tag}`;
  }

  tagSet(tag: string): string {
    return `${this.prefix}:t:${tag}`;
  }

  doc(name: string): string {
    return `${this.prefix}:doc:${name}`;
  }
}

// The commands defineCommand adds; the first argument of those without a fixed key count is the count.
interface ScriptCommands {
  dgStore(numberOfKeys: number, ...keysThenArgs: RedisValue[]): Promise<-1 | 0 | 1>;
  dgInvalidate(numberOfKeys: number, ...keysThenArgs: RedisValue[]): Promise<[seq: number, evicted: number]>;
  dgBumpEpoch(epochKey: RedisKey, channel: string, messagePrefix: string, ttlMs: number, epoch: string, publish: string): Promise<string>;
}

/** A connection the scripts are defined on: only these may call them. */
export type ScriptedRedis = Redis & ScriptCommands;

export function withScripts(client: Redis): ScriptedRedis {
  client.defineCommand('dgStore', { lua: STORE_SCRIPT });
  client.defineCommand('dgInvalidate', { lua: INVALIDATE_SCRIPT });
  client.defineCommand('dgBumpEpoch', { numberOfKeys: 1, lua: BUMP_EPOCH_SCRIPT });
  // defineCommand adds the methods at run time; this is the one place their types meet them.
  return client as ScriptedRedis;
}

export interface StoreRequest {
  key: string;
  payload: Buffer;
  tags: readonly string[];
  ttlMs: number;
  /** The invalidation sequence and epoch the read saw before executing. */
  seq: number;
  epoch: string;
}

/** 'epoch-moved' when the epoch is no longer the read's; 'raced' when one of the tags was invalidated since. */
export async function storeIfCurrent(
  client: ScriptedRedis,
  keys: CacheKeys,
  request: StoreRequest,
): Promise<'stored' | 'raced' | 'epoch-moved'> {
  const names = [keys.entry(request.key, request.epoch), keys.epoch];
  for (const tag of request.tags) names.push(keys.version(tag), keys.tagSet(tag));
  const outcome = await client.dgStore(names.length, ...names, request.payload, request.ttlMs, request.seq, request.epoch);
  return outcome === 1 ? 'stored' : outcome === -1 ? 'epoch-moved' : 'raced';
}

/** Invalidates the tags in one script; returns how many entries went. */
export async function invalidateTags(client: ScriptedRedis, keys: CacheKeys, tags: readonly string[]): Promise<number> {
  const names = [keys.seq];
  for (const tag of tags) names.push(keys.version(tag), keys.tagSet(tag));
  const [, evicted] = await client.dgInvalidate(names.length, ...names, VERSION_TTL_MS, COUNTER_TTL_MS, keys.prefix);
  return evicted;
}

/** Sets a new epoch and announces it as `messagePrefix` + epoch; returns it. */
export async function bumpEpoch(client: ScriptedRedis, keys: CacheKeys, messagePrefix: string): Promise<string> {
  return String(await client.dgBumpEpoch(keys.epoch, keys.channel, messagePrefix, COUNTER_TTL_MS, randomUUID(), publishCommand(client)));
}

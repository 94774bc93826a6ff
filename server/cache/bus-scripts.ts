// The invalidation bus's state in Redis: a sequence number for every announcement, and the leases of
// the live instances. Everything lives under one hash tag, `{<prefix>:bus}`, so each script touches one
// slot on a Redis Cluster, and the channels carry the same tag so a script may publish on them
// (sharded pub/sub). See server/CACHE.md, "Acknowledged invalidation".
import { Cluster, type RedisValue } from 'ioredis';
import type { RedisClient } from '../platform/redis-connection.ts';

// The sequence counter lives as long as the cache's (a month without writes: nothing can be in flight).
const COUNTER_TTL_MS = 30 * 24 * 3600 * 1000;

// Atomically: number the announcement, publish it as `<seq>|<message>`, and return the sequence number,
// Redis's clock and every lease still running (others whose leases ran out are dropped). An instance
// renews only after applying every announcement up to the current number (RENEW below), so a lease
// read here can only be extended by an instance that has applied this one.
const ANNOUNCE_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call(ARGV[4], ARGV[1], seq .. '|' .. ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local flat = redis.call('HGETALL', KEYS[2])
local live = {seq, now}
for i = 1, #flat, 2 do
  local expiry = tonumber(flat[i + 1])
  if expiry <= now then redis.call('HDEL', KEYS[2], flat[i]) else
    table.insert(live, flat[i])
    table.insert(live, expiry)
  end
end
return live
`;

// An instance's lease, extended only if it has applied every announcement numbered so far, or when it
// joins (it has just emptied its L1, so nothing announced before can be in it). Returns
// {granted, current sequence}; a refused instance renews again once it has caught up.
const RENEW_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[4] ~= '1' and tonumber(ARGV[2]) < current then return {0, current} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) * 10)
return {1, current}
`;

/** Key and channel names of the bus, all in the slot of `{<prefix>:bus}`. */
export class BusKeys {
  readonly channel: string;
  readonly seq: string;
  readonly leases: string;
  /** The newest cache tag vocabulary of the instances sharing this Redis (tag-vocabulary.ts). */
  readonly vocabulary: string;

  constructor(prefix: string) {
    const tag = `{${prefix}:bus}`;
    this.channel = `${tag}:invalidations`;
    this.seq = `${tag}:seq`;
    this.leases = `${tag}:leases`;
    this.vocabulary = `${tag}:vocabulary`;
  }
}

interface BusScriptCommands {
  dgAnnounce(seqKey: string, leasesKey: string, ...args: RedisValue[]): Promise<(number | string)[]>;
  dgRenew(seqKey: string, leasesKey: string, ...args: RedisValue[]): Promise<[number, number]>;
}

/** A connection the bus scripts are defined on. */
export type BusRedis = RedisClient & BusScriptCommands;

export function withBusScripts(client: RedisClient): BusRedis {
  client.defineCommand('dgAnnounce', { numberOfKeys: 2, lua: ANNOUNCE_SCRIPT });
  client.defineCommand('dgRenew', { numberOfKeys: 2, lua: RENEW_SCRIPT });
  // defineCommand adds the methods at run time; this is the one place their types meet them.
  return client as BusRedis;
}

/** PUBLISH on one Redis, SPUBLISH (sharded: delivered by the channel's own shard) on a Cluster. */
function publishCommand(client: RedisClient): 'PUBLISH' | 'SPUBLISH' {
  return client instanceof Cluster ? 'SPUBLISH' : 'PUBLISH';
}

export interface Announcement {
  seq: number;
  /** Instance → milliseconds its lease had left when Redis numbered the announcement. */
  leases: Map<string, number>;
}

export async function announce(client: BusRedis, keys: BusKeys, message: string): Promise<Announcement> {
  const reply = await client.dgAnnounce(keys.seq, keys.leases, keys.channel, message, COUNTER_TTL_MS, publishCommand(client));
  const seq = Number(reply[0]);
  const now = Number(reply[1]);
  const leases = new Map<string, number>();
  for (let i = 2; i < reply.length; i += 2) leases.set(String(reply[i]), Number(reply[i + 1]) - now);
  return { seq, leases };
}

export async function renewLease(
  client: BusRedis,
  keys: BusKeys,
  instance: string,
  applied: number,
  leaseMs: number,
  joining: boolean,
): Promise<{ granted: boolean; current: number }> {
  const [granted, current] = await client.dgRenew(keys.seq, keys.leases, instance, applied, leaseMs, joining ? '1' : '0');
  return { granted: granted === 1, current: Number(current) };
}

/** Gives the lease up at shutdown, so writers stop waiting for this instance at once. */
export async function dropLease(client: RedisClient, keys: BusKeys, instance: string): Promise<void> {
  await client.hdel(keys.leases, instance);
}

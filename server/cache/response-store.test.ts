// The store's rules, step by step and deterministic: a read that began before an invalidation is never
// stored after it, instances share L2 and drop each other's L1 copies, and Redis stays bounded.
// In process always; against the real Redis too when TEST_REDIS_URL is set, and against a real Redis
// Cluster when TEST_REDIS_CLUSTER_NODES is (scripts/test-services.sh starts both).
import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeClient, targets } from '../../test/redis-targets.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetrics } from '../platform/metrics.ts';
import type { RedisTarget } from '../platform/redis-connection.ts';
import { ResponseStore } from './response-store.ts';

// The shard of the organization every test writes in, and another one.
const SHARD = 'o:1';
const OTHER_SHARD = 'o:2';
const logger = createLogger({ logLevel: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent' });

function entry(tags: string[], body = '{"data":{"x":1}}', ttlMs = 60_000) {
  return { bytes: Buffer.from(body), tags, ttlMs };
}

const variants: [string, RedisTarget | null][] = [['in process', null], ...targets()];

/** Registers per-test hooks: a fresh Redis key space for each test, and every store closed after it. */
function useStores(target: RedisTarget | null) {
  const stores: ResponseStore[] = [];
  let prefix = '';
  beforeEach(() => {
    prefix = `unit-${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  return {
    prefix: () => prefix,
    async newStore(): Promise<ResponseStore> {
      const store = new ResponseStore({
        l1MaxEntries: 100,
        l1MaxBytes: 1 << 20,
        redis: target ? { target, keyPrefix: prefix, timeoutMs: 1000, confirmMs: 2000 } : null,
        logger,
        metrics: createMetrics(),
      });
      stores.push(store);
      if (store.redis) {
        expect(await store.redis.whenHealthy(5000)).toBe(true);
        // Serving starts once its lease is granted (the first renewal after Redis is up).
        const until = Date.now() + 5000;
        while (!store.usable && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        expect(store.usable).toBe(true);
      }
      return store;
    },
  };
}

describe.each(variants)('ResponseStore %s', (_name, target) => {
  const withRedis = target !== null;
  const { newStore } = useStores(target);

  it('stores a fill and answers the next lookup with the same bytes', async () => {
    const store = await newStore();
    const read = await store.lookup('k1', SHARD);
    expect(read.entry).toBeNull();
    await store.fill('k1', entry(['Ticket:1']), read, Date.now());
    const again = await store.lookup('k1', SHARD);
    expect(again.layer).toBe('l1');
    expect(again.entry?.bytes.toString()).toBe('{"data":{"x":1}}');
  });

  it('refuses a fill whose read began before an invalidation of one of its tags', async () => {
    const store = await newStore();
    const read = await store.lookup('k2', SHARD);
    await store.invalidate(['Ticket:1'], SHARD);
    await store.fill('k2', entry(['Ticket:1', 'tickets@org:1']), read, Date.now());
    expect((await store.lookup('k2', SHARD)).entry).toBeNull();

    // An invalidation of an unrelated tag does not stop it.
    const read2 = await store.lookup('k2', SHARD);
    await store.invalidate(['Ticket:2'], SHARD);
    await store.fill('k2', entry(['Ticket:1']), read2, Date.now());
    expect((await store.lookup('k2', SHARD)).entry).not.toBeNull();
  });

  it('drops exactly the entries holding an invalidated tag', async () => {
    const store = await newStore();
    for (const [key, tags] of [
      ['a', ['Ticket:1']],
      ['b', ['Ticket:1', 'tickets@org:1']],
      ['c', ['Ticket:2']],
      ['d', ['tickets@org:2']],
    ] as const) {
      await store.fill(key, entry([...tags]), await store.lookup(key, SHARD), Date.now());
    }
    const evicted = await store.invalidate(['Ticket:1'], SHARD);
    // Local L1 copies, plus the Redis copies when there is Redis.
    expect(evicted).toBe(withRedis ? 4 : 2);
    expect((await store.lookup('a', SHARD)).entry).toBeNull();
    expect((await store.lookup('b', SHARD)).entry).toBeNull();
    expect((await store.lookup('c', SHARD)).entry).not.toBeNull();
    expect((await store.lookup('d', SHARD)).entry).not.toBeNull();
  });

  it('lets N concurrent misses run once: one leader, the others get its entry', async () => {
    const store = await newStore();
    const leader = await store.joinFlight('k3', SHARD);
    expect(leader.leader).toBe(true);
    let settled = 0;
    const followers = Promise.all(Array.from({ length: 4 }, () => store.joinFlight('k3', SHARD).finally(() => (settled += 1))));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled, 'followers wait for the leader').toBe(0);
    const produced = entry(['Ticket:9']);
    (leader as { release(value: unknown): void }).release(produced);
    for (const follower of await followers) expect(follower).toEqual({ leader: false, entry: produced, warmed: false });
    // Once released, the next miss leads a new flight.
    expect((await store.joinFlight('k3', SHARD)).leader).toBe(true);
  });

  it("gives the leader's result to followers that joined before an invalidation of its tags; those after execute once", async () => {
    const store = await newStore();
    const leader = await store.joinFlight('k4', SHARD);
    const before = store.joinFlight('k4', SHARD);
    await store.invalidate(['Ticket:8'], SHARD); // not one of the result's tags
    const afterOther = store.joinFlight('k4', SHARD);
    await store.invalidate(['Ticket:9'], SHARD);
    const after = store.joinFlight('k4', SHARD);
    const produced = entry(['Ticket:9']);
    (leader as { release(value: unknown): void }).release(produced);
    // Joined before the write's invalidation: concurrent with it, so the leader's result will do.
    expect(await before).toEqual({ leader: false, entry: produced, warmed: false });
    expect(await afterOther).toEqual({ leader: false, entry: produced, warmed: false });
    // Joined after it: the result may predate a write acknowledged before this read began. Those refused
    // execute once: the first leads a new flight (marked, so it reads again before filling).
    const retry = await after;
    expect(retry).toMatchObject({ leader: true, refused: true });
    const follower = store.joinFlight('k4', SHARD);
    const fresh = entry(['Ticket:9'], '{"data":{"x":2}}');
    (retry as { release(value: unknown): void }).release(fresh);
    expect(await follower).toEqual({ leader: false, entry: fresh, warmed: false });
  });
});

// Only meaningful with a shared layer: several instances, one Redis (or one cluster).
describe.each(targets())('ResponseStore instances sharing a %s', (_name, target) => {
  const { newStore, prefix: currentPrefix } = useStores(target);
  // Every key of a shard carries its hash tag.
  const shardKey = (rest: string) => `{${currentPrefix()}:${SHARD}}:${rest}`;

  it('shares L2 between instances and drops the other instance’s L1 copy on invalidation', async () => {
    const a = await newStore();
    const b = await newStore();
    await a.fill('k4', entry(['Ticket:4']), await a.lookup('k4', SHARD), Date.now());
    const fromB = await b.lookup('k4', SHARD);
    expect(fromB.layer).toBe('l2');
    expect((await b.lookup('k4', SHARD)).layer).toBe('l1');

    // Acknowledged: when invalidate resolves, B has already dropped its copy.
    await a.invalidate(['Ticket:4'], SHARD);
    expect(b.l1.get('k4')).toBeUndefined();
    expect((await b.lookup('k4', SHARD)).entry).toBeNull();
  });

  it('a write waits for every leased instance: B applied each of 50 invalidations when A returns', async () => {
    const a = await newStore();
    const b = await newStore();
    for (let i = 0; i < 50; i++) {
      await b.fill(`w${i}`, entry([`Ticket:w${i}`]), await b.lookup(`w${i}`, SHARD), Date.now());
      expect(b.l1.get(`w${i}`)).toBeDefined();
      await a.invalidate([`Ticket:w${i}`], SHARD);
      expect(b.l1.get(`w${i}`), `invalidation ${i}`).toBeUndefined();
    }
  });

  it('refuses a fill when another instance invalidated the tag, even before its message arrives', async () => {
    const a = await newStore();
    const b = await newStore();
    const read = await b.lookup('k5', SHARD);
    await a.invalidate(['Ticket:5'], SHARD);
    // Whether or not B heard about it yet, Redis's version check refuses the store.
    await b.fill('k5', entry(['Ticket:5']), read, Date.now());
    expect((await b.lookup('k5', SHARD)).entry).toBeNull();
    expect((await a.lookup('k5', SHARD)).entry).toBeNull();
  });

  it("takes an invalidated entry out of its other tags' sets too", async () => {
    const store = await newStore();
    await store.fill('multi', entry(['Ticket:8', 'tickets@org:8', 'User:8']), await store.lookup('multi', SHARD), Date.now());
    await store.fill('other', entry(['tickets@org:8']), await store.lookup('other', SHARD), Date.now());
    await store.invalidate(['Ticket:8'], SHARD);
    const redis = probeClient(target);
    try {
      expect(await redis.exists(shardKey('t:Ticket:8'), shardKey('t:User:8'))).toBe(0);
      expect(await redis.zcard(shardKey('t:tickets@org:8'))).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps Redis bounded: every key expires, expired members leave the tag sets', async () => {
    const store = await newStore();
    for (let i = 0; i < 20; i += 1)
      await store.fill(`short-${i}`, entry(['tickets@org:7'], '{"data":{}}', 50), await store.lookup(`short-${i}`, SHARD), Date.now());
    await new Promise((r) => setTimeout(r, 120));
    await store.fill('long', entry(['tickets@org:7']), await store.lookup('long', SHARD), Date.now());
    await store.invalidate(['Ticket:77'], SHARD);

    const redis = probeClient(target);
    try {
      expect(await redis.zcard(shardKey('t:tickets@org:7'))).toBe(1);
      const keys: string[] = [];
      const nodes = redis instanceof Cluster ? (await redis.ping(), redis.nodes('master')) : [redis];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', `{${currentPrefix()}:*`, 'COUNT', 500);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
      }
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps every key of a shard in one hash slot, and an invalidation touches only its shard', async () => {
    const a = await newStore();
    const b = await newStore();
    await a.fill('mine', entry(['Ticket:6', 'tickets@org:1']), await a.lookup('mine', SHARD), Date.now());
    await a.fill('theirs', entry(['Ticket:6']), await a.lookup('theirs', OTHER_SHARD), Date.now());
    await a.invalidate(['Ticket:6'], SHARD);
    const redis = probeClient(target);
    try {
      const names = [shardKey('seq'), shardKey('lsn'), shardKey('v:Ticket:6'), shardKey('t:tickets@org:1')];
      const slots = await Promise.all(names.map((name) => redis.cluster('KEYSLOT', name).catch(() => null)));
      if (target.kind === 'cluster') expect(new Set(slots).size).toBe(1);
      // The same tag's entry in the other shard is still in Redis (B has no L1 copy: it comes from L2).
      expect((await b.lookup('theirs', OTHER_SHARD)).layer).toBe('l2');
      expect((await b.lookup('mine', SHARD)).entry).toBeNull();
    } finally {
      redis.disconnect();
    }
  });

  it('returns the highest LSN an invalidation of the shard carried with every read of it', async () => {
    const store = await newStore();
    expect((await store.lookup('lsn', SHARD)).redisLsn).toBeNull();
    await store.invalidate(['Ticket:3'], SHARD, { lsn: '00000000016B3748' });
    // An older LSN (a write that committed earlier and invalidated later) does not lower it.
    await store.invalidate(['Ticket:3'], SHARD, { lsn: '00000000016B0000' });
    const read = await store.lookup('lsn', SHARD);
    expect(read.redisLsn).toBe('00000000016B3748');
    expect((await store.lookup('lsn', OTHER_SHARD)).redisLsn).toBeNull();
  });
});

describe('ResponseStore when Redis cannot be reached', () => {
  it('a write whose invalidation cannot be delivered within the confirmation window is WRITE_UNCONFIRMED', async () => {
    const store = new ResponseStore({
      l1MaxEntries: 100,
      l1MaxBytes: 1 << 20,
      // Nothing listens on port 1: every command fails at once.
      redis: { target: { kind: 'single', url: 'redis://127.0.0.1:1' }, keyPrefix: 'unreachable', timeoutMs: 50, confirmMs: 100 },
      logger,
      metrics: createMetrics(),
    });
    try {
      expect(store.writable).toBe(false);
      await expect(store.invalidate(['Ticket:1'], 'public')).rejects.toMatchObject({ extensions: { code: 'WRITE_UNCONFIRMED' } });
    } finally {
      await store.close();
    }
  });
});

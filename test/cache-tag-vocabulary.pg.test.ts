// A rolling upgrade that changes the cache tag vocabulary (server/cache/tag-vocabulary.ts): an instance
// of the older vocabulary sharing Redis with a newer one stops serving cached responses, whether the newer
// one connects after it (the bus announcement) or before (the recorded vocabulary), and still delivers its
// writes' invalidations. On the real Redis and the real Redis Cluster.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_TAG_VOCABULARY } from '../schema/cache-tags.ts';
import { createLogger } from '../server/platform/logger.ts';
import { createMetrics } from '../server/platform/metrics.ts';
import { ResponseStore } from '../server/cache/response-store.ts';
import type { RedisTarget } from '../server/platform/redis-connection.ts';
import { targets } from './redis-targets.ts';

const SHARD = 'o:1';
const logger = createLogger({ logLevel: 'silent' });
const entry = (tags: string[]) => ({ bytes: Buffer.from('{"data":{"x":1}}'), tags, ttlMs: 60_000 });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(condition(), what).toBe(true);
}

describe.each(targets())('cache tag vocabulary on %s', (_name, target: RedisTarget) => {
  const stores: ResponseStore[] = [];
  const prefix = `vocab-${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  async function start(keyPrefix: string, tagVocabulary: number): Promise<ResponseStore> {
    const store = new ResponseStore({
      l1MaxEntries: 100,
      l1MaxBytes: 1 << 20,
      redis: { target, keyPrefix, timeoutMs: 1000, confirmMs: 2000, tagVocabulary },
      logger,
      metrics: createMetrics(),
    });
    stores.push(store);
    expect(await store.redis!.whenHealthy(5000)).toBe(true);
    return store;
  }

  it('an older instance stops serving when a newer one connects, and its writes still reach the newer one', async () => {
    const keyPrefix = `${prefix}-a`;
    const older = await start(keyPrefix, CACHE_TAG_VOCABULARY);
    await until(() => older.usable, 'the older instance serves while alone');
    await older.fill('k1', entry(['Ticket:1']), await older.lookup('k1', SHARD), Date.now());
    expect((await older.lookup('k1', SHARD)).layer).toBe('l1');

    const newer = await start(keyPrefix, CACHE_TAG_VOCABULARY + 1);
    await until(() => newer.usable, 'the newer instance serves');
    await until(() => !older.usable, 'the older instance stops serving once the newer one announced itself');
    expect((await older.lookup('k1', SHARD)).entry).toBeNull();
    expect(older.writable).toBe(true);

    await newer.fill('k2', entry(['Ticket:2']), await newer.lookup('k2', SHARD), Date.now());
    expect((await newer.lookup('k2', SHARD)).entry).not.toBeNull();
    await older.invalidate(['Ticket:2'], SHARD);
    await until(() => newer.peek('k2') === undefined, "the older instance's write evicts the newer one's entry");
    expect((await newer.lookup('k2', SHARD)).entry).toBeNull();
  });

  it('an instance older than the vocabulary recorded in Redis never serves; an equal one does', async () => {
    const keyPrefix = `${prefix}-b`;
    await start(keyPrefix, CACHE_TAG_VOCABULARY + 1);
    const older = await start(keyPrefix, CACHE_TAG_VOCABULARY);
    const same = await start(keyPrefix, CACHE_TAG_VOCABULARY + 1);
    await until(() => same.usable, 'an instance of the recorded vocabulary serves');
    // Its Redis works (it delivers writes) and it has had the time the others took to get their lease.
    expect(older.writable).toBe(true);
    expect(older.usable).toBe(false);
    expect((await older.lookup('k1', SHARD)).entry).toBeNull();
  });
});

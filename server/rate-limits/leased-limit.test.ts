// The leased token limit: instances lease chunks of a token's budget from one shared limiter, so the
// shared store sees about one call per chunk, the budget is never overspent, its last points stay
// usable, and a lease ends with the store's window.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createLogger } from '../platform/logger.ts';
import { testAuthConfig } from '../../test/harness.ts';
import { LeasedLimit, leaseChunk } from './leased-limit.ts';
import { createRateLimits } from './rate-limits.ts';

const logger = createLogger({ logLevel: 'silent' } as never);

/** Counts the calls that reach the shared limiter (each one a Redis round trip in production). */
function counted<T extends RateLimiterAbstract>(limiter: T): { limiter: T; consumes: number[] } {
  const consumes: number[] = [];
  const consume = limiter.consume.bind(limiter);
  limiter.consume = (key, points = 1, options) => {
    consumes.push(points);
    return consume(key, points, options);
  };
  return { limiter, consumes };
}

/** Takes on each instance in turn (by pattern, skipping refused ones) until each is refused once; counts what was allowed. */
async function drain(instances: LeasedLimit[], key: string, pattern: number[]) {
  let allowed = 0;
  const refused = new Set<number>();
  for (let i = 0; refused.size < instances.length; i += 1) {
    const which = pattern[i % pattern.length]!;
    if (refused.has(which)) continue;
    const wait = await instances[which]!.take(key);
    if (wait === null) allowed += 1;
    else {
      expect(wait).toBeGreaterThan(0);
      refused.add(which);
    }
    expect(i).toBeLessThan(10_000);
  }
  // Refused in a window stays refused: the shared count only grows.
  for (const instance of instances) expect(await instance.take(key)).toBeGreaterThan(0);
  return allowed;
}

describe('lease chunk', () => {
  it('is exact for small budgets, 60 at the default 1200 a minute, and never more than 100', () => {
    expect([1, 3, 6, 19, 20, 39, 40, 200, 1200, 2000, 100_000].map(leaseChunk)).toEqual([1, 1, 1, 1, 1, 1, 2, 10, 60, 100, 100]);
  });
});

describe('leased limit over one shared store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('two instances together spend exactly the budget of 200, refuse after it, and call the store about once per 10 requests', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 200, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    const b = new LeasedLimit(limiter, logger, { chunk: 10 });
    // Uneven: a uses its leases three times as fast, so b still holds leased points when a reaches the end.
    const allowed = await drain([a, b], 'token-1', [0, 0, 0, 1]);
    expect(allowed).toBeGreaterThanOrEqual(200);
    expect(allowed).toBeLessThanOrEqual(200 + 9 * 2);
    // While the store answers, leases come only out of points it still had: never more than the budget.
    expect(allowed).toBe(200);
    // 20 leases, the refused chunks that hand out the last points, and the exact refusals after.
    const requests = allowed + 4;
    expect(consumes.length).toBeLessThanOrEqual(requests / 10 + 8);
    expect(consumes.filter((points) => points === 10).length).toBeLessThanOrEqual(22);
  });

  it('serves the last points of a budget that is not a multiple of the chunk, then refuses with the window left', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 25, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    const outcomes: (number | null)[] = [];
    for (let i = 0; i < 27; i += 1) outcomes.push(await a.take('token-2'));
    expect(outcomes.slice(0, 25)).toEqual(Array(25).fill(null));
    expect(outcomes[25]).toBeGreaterThan(50);
    expect(outcomes[25]).toBeLessThanOrEqual(60);
    expect(outcomes[26]).toBeGreaterThan(0);
    // Two chunks, the refused third that still had 5 points, then one point at a time.
    expect(consumes).toEqual([10, 10, 10, 1, 1]);
  });

  it('leases ahead: a busy token is served from the lease in hand while the store answers for the next', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 1000, duration: 60 }));
    // The store answers only when the test says so.
    const held: (() => void)[] = [];
    const consume = limiter.consume.bind(limiter);
    limiter.consume = (key, points, options) =>
      new Promise((resolve, reject) => held.push(() => void consume(key, points, options).then(resolve, reject)));
    const answer = () => held.splice(0).forEach((go) => go());
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    const a = new LeasedLimit(limiter, logger, { chunk: 8 });
    const outcomes: (number | null)[] = [];
    const take = () => void a.take('busy').then((wait) => outcomes.push(wait));
    take();
    await settled();
    expect(outcomes).toEqual([]); // a cold token waits for its first lease
    answer();
    await settled();
    expect(outcomes).toEqual([null]);
    // 7 points left: at 2 the next lease is asked for, and the last 2 are served without waiting for it.
    for (let i = 0; i < 7; i += 1) take();
    await settled();
    expect(outcomes).toEqual(Array(8).fill(null));
    expect(held).toHaveLength(1); // the lease asked ahead, still unanswered
    // Only a request beyond the lease in hand waits, for the lease already on its way (no third call).
    take();
    await settled();
    expect(outcomes).toHaveLength(8);
    answer();
    await settled();
    expect(outcomes).toEqual(Array(9).fill(null));
    expect(consumes).toEqual([8, 8]);
  });

  it('another token has its own lease and budget', async () => {
    const { limiter } = counted(new RateLimiterMemory({ points: 20, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    expect(await drain([a], 'token-3', [0])).toBe(20);
    expect(await a.take('token-4')).toBeNull();
  });

  it('takeNow spends a leased point in process, and tells nothing (spending nothing) when only the store can', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 4, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 2 });
    expect(a.takeNow('sync')).toBeUndefined(); // no lease yet
    expect(await a.take('sync')).toBeNull(); // leases 2, spends 1
    expect([a.takeNow('sync'), a.takeNow('sync')]).toEqual([null, undefined]);
    expect(await a.take('sync')).toBeNull(); // the second lease
    expect(a.takeNow('sync')).toBeNull();
    // The budget of 4 is spent, and the refusal is the store's, through take.
    expect(a.takeNow('sync')).toBeUndefined();
    expect(await a.take('sync')).toBeGreaterThan(0);
    expect(consumes).toEqual([2, 2, 2, 1]); // the refused chunk, then one point at a time
  });

  it('concurrent requests of a cold token share one lease request (and the one leased ahead)', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 200, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    expect(await Promise.all(Array.from({ length: 10 }, () => a.take('cold')))).toEqual(Array(10).fill(null));
    // the lease, and the next one asked for once the first was down to 2 points
    expect(consumes).toEqual([10, 10]);
    // More than a chunk at once: the ones left over share the lease asked ahead.
    expect(await Promise.all(Array.from({ length: 15 }, () => a.take('cold-2')))).toEqual(Array(15).fill(null));
    expect(consumes).toEqual([10, 10, 10, 10]);
  });

  it('a lease ends with the window: its unused points do not carry over, and a refused token is served again', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 20, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    expect(await a.take('token-5')).toBeNull();
    expect(consumes).toEqual([10]);
    vi.advanceTimersByTime(60_000);
    // The 9 leased points left are gone with the window: a new lease is counted in the new window.
    expect(await a.take('token-5')).toBeNull();
    expect(consumes).toEqual([10, 10]);
    expect((await limiter.get('token-5'))?.consumedPoints).toBe(10);
    // Spend this window, get refused, and be served again in the next one.
    expect(await drain([a], 'token-5', [0])).toBe(19);
    vi.advanceTimersByTime(60_000);
    expect(await a.take('token-5')).toBeNull();
    expect((await limiter.get('token-5'))?.consumedPoints).toBe(10);
  });

  it('reset drops the lease with the count', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 20, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: 10 });
    await a.take('token-6');
    await a.reset('token-6');
    expect(await limiter.get('token-6')).toBeNull();
    await a.take('token-6');
    expect(consumes).toEqual([10, 10]);
  });

  it('1000 requests of one token at the default 1200 a minute cost 17 store calls instead of 1000', async () => {
    const { limiter, consumes } = counted(new RateLimiterMemory({ points: 1200, duration: 60 }));
    const a = new LeasedLimit(limiter, logger, { chunk: leaseChunk(1200) });
    for (let i = 0; i < 1000; i += 1) expect(await a.take('busy')).toBeNull();
    expect(consumes.length).toBe(17);
  });
});

describe('leased token limit in process (no Redis)', () => {
  it('leases from the in-process counter and stays exact: 100 a minute serve 100, then refuse', async () => {
    const limits = createRateLimits(testAuthConfig({ tokenRequestsPerMinute: 100 }), null, logger);
    try {
      expect(limits.token).toBeInstanceOf(LeasedLimit);
      const outcomes: (number | null)[] = [];
      for (let i = 0; i < 102; i += 1) outcomes.push(await limits.token!.take('local-hash'));
      expect(outcomes.slice(0, 100)).toEqual(Array(100).fill(null));
      expect(outcomes[100]).toBeGreaterThan(0);
      expect(outcomes[101]).toBeGreaterThan(0);
      expect(await limits.token!.take('other-hash')).toBeNull();
    } finally {
      await limits.close();
    }
  });
});

describe('leased token limit on Redis', () => {
  it('with Redis unreachable, no request fails: the insurance limiter leases, and refuses after the budget', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const limits = createRateLimits(
      testAuthConfig({ tokenRequestsPerMinute: 40 }),
      { target: { kind: 'single', url: `redis://127.0.0.1:${port}` }, keyPrefix: 'test-down', timeoutMs: 50 },
      logger,
    );
    try {
      expect(limits.token).toBeInstanceOf(LeasedLimit);
      const outcomes: (number | null)[] = [];
      for (let i = 0; i < 41; i += 1) outcomes.push(await limits.token!.take('some-token-hash'));
      expect(outcomes.slice(0, 40)).toEqual(Array(40).fill(null));
      expect(outcomes[40]).toBeGreaterThan(0);
    } finally {
      await limits.close();
    }
  });

  it.skipIf(!process.env.TEST_REDIS_URL)(
    'two instances on RateLimiterRedis spend the budget of 200 once, with about one round trip per 10 requests',
    async () => {
      const { Redis } = await import('ioredis');
      const redis = new Redis(process.env.TEST_REDIS_URL!);
      try {
        await redis.ping();
        const keyPrefix = `test-lease-${process.pid}-${Date.now()}`;
        const { limiter, consumes } = counted(new RateLimiterRedis({ storeClient: redis, points: 200, duration: 60, keyPrefix }));
        const a = new LeasedLimit(limiter, logger, { chunk: 10 });
        const b = new LeasedLimit(limiter, logger, { chunk: 10 });
        const allowed = await drain([a, b], 'shared', [0, 1, 1]);
        expect(allowed).toBeGreaterThanOrEqual(200);
        expect(allowed).toBeLessThanOrEqual(200 + 9 * 2);
        expect(allowed).toBe(200);
        expect(consumes.length).toBeLessThanOrEqual((allowed + 4) / 10 + 8);
        // The count lives in Redis, where both instances leased from.
        expect(Number(await redis.get(`${keyPrefix}:shared`))).toBeGreaterThanOrEqual(200);
        // Concurrent requests of a cold token on Redis: one round trip, and one for the lease asked ahead.
        const before = consumes.length;
        expect(await Promise.all(Array.from({ length: 10 }, () => a.take('cold')))).toEqual(Array(10).fill(null));
        expect(consumes.length - before).toBe(2);
      } finally {
        redis.disconnect();
      }
    },
  );

  it.skipIf(!process.env.TEST_REDIS_URL)(
    "the server's token limit at the default 1200 a minute leases 60 points at a time in Redis",
    async () => {
      const { Redis } = await import('ioredis');
      const probe = new Redis(process.env.TEST_REDIS_URL!);
      const store = {
        target: { kind: 'single' as const, url: process.env.TEST_REDIS_URL! },
        keyPrefix: `test-lease-app-${process.pid}-${Date.now()}`,
        timeoutMs: 1000,
      };
      const limits = createRateLimits(testAuthConfig({ tokenRequestsPerMinute: 1200 }), store, logger);
      try {
        expect(limits.token).toBeInstanceOf(LeasedLimit);
        // Login limits stay exact: one Redis increment per attempt.
        expect(limits.loginPerIp).not.toBeInstanceOf(LeasedLimit);
        // Wait for the limiter's connection, so the counts go to Redis rather than to the insurance limiter.
        await probe.ping();
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = 0; i < 100; i += 1) expect(await limits.token!.take('app-hash')).toBeNull();
        expect(await probe.get(`${store.keyPrefix}:rl:token:app-hash`)).toBe('120');
      } finally {
        probe.disconnect();
        await limits.close();
      }
    },
  );
});

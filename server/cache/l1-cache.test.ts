// L1's byte bound covers everything an entry holds, including the forms attached after it was stored
// (sent body, gzip and br copies, the parsed result), and holds when attaching them pushes it over.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../platform/logger.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import {
  L1_BUFFER_OVERHEAD_BYTES,
  L1_ENTRY_OVERHEAD_BYTES,
  L1_HEAD_OVERHEAD_BYTES,
  L1_PARSED_BYTES_PER_JSON_BYTE,
  L1_TAG_OVERHEAD_BYTES,
  type CachedResponse,
} from './l1-cache.ts';
import { ResponseStore } from './response-store.ts';

const logger = createLogger({ logLevel: 'silent' });
const MAX_BYTES = 64 * 1024;
const ENCODINGS = [null, 'gzip', 'br'] as const;

// As the fast path extends the stored bytes when CACHE_METADATA is on.
const extend = (bytes: Buffer) =>
  Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from(',"extensions":{"responseCache":{"hit":true}}}')]);

// A ticket list of about 4 KB that compresses the way real ones do (repeated keys, varied titles).
function ticketList(seed: number): string {
  const words = ['printer', 'jammed', 'third', 'floor', 'laptop', 'battery', 'vpn', 'password', 'reset', 'outlook', 'slow', 'again'];
  let state = seed + 1;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  const edges = Array.from({ length: 40 }, (_, i) => ({
    node: {
      id: Buffer.from(`Ticket:${next()}`).toString('base64'),
      title: Array.from({ length: 5 }, () => words[(next() >>> 16) % words.length]).join(' '),
      n: i,
    },
  }));
  return JSON.stringify({ data: { tickets: { edges } } });
}

const stores: ResponseStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function newStore(metrics: Metrics = createMetrics()): ResponseStore {
  const store = new ResponseStore({ l1MaxEntries: 1000, l1MaxBytes: MAX_BYTES, redis: null, logger, metrics });
  stores.push(store);
  return store;
}

async function stored(
  store: ResponseStore,
  key: string,
  body: string,
  tags = [`Ticket:${key}`, 'tickets@org:1'],
  ttlMs = 60_000,
): Promise<CachedResponse> {
  await store.fill(key, { bytes: Buffer.from(body), tags, ttlMs }, await store.lookup(key, 'o:1'), Date.now());
  const entry = store.l1.get(key);
  if (!entry) throw new Error(`${key} was not stored`);
  return entry;
}

/** Every distinct buffer an entry holds. */
function buffers(entry: CachedResponse): Buffer[] {
  return [...new Set([entry.bytes, entry.sent, ...Object.values(entry.encoded ?? {})].filter((b): b is Buffer => b !== undefined))];
}

/** The documented cost of an entry, worked out from what it holds. */
function expectedSize(entry: CachedResponse): number {
  let size = L1_ENTRY_OVERHEAD_BYTES + entry.tags.length * L1_TAG_OVERHEAD_BYTES;
  for (const buffer of buffers(entry)) size += L1_BUFFER_OVERHEAD_BYTES + buffer.length;
  if (entry.parsed !== undefined) size += L1_PARSED_BYTES_PER_JSON_BYTE * entry.bytes.length;
  size += (entry.heads ?? []).filter(Boolean).length * L1_HEAD_OVERHEAD_BYTES;
  return size;
}

function evictions(metrics: Metrics, reason: string): Promise<number> {
  return metrics.cacheEvictions.get().then((m) => m.values.find((v) => v.labels.layer === 'l1' && v.labels.reason === reason)?.value ?? 0);
}

describe('L1 byte bound', () => {
  it('counts every form attached to an entry, and evicts when attaching pushes it over', async () => {
    const metrics = createMetrics();
    const store = newStore(metrics);
    const entries = new Map<string, CachedResponse>();
    const check = () => {
      const held = [...entries].filter(([key, entry]) => store.l1.holds(key, entry));
      expect(held.length).toBe(store.l1.size);
      expect(store.l1.bytes).toBe(held.reduce((sum, [, entry]) => sum + expectedSize(entry), 0));
      expect(store.l1.bytes).toBeLessThanOrEqual(MAX_BYTES);
      // Lengths are the memory held only if no buffer is a view into a larger one.
      for (const [, entry] of held) for (const buffer of buffers(entry)) expect(buffer.buffer.byteLength).toBe(buffer.length);
    };

    // Stored as they come from execution: L1 fills up with bare entries, the oldest evicted.
    for (let i = 0; i < 30; i += 1) {
      entries.set(`k${i}`, await stored(store, `k${i}`, ticketList(i)));
      check();
    }
    const full = store.l1.size;
    expect(full).toBeLessThan(30);

    // Then hits, as the fast path serves them (peek, then send), in each coding; some go through the
    // GraphQL path too. L1 is full, so what the attaches add must push older entries out.
    let evictedByAttach = 0;
    for (const [key] of entries) {
      const entry = store.peek(key);
      if (!entry) continue;
      for (const encoding of ENCODINGS) {
        const before = store.l1.size;
        const form = store.sendForm(key, entry, encoding, extend);
        expect(form.body).toBe(entry.sent);
        expect(form.encoded?.body ?? null).toBe(encoding ? entry.encoded?.[encoding] : null);
        if (store.l1.size < before) evictedByAttach += 1;
        check();
      }
      if (key.endsWith('5')) {
        store.parsedResult(key, entry);
        check();
      }
      // The headers of a hit, per kind of request: kept on the entry (and counted) unless made for an Origin.
      if (store.l1.holds(key, entry)) {
        const variant = { type: 'application/json', encoding: 'gzip', get: true, hasToken: true, cors: null } as const;
        const head = store.hitHead(key, entry, variant, extend);
        expect(store.hitHead(key, entry, variant, extend)).toBe(head);
        expect(head.body).toBe(entry.encoded?.gzip ?? entry.sent);
        check();
        const withOrigin = store.hitHead(key, entry, { ...variant, cors: { 'Access-Control-Allow-Origin': 'https://a.test' } }, extend);
        expect(withOrigin).not.toBe(head);
        expect(withOrigin.ok).toContain('https://a.test');
        expect(entry.heads?.filter(Boolean)).toHaveLength(1);
        check();
      }
    }
    const entry = entries.get('k29')!;
    expect(store.l1.holds('k29', entry)).toBe(true);
    expect(buffers(entry)).toHaveLength(4); // bytes, sent, gzip, br
    expect(store.l1.size).toBeLessThan(full);
    expect(evictedByAttach).toBeGreaterThan(0);
    expect(await evictions(metrics, 'lru')).toBe(entries.size - store.l1.size);

    // Serving an entry L1 has let go of neither brings it back nor counts it.
    const gone = entries.get('k0')!;
    expect(store.l1.holds('k0', gone)).toBe(false);
    const { bytes, size } = store.l1;
    gone.encoded = undefined;
    store.sendForm('k0', gone, 'gzip', extend);
    expect([store.l1.bytes, store.l1.size]).toEqual([bytes, size]);
  });

  it('drops an entry that alone outgrows the bound, and its tags with it', async () => {
    const store = newStore();
    // Fits as stored (about 38 KB), not with the extended body beside it.
    const body = Array.from({ length: 10 }, (_, i) => ticketList(100 + i)).join(',');
    const entry = await stored(store, 'big', `{"data":[${body}]}`, ['Ticket:big']);
    store.sendForm('big', entry, null, extend);
    expect(store.l1.size).toBe(0);
    expect(store.l1.bytes).toBe(0);
    expect(store.l1.invalidate(['Ticket:big'])).toBe(0);
  });

  it('keeps an entry’s TTL and tags when a form is attached', async () => {
    let now = 1_000_000;
    // lru-cache reads the clock through the global performance object.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const store = newStore();
      const entry = await stored(store, 'ttl', ticketList(7), ['Ticket:ttl'], 1000);
      now += 900;
      store.sendForm('ttl', entry, 'br', extend);
      expect(store.l1.holds('ttl', entry)).toBe(true);
      // Past the TTL set when it was stored; an attach that restarted the TTL would keep it 800 ms more.
      now += 200;
      await new Promise((resolve) => setTimeout(resolve, 5)); // lru-cache reuses a clock reading for 1 ms
      expect(store.l1.get('ttl')).toBeUndefined();

      const again = await stored(store, 'ttl', ticketList(7), ['Ticket:ttl'], 1000);
      store.sendForm('ttl', again, 'gzip', extend);
      expect(store.l1.invalidate(['Ticket:ttl'])).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });
});

// The in-process layer: an LRU bounded by entries and bytes, holding each response as the exact bytes
// sent to clients, with an index from tag to keys so invalidation touches only what it names.
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../platform/metrics.ts';
import type { EncodedVariants } from '../protocol/compression.ts';

export interface CachedResponse {
  /** The serialized ExecutionResult ({"data":...}), exactly as sent. */
  bytes: Buffer;
  tags: readonly string[];
  // The forms below are made on first use, only by entry-forms.ts: it has L1 count what they add.
  /** Parsed lazily for the GraphQL path; the fast path never parses. */
  parsed?: unknown;
  /** What the fast path sends (bytes, or bytes plus fixed extensions), its ETag, and compressed forms: made once. */
  sent?: Buffer;
  etag?: string;
  encoded?: EncodedVariants;
  /** The status lines' headers of a hit, per variant of the request (entry-forms.ts, hitHead): made once each. */
  heads?: (HitHead | undefined)[];
}

/** What a hit is answered with, fixed for the entry and for one variant of the request (media type, coding, method, token). */
export interface HitHead {
  /** 200's headers, flat ([name, value, …]) as writeHead takes them, Content-Length included. */
  ok: string[];
  /** 304's headers; null when a 304 is never sent (POST). */
  notModified: string[] | null;
  /** The body sent with 200. */
  body: Buffer;
  /** The ETag If-None-Match is compared with (the stored result's, whatever the coding). */
  etag: string;
}

// The byte bound is only as real as this estimate of what an entry holds. On Node 20 (x64) an entry
// object with its key, ETag and tag array took about 450 B of heap, and a Buffer about 230 B of heap
// plus its native backing-store record; a tag's string and index slot are estimated. Filling an L1
// with entries of 190 B to 15 KB bodies, bare or with every form, the accounted size came to
// 1.0-1.3 times the growth of heap plus array buffers.
export const L1_ENTRY_OVERHEAD_BYTES = 512;
export const L1_BUFFER_OVERHEAD_BYTES = 384;
export const L1_TAG_OVERHEAD_BYTES = 64;
// `parsed` is an object graph, whose size V8 does not tell; it is charged in proportion to the JSON it
// was parsed from. JSON.parse of deskgraph's results measured 1.2× the text (ticket lists) to 1.8×
// (dashboardStats: small objects of enums and counts); the schema has no floats, which cost more.
export const L1_PARSED_BYTES_PER_JSON_BYTE = 2;
// A hit head: the object, two arrays of about ten header strings (names and most values are shared
// constants; the Content-Length and an encoded body's weak ETag are its own). Its body is one of the
// entry's buffers, counted once above.
export const L1_HEAD_OVERHEAD_BYTES = 384;

/**
 * `buffer` itself when it is the whole of its memory, otherwise a copy that is: a slice keeps its
 * parent alive (a pooled 8 KB slab, a socket read, zlib's 16 KB output chunk) while counting as its
 * own length only.
 */
export function ownedBuffer(buffer: Buffer): Buffer {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer;
  const copy = Buffer.allocUnsafeSlow(buffer.length);
  buffer.copy(copy);
  return copy;
}

function heldBytes(buffer: Buffer): number {
  return L1_BUFFER_OVERHEAD_BYTES + buffer.length;
}

/** Everything the entry holds, `bytes` and each form attached to it since. */
function accountedBytes(entry: CachedResponse): number {
  let size = L1_ENTRY_OVERHEAD_BYTES + entry.tags.length * L1_TAG_OVERHEAD_BYTES + heldBytes(entry.bytes);
  if (entry.parsed !== undefined) size += L1_PARSED_BYTES_PER_JSON_BYTE * entry.bytes.length;
  if (entry.sent && entry.sent !== entry.bytes) size += heldBytes(entry.sent);
  for (const variant of Object.values(entry.encoded ?? {})) if (variant) size += heldBytes(variant);
  if (entry.heads) for (const head of entry.heads) if (head) size += L1_HEAD_OVERHEAD_BYTES;
  return size;
}

// lru-cache measures a value when it is set and again only when a different value is set under the
// key, so each entry sits in a slot of its own that is replaced to have it measured again.
interface Slot {
  readonly entry: CachedResponse;
}

type EvictionReason = 'invalidated' | 'cleared' | 'lru';

export class L1Cache {
  private readonly lru: LRUCache<string, Slot> | null;
  private readonly keysByTag = new Map<string, Set<string>>();
  private evictionReason: EvictionReason | null = null;

  constructor(
    options: { maxEntries: number; maxBytes: number },
    private readonly metrics: Metrics,
  ) {
    this.lru =
      options.maxEntries > 0
        ? new LRUCache<string, Slot>({
            max: options.maxEntries,
            maxSize: options.maxBytes,
            sizeCalculation: (slot) => accountedBytes(slot.entry),
            ttlAutopurge: false,
            allowStale: false,
            dispose: (slot, key, reason) => this.disposed(key, slot.entry, reason),
          })
        : null;
  }

  get(key: string): CachedResponse | undefined {
    return this.lru?.get(key)?.entry;
  }

  set(key: string, entry: CachedResponse, ttlMs: number): void {
    if (!this.lru) return;
    // An entry read from Redis is a slice of the socket read. Owned before any form is made from it,
    // so none of them points at the slice either.
    entry.bytes = ownedBuffer(entry.bytes);
    this.lru.set(key, { entry }, { ttl: ttlMs });
    if (!this.lru.has(key)) return; // larger than the whole layer
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Whether L1 holds an entry under `key`; not a use, so recency is untouched. */
  has(key: string): boolean {
    return this.lru?.has(key) ?? false;
  }

  /** Whether `entry` is what L1 holds under `key`; not a use, so recency is untouched. */
  holds(key: string, entry: CachedResponse): boolean {
    return this.lru?.peek(key)?.entry === entry;
  }

  /**
   * Counts what was attached to a held entry since it was last measured, evicting the least recently
   * used others until it fits, or the entry itself when alone it no longer fits. Its TTL runs on as
   * before. An entry L1 no longer holds is left alone: re-adding it would resurrect an eviction.
   */
  remeasure(key: string, entry: CachedResponse): void {
    if (!this.lru || !this.holds(key, entry)) return;
    // The tag index still names this key, so replacing the slot must not run dispose (unindex).
    this.evictionReason = 'lru';
    try {
      this.lru.set(key, { entry }, { noUpdateTTL: true, noDisposeOnSet: true });
    } finally {
      this.evictionReason = null;
    }
  }

  /** Drops every entry holding one of the tags; returns how many were dropped, and adds their keys to `dropped`. */
  invalidate(tags: Iterable<string>, dropped?: string[]): number {
    if (!this.lru) return 0;
    let count = 0;
    this.evictionReason = 'invalidated';
    try {
      for (const tag of tags) {
        const keys = this.keysByTag.get(tag);
        if (!keys) continue;
        for (const key of [...keys]) {
          if (!this.lru.delete(key)) continue;
          count += 1;
          dropped?.push(key);
        }
        this.keysByTag.delete(tag);
      }
    } finally {
      this.evictionReason = null;
    }
    return count;
  }

  clear(): void {
    if (!this.lru) return;
    this.evictionReason = 'cleared';
    try {
      this.lru.clear();
    } finally {
      this.evictionReason = null;
    }
    this.keysByTag.clear();
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** The accounted size of what L1 holds, never above maxBytes. */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  private disposed(key: string, entry: CachedResponse, reason: LRUCache.DisposeReason): void {
    this.unindex(key, entry);
    const why = this.evictionReason ?? (reason === 'evict' ? 'lru' : reason === 'expire' ? 'expired' : null);
    if (why) this.metrics.cacheEvictions.inc({ layer: 'l1', reason: why });
  }

  private unindex(key: string, entry: CachedResponse): void {
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.keysByTag.delete(tag);
    }
  }
}

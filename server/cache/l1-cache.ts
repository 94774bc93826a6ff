// The in-process layer: an LRU bounded by entries and bytes, holding each response as the exact bytes
// sent to clients, with an index from tag to keys so invalidation touches only what it names.
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../platform/metrics.ts';
import type { EncodedVariants } from '../protocol/compression.ts';

export interface CachedResponse {
  /** The serialized ExecutionResult ({"data":...}), exactly as sent. */
  bytes: Buffer;
  tags: readonly string[];
  /** Parsed lazily for the GraphQL path; the fast path never parses. */
  parsed?: unknown;
  /** What the fast path sends (bytes, or bytes plus fixed extensions), its ETag, and compressed forms: made once. */
  sent?: Buffer;
  etag?: string;
  encoded?: EncodedVariants;
}

// Per-entry bookkeeping (key, tag index slots) beyond the payload bytes.
const ENTRY_OVERHEAD_BYTES = 200;

export class L1Cache {
  private readonly lru: LRUCache<string, CachedResponse> | null;
  private readonly keysByTag = new Map<string, Set<string>>();
  private evictionReason: 'invalidated' | 'cleared' | null = null;

  constructor(
    options: { maxEntries: number; maxBytes: number },
    private readonly metrics: Metrics,
  ) {
    this.lru =
      options.maxEntries > 0
        ? new LRUCache<string, CachedResponse>({
            max: options.maxEntries,
            maxSize: options.maxBytes,
            sizeCalculation: (entry) => entry.bytes.length + ENTRY_OVERHEAD_BYTES + entry.tags.length * 40,
            ttlAutopurge: false,
            allowStale: false,
            dispose: (entry, key, reason) => {
              this.unindex(key, entry);
              const why = this.evictionReason ?? (reason === 'evict' ? 'lru' : reason === 'expire' ? 'expired' : null);
              if (why) this.metrics.cacheEvictions.inc({ layer: 'l1', reason: why });
            },
          })
        : null;
  }

  get(key: string): CachedResponse | undefined {
    return this.lru?.get(key);
  }

  set(key: string, entry: CachedResponse, ttlMs: number): void {
    if (!this.lru) return;
    this.lru.set(key, entry, { ttl: ttlMs });
    if (!this.lru.has(key)) return; // larger than the whole layer
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Drops every entry holding one of the tags; returns how many were dropped. */
  invalidate(tags: Iterable<string>): number {
    if (!this.lru) return 0;
    let dropped = 0;
    this.evictionReason = 'invalidated';
    try {
      for (const tag of tags) {
        const keys = this.keysByTag.get(tag);
        if (!keys) continue;
        for (const key of [...keys]) if (this.lru.delete(key)) dropped += 1;
        this.keysByTag.delete(tag);
      }
    } finally {
      this.evictionReason = null;
    }
    return dropped;
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

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
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

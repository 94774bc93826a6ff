// The forms a cached response is served in besides its stored bytes: the body the fast path sends, its
// ETag and compressed copies, and the parsed result the GraphQL path hands to envelop. Each is made on
// first use and kept on the entry, so every attach goes through here and is counted against L1's byte
// bound at once: otherwise an entry measured when stored would grow several-fold unseen.
import type { ExecutionResult } from 'graphql';
import { etagFor } from '../protocol/caching-headers.ts';
import { encodedVariant } from '../protocol/compression.ts';
import type { ContentCoding } from '../protocol/negotiation.ts';
import { ownedBuffer, type CachedResponse, type L1Cache } from './l1-cache.ts';

export interface SendForm {
  body: Buffer;
  etag: string;
  /** The body compressed with the requested coding; null when it goes out as it is. */
  encoded: { body: Buffer } | null;
}

/**
 * What to send for `entry` (stored under `key`), compressed with `encoding` when not null. `extend`
 * turns the stored bytes into the body sent by adding diagnostic extensions (nothing else: the ETag
 * stays that of the stored bytes); it must give the same result for the life of the process, since the
 * first body, its ETag and its compressed forms are kept and served from then on.
 */
export function sendForm(
  l1: L1Cache,
  key: string,
  entry: CachedResponse,
  encoding: ContentCoding | null,
  extend?: (bytes: Buffer) => Buffer,
): SendForm {
  let grew = false;
  if (!entry.sent || !entry.etag) {
    entry.sent = extend ? ownedBuffer(extend(entry.bytes)) : entry.bytes;
    // Of the stored bytes (the result without diagnostics, which is what `extend` adds), so a hit has
    // the ETag its miss had (caching-headers.ts).
    entry.etag = etagFor(entry.bytes, entry.sent !== entry.bytes);
    grew = entry.sent !== entry.bytes;
  }
  const variant = encoding ? encodedVariant(entry, encoding, entry.sent) : null;
  let encoded: Buffer | null = null;
  if (variant && encoding) {
    encoded = variant.addedBytes > 0 ? keepOwned(entry, encoding, variant.body) : variant.body;
    grew ||= variant.addedBytes > 0;
  }
  if (grew) l1.remeasure(key, entry);
  return { body: entry.sent, etag: entry.etag, encoded: encoded && { body: encoded } };
}

// zlib's result is a slice of its 16 KB output chunk: kept as it is, a 300-byte variant holds 16 KB.
function keepOwned(entry: CachedResponse, encoding: ContentCoding, compressed: Buffer): Buffer {
  const owned = ownedBuffer(compressed);
  (entry.encoded ??= {})[encoding] = owned;
  return owned;
}

/** The entry as a result object, parsed once per entry; envelop copies before adding metadata. */
export function parsedResult(l1: L1Cache, key: string, entry: CachedResponse): ExecutionResult {
  if (entry.parsed === undefined) {
    entry.parsed = JSON.parse(entry.bytes.toString('utf8'));
    l1.remeasure(key, entry);
  }
  return entry.parsed as ExecutionResult;
}

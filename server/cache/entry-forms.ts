// The forms a cached response is served in besides its stored bytes: the body the fast path sends, its
// ETag and compressed copies, and the parsed result the GraphQL path hands to envelop. Each is made on
// first use and kept on the entry, so every attach goes through here and is counted against L1's byte
// bound at once: otherwise an entry measured when stored would grow several-fold unseen.
import type { ExecutionResult } from 'graphql';
import { cacheControlFor, etagFor, etagForEncoded } from '../protocol/caching-headers.ts';
import { encodedVariant, varyAcceptEncoding } from '../protocol/compression.ts';
import { contentTypeOf, type ContentCoding, type GraphQLResponseType } from '../protocol/negotiation.ts';
import { ownedBuffer, type CachedResponse, type HitHead, type L1Cache } from './l1-cache.ts';

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

/** What the headers of a hit depend on besides the entry. */
export interface HitVariant {
  type: GraphQLResponseType;
  /** The negotiated coding; null: identity. */
  encoding: ContentCoding | null;
  /** GET answers carry an ETag and Cache-Control, and may be answered 304 (caching-headers.ts). */
  get: boolean;
  /** Whether the request carried a token: private or public Cache-Control. */
  hasToken: boolean;
  /** The request's CORS headers (it sent an Origin); null without. Heads with them are made per request, not kept. */
  cors: Record<string, string> | null;
}

const CODING_INDEX = { br: 1, gzip: 2 } as const;

/** 0–23: the slot of entry.heads a variant without CORS headers is kept in. */
function headSlot(variant: HitVariant): number {
  const coding = variant.encoding ? CODING_INDEX[variant.encoding] : 0;
  return (variant.type === 'application/json' ? 0 : 1) + 2 * coding + 6 * Number(variant.get) + 12 * Number(variant.hasToken);
}

/**
 * Status 200's and 304's headers and the body of a hit on `entry` for a request of `variant`: made once per
 * entry and variant and kept on the entry, so a hit writes them as they are (requests with an Origin get
 * theirs made each time: the CORS headers answer the Origin sent). `extend` as for sendForm.
 */
export function hitHead(l1: L1Cache, key: string, entry: CachedResponse, variant: HitVariant, extend?: (bytes: Buffer) => Buffer): HitHead {
  const slot = variant.cors ? -1 : headSlot(variant);
  const kept = slot >= 0 ? entry.heads?.[slot] : undefined;
  if (kept) return kept;
  const form = sendForm(l1, key, entry, variant.encoding, extend);
  const head = makeHead(form, variant);
  if (slot >= 0) {
    (entry.heads ??= [])[slot] = head;
    l1.remeasure(key, entry);
  }
  return head;
}

// The headers yoga's path sends for the same request (server/protocol/: CORS, Vary as the compression
// wrapper says it, caching headers on GET), in one flat list.
function makeHead(form: SendForm, variant: HitVariant): HitHead {
  const common: string[] = [];
  let vary: string | undefined;
  if (variant.cors) {
    for (const [name, value] of Object.entries(variant.cors)) {
      if (name === 'Vary') vary = value;
      else common.push(name, value);
    }
  }
  if (variant.encoding) vary = varyAcceptEncoding(vary);
  if (vary) common.push('vary', vary);
  if (variant.get)
    common.push('etag', form.encoded ? etagForEncoded(form.etag) : form.etag, 'cache-control', cacheControlFor(variant.hasToken));
  const body = form.encoded ? form.encoded.body : form.body;
  const ok = [...common, 'content-type', contentTypeOf(variant.type), 'content-length', String(body.length)];
  if (form.encoded && variant.encoding) ok.push('content-encoding', variant.encoding);
  return { ok, notModified: variant.get ? common : null, body, etag: form.etag };
}

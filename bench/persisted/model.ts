// What bench:persisted compares (three forms of one operation), what it records per form and per
// throughput row, and the checks and notes it collects on the way.
import type { CheckedResult } from '../lib/load.ts';
import type { CacheCounters } from '../lib/metrics.ts';
import { CSRF_HEADER } from '../../server/protocol/csrf.ts';

/** Every GET a browser client sends carries it (server/protocol/csrf.ts); without it deskgraph answers 403. */
export const CSRF: [string, string] = [CSRF_HEADER, '1'];

export const AGENT = 'agent@acme.test';
export const CUSTOMER = 'customer@acme.test';
/** The hottest read, the one the throughput rows repeat. */
export const HOT = 'OpenTickets';

export type Form = 'post-document' | 'post-hash' | 'get-hash';
export const FORMS: { form: Form; label: string; short: string }[] = [
  { form: 'post-document', label: 'POST document', short: '(a)' },
  { form: 'post-hash', label: 'POST hash', short: '(b)' },
  { form: 'get-hash', label: 'GET hash', short: '(c)' },
];

export interface Operation {
  name: string;
  document: string;
  /** sha256 of the document text, hex. */
  hash: string;
  user: typeof AGENT | typeof CUSTOMER;
  variables: Record<string, unknown> | null;
}

export interface Measured {
  request: number;
  response: number;
  status: number;
  encoding: string | null;
  etag: string | null;
  outcome: string;
  headers: Record<string, string>;
}

export interface BytesRow {
  operation: string;
  user: string;
  form: Form;
  instance: 'require' | 'allow';
  identity: Measured;
  br: Measured;
  gzip: Measured;
  notModified: Measured | null;
  /** If-None-Match with Accept-Encoding: br, as a browser revalidates (not in the table; its headers are compared). */
  notModifiedBr: Measured | null;
  /** The first response (a miss, through GraphQL), for comparing its headers with a hit's. */
  miss: Measured;
  /** The identity body of the hit (for the throughput checks and the comparisons). */
  body: Buffer;
  brBody: Buffer;
}

export interface ThroughputRow {
  key: string;
  label: string;
  instance: 'require' | 'allow';
  load: CheckedResult;
  slices: number[];
  cache: CacheCounters;
  expectedResponseBytes: number;
}

export interface Check {
  name: string;
  expected: string;
  got: string;
  ok: boolean;
}

/** Checks (printed, a failed one fails the run), notes (printed as "Noticed") and failures found on the way. */
export class Findings {
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  /** Differences that fail the run without being a check (bytes that differ between encodings or forms). */
  failures = 0;
  private readonly seen = new Set<string>();

  check(name: string, expected: string, got: string, ok: boolean): void {
    this.checks.push({ name, expected, got, ok });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** The same difference on every operation is one note, named by the first operation it was seen on. */
  noteOnce(key: string, text: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.notes.push(text);
  }

  fail(text: string): void {
    this.failures += 1;
    this.notes.push(text);
  }
}

export const roundTrip = (r: BytesRow) => r.identity.request + r.identity.response;
export const roundTripBr = (r: BytesRow) => r.br.request + r.br.response;
export const roundTrip304 = (r: BytesRow) => (r.notModified ? r.notModified.request + r.notModified.response : null);

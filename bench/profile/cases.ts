// The requests bench:profile profiles: the three queries of `npm run bench` uncached (POST with the
// document, RESPONSE_CACHE=false, as scenario 3), ticket by id and the dashboard as fast-path cache hits
// (memory cache, persisted GET by hash, as scenario 4), and the dashboard's hit asked by POST.
import { persistedGetRequest, postRequest, QUERIES, type BenchQuery } from '../lib/queries.ts';

export interface ProfileCase {
  key: string;
  label: string;
  query: BenchQuery;
  env: Record<string, string>;
  request(token: string, ticketId: string): ReturnType<typeof postRequest> | ReturnType<typeof persistedGetRequest>;
  /** The path (metrics label) every measured response must be a cache hit of; null: uncached. */
  expectHit: 'fast' | null;
}

const query = (key: BenchQuery['key']) => QUERIES.find((q) => q.key === key)!;
export const variablesOf = (q: BenchQuery, ticketId: string) => (q.key === 'ticket' ? { id: ticketId } : null);

function uncached(key: BenchQuery['key']): ProfileCase {
  const q = query(key);
  return {
    key: `${key}-uncached`,
    label: `${q.label}, uncached (POST)`,
    query: q,
    env: { RESPONSE_CACHE: 'false' },
    request: (token, ticketId) => postRequest(q, variablesOf(q, ticketId), token),
    expectHit: null,
  };
}

/** A fast-path hit (memory cache): GET by hash as the web client asks, or POST with the document's text. */
function cached(key: BenchQuery['key'], name: string, via: 'GET' | 'POST'): ProfileCase {
  const q = query(key);
  return {
    key: via === 'GET' ? `${key}-cached` : `${key}-cached-post`,
    label: `${name}, cached (memory, ${via === 'GET' ? 'GET hash' : 'POST document'}, fast path)`,
    query: q,
    env: { RESPONSE_CACHE: 'true' },
    request: (token, ticketId) => (via === 'GET' ? persistedGetRequest : postRequest)(q, variablesOf(q, ticketId), token),
    expectHit: 'fast',
  };
}

const CASES: ProfileCase[] = [
  uncached('ticket'),
  uncached('list'),
  uncached('dashboard'),
  cached('ticket', 'ticket by id', 'GET'),
  cached('dashboard', 'dashboard', 'GET'),
  cached('dashboard', 'dashboard', 'POST'),
];

/** BENCH_PROFILE_CASES=ticket,list: the cases whose key begins with one of the parts; all by default. */
export function selectCases(filter: string | undefined): ProfileCase[] {
  if (!filter) return CASES;
  const parts = filter.split(',').map((s) => s.trim());
  const chosen = CASES.filter((c) => parts.some((p) => p && c.key.startsWith(p)));
  if (!chosen.length) throw new Error(`BENCH_PROFILE_CASES=${filter} matches none of ${CASES.map((c) => c.key).join(', ')}`);
  return chosen;
}

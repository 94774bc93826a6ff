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

const CASES: ProfileCase[] = [
  uncached('ticket'),
  uncached('list'),
  uncached('dashboard'),
  {
    key: 'ticket-cached',
    label: 'ticket by id, cached (memory, GET hash, fast path)',
    query: query('ticket'),
    env: { RESPONSE_CACHE: 'true' },
    request: (token, ticketId) => persistedGetRequest(query('ticket'), { id: ticketId }, token),
    expectHit: 'fast',
  },
  {
    key: 'dashboard-cached',
    label: 'dashboard, cached (memory, GET hash, fast path)',
    query: query('dashboard'),
    env: { RESPONSE_CACHE: 'true' },
    request: (token) => persistedGetRequest(query('dashboard'), null, token),
    expectHit: 'fast',
  },
  {
    // The same hit asked by POST with the document's text, as a client without persisted operations does.
    key: 'dashboard-cached-post',
    label: 'dashboard, cached (memory, POST document, fast path)',
    query: query('dashboard'),
    env: { RESPONSE_CACHE: 'true' },
    request: (token) => postRequest(query('dashboard'), null, token),
    expectHit: 'fast',
  },
];

/** BENCH_PROFILE_CASES=ticket,list: the cases whose key begins with one of the parts; all by default. */
export function selectCases(filter: string | undefined): ProfileCase[] {
  if (!filter) return CASES;
  const parts = filter.split(',').map((s) => s.trim());
  const chosen = CASES.filter((c) => parts.some((p) => p && c.key.startsWith(p)));
  if (!chosen.length) throw new Error(`BENCH_PROFILE_CASES=${filter} matches none of ${CASES.map((c) => c.key).join(', ')}`);
  return chosen;
}

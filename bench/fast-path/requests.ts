// The one request bench:fast-path repeats (OpenTickets or Dashboard as agent@acme.test, POST or GET), and capturing
// an answer to it with its headers, as the bare server will replay them.
import { DASHBOARD, TICKET_LIST } from '../lib/operations.ts';
import { CSRF_HEADER } from '../../server/protocol/csrf.ts';

// BENCH_FAST_QUERY: the nested list (40 KB, the default) or the dashboard (1.7 KB, a small response).
const QUERIES: Record<string, { query: string; operation: string }> = {
  list: { query: TICKET_LIST, operation: 'OpenTickets' },
  dashboard: { query: DASHBOARD, operation: 'Dashboard' },
};
const chosen = process.env.BENCH_FAST_QUERY ?? 'list';
if (!QUERIES[chosen]) throw new Error(`BENCH_FAST_QUERY must be one of ${Object.keys(QUERIES).join(', ')}, got ${chosen}`);
const QUERY = QUERIES[chosen].query;
export const OPERATION = QUERIES[chosen].operation;

export type Method = 'POST' | 'GET';

export interface Captured {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function requestFor(method: Method, token: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (method === 'POST') {
    return {
      method,
      path: '/graphql',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY, variables: null, operationName: OPERATION }),
    } as const;
  }
  const search = new URLSearchParams({ query: QUERY, operationName: OPERATION });
  return { method, path: `/graphql?${search}`, headers: { ...headers, [CSRF_HEADER]: '1' } } as const;
}

export async function capture(origin: string, request: ReturnType<typeof requestFor>): Promise<Captured> {
  const response = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: 'body' in request ? request.body : undefined,
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}

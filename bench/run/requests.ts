// The requests npm run bench makes besides the load: signing in, finding a ticket, checking an answer,
// and reading a server's statement counter.
import { counters, scrape, scrapeAll } from '../lib/metrics.ts';
import { LOGIN, PASSWORD } from '../lib/operations.ts';
import type { BenchQuery } from '../lib/queries.ts';
import type { RawResponse } from '../lib/raw-http.ts';
import type { Endpoint, Target } from './model.ts';
import { USER } from './settings.ts';

export async function login(graphqlUrl: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: LOGIN, variables: { email: USER, password: PASSWORD }, operationName: 'Login' }),
  });
  const text = await response.text();
  let token: string | undefined;
  try {
    token = (JSON.parse(text) as { data?: { login?: { token?: string } } }).data?.login?.token;
  } catch {
    // reported below
  }
  if (!response.ok || !token) throw new Error(`login as ${USER} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return token;
}

/** The ticket the "ticket by id" query asks for: the first USER sees. */
export async function firstTicketId(instance: Endpoint, token: string | null): Promise<string> {
  const list = await fetch(`${instance.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ tickets(first: 1) { edges { node { id } } } }' }),
  });
  const id = ((await list.json()) as { data?: { tickets?: { edges?: { node: { id: string } }[] } } }).data?.tickets?.edges?.[0]?.node.id;
  if (!id) throw new Error(`${USER} sees no tickets: is the database seeded?`);
  return id;
}

/** Parses and checks a response: 200, JSON, no errors, the query's shape; returns the data as canonical text. */
export function checkResponse(response: RawResponse, query: BenchQuery, variables: Record<string, unknown> | null): string {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.decoded.toString('utf8').slice(0, 300)}`);
  if (response.headers['content-encoding'])
    throw new Error(`a ${response.headers['content-encoding']} body to a request without Accept-Encoding`);
  let parsed: { data?: unknown; errors?: unknown[] };
  try {
    parsed = JSON.parse(response.decoded.toString('utf8')) as typeof parsed;
  } catch {
    throw new Error(`not JSON: ${response.decoded.toString('utf8').slice(0, 300)}`);
  }
  if (parsed.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  query.check(parsed.data, variables);
  return JSON.stringify(parsed.data);
}

/** The process totals a target's statements are counted from; null where nothing counts them. */
export async function sqlTotal(
  target: Pick<Target, 'instance' | 'behind' | 'sql'>,
): Promise<{ statements: number; fastHits: number } | null> {
  if (!target.instance || target.sql === 'none') return null;
  if (target.sql === 'metrics') {
    // Behind a proxy, /metrics would be one instance's, chosen by round robin: ask each instance.
    const c = counters(target.behind ? await scrapeAll(target.behind.map((i) => i.origin)) : await scrape(target.instance.origin));
    return { statements: c.sqlStatements, fastHits: c.hitsByPath.fast ?? 0 };
  }
  try {
    const response = await fetch(`${target.instance.origin}/bench-stats`);
    const body = (await response.json()) as { sqlStatements?: unknown };
    return typeof body.sqlStatements === 'number' ? { statements: body.sqlStatements, fastHits: 0 } : null;
  } catch {
    return null;
  }
}

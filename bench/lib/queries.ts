// The three queries of `npm run bench` (issue 6), the manifest that lets deskgraph take them as
// persisted GETs by hash, and the checks a response must pass before its bytes become the expected
// body of a load run.
import { createHash } from 'node:crypto';
import { LOGIN } from './operations.ts';

export interface BenchQuery {
  /** Key in tables and results. */
  key: 'ticket' | 'list' | 'dashboard';
  label: string;
  operationName: string;
  document: string;
  /** Throws naming what is wrong when `data` does not have the expected shape. */
  check(data: any, variables: Record<string, unknown> | null): void;
}

const TICKET_BY_ID = `query TicketById($id: ID!) {
  ticket(id: $id) { id number title status priority createdAt requester { id name } assignee { id name } }
}`;

const NESTED_LIST = `query NestedList {
  tickets(first: 50) {
    edges { node {
      id number title status priority
      requester { id name }
      assignee { id name }
      tags { id name }
      comments(last: 5) { edges { node { id body createdAt author { id name } } } }
    } }
  }
}`;

export const DASHBOARD = `query DashboardStats {
  dashboardStats {
    byStatus { status count }
    byPriority { priority count }
    openByAssignee { assignee { id name } count }
  }
}`;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export const QUERIES: BenchQuery[] = [
  {
    key: 'ticket',
    label: 'ticket by id',
    operationName: 'TicketById',
    document: TICKET_BY_ID,
    check(data, variables) {
      const t = data?.ticket;
      assert(t, 'data.ticket is missing or null');
      assert(t.id === variables?.id, `data.ticket.id is ${t.id}, asked for ${String(variables?.id)}`);
      assert(typeof t.title === 'string' && typeof t.number === 'number', 'ticket without title or number');
      assert(typeof t.requester?.name === 'string', 'ticket without requester.name');
    },
  },
  {
    key: 'list',
    label: 'nested list (50)',
    operationName: 'NestedList',
    document: NESTED_LIST,
    check(data) {
      const edges = data?.tickets?.edges;
      assert(Array.isArray(edges), 'data.tickets.edges is not a list');
      assert(edges.length === 50, `data.tickets.edges has ${edges.length} tickets, not 50`);
      let comments = 0;
      for (const { node } of edges) {
        assert(typeof node?.id === 'string' && typeof node.requester?.name === 'string', 'a ticket without id or requester.name');
        assert(Array.isArray(node.tags), 'a ticket without a tags list');
        const list = node.comments?.edges;
        assert(Array.isArray(list) && list.length <= 5, 'a ticket without comments.edges, or more than 5');
        for (const c of list) assert(typeof c.node?.author?.name === 'string', 'a comment without author.name');
        comments += list.length;
      }
      assert(comments > 0, 'no ticket of the list has comments: is the database seeded?');
    },
  },
  {
    key: 'dashboard',
    label: 'dashboard aggregates',
    operationName: 'DashboardStats',
    document: DASHBOARD,
    check(data) {
      const d = data?.dashboardStats;
      assert(d, 'data.dashboardStats is missing');
      assert(
        Array.isArray(d.byStatus) && d.byStatus.length > 0 && d.byStatus.every((s: any) => typeof s.count === 'number'),
        'byStatus is not a list of counts',
      );
      assert(Array.isArray(d.byPriority) && d.byPriority.length > 0, 'byPriority is empty');
      assert(Array.isArray(d.openByAssignee) && d.openByAssignee.length > 0, 'openByAssignee is empty');
      assert(d.byStatus.reduce((a: number, s: any) => a + s.count, 0) > 0, 'the dashboard counts no tickets');
    },
  },
];

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** `{ "sha256:<hex>": document }` for the three queries and Login, as codegen writes persisted-documents.json. */
export function manifest(): Record<string, string> {
  const out: Record<string, string> = { [`sha256:${sha256(LOGIN)}`]: LOGIN };
  for (const q of QUERIES) out[`sha256:${sha256(q.document)}`] = q.document;
  return out;
}

/** The request a GraphQL client sends: POST with the document (peers, and deskgraph uncached). */
export function postRequest(query: BenchQuery, variables: Record<string, unknown> | null, token: string) {
  return {
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: query.document, variables, operationName: query.operationName }),
  };
}

/** The request the web client sends: GET by hash (persisted operation), which the fast path answers. */
export function persistedGetRequest(query: BenchQuery, variables: Record<string, unknown> | null, token: string) {
  const params = new URLSearchParams({ documentId: `sha256:${sha256(query.document)}` });
  if (variables) params.set('variables', JSON.stringify(variables));
  return {
    method: 'GET' as const,
    path: `/graphql?${params}`,
    // As the web client sends it: deskgraph refuses GETs without its CSRF header (server/protocol/csrf.ts).
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'x-graphql-csrf': '1' },
  };
}

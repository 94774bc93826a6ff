// Keeps every cached ticket list right after a write, without asking the server again: a new or
// changed ticket goes where the list's filter and sort order put it, and leaves lists it no longer
// matches. Lists are cached page by page (relayPagination merges them when read), so a list here is the
// chain of its pages: the first one, then each page fetched after the previous page's endCursor.
import { gql } from '@urql/core';
import type { Cache, Variables } from '@urql/exchange-graphcache';
import type {
  CommentPageWriteFragment,
  TicketFilter,
  TicketOrder,
  TicketPageWriteQuery,
  TicketPriority,
  TicketRowFragment,
} from '../gql/graphql.ts';

interface Edge {
  cursor: string;
  nodeKey: string;
}

interface Page {
  args: Variables;
  edges: Edge[];
  totalCount: number | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

// Written locally only (never sent): the shape of one cached page, to rewrite its edges and count.
const TicketPageWrite = gql`
  query TicketPageWrite($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {
    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      __typename
      totalCount
      pageInfo {
        __typename
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        __typename
        cursor
        node {
          __typename
          id
        }
      }
    }
  }
`;

const CommentPageWrite = gql`
  fragment CommentPageWrite on Ticket {
    __typename
    id
    comments(first: $first, after: $after, last: $last, before: $before) {
      __typename
      pageInfo {
        __typename
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        __typename
        cursor
        node {
          __typename
          id
        }
      }
    }
  }
`;

interface PageTypes {
  connection: string;
  edge: string;
}

// The typenames written with each page, checked against codegen's types: a renamed connection type
// (schema/CHANGELOG.md) fails the typecheck here instead of writing pages no query can read back.
type TicketPageShape = TicketPageWriteQuery['tickets'];
type CommentPageShape = CommentPageWriteFragment['comments'];
const TICKET_PAGE = { connection: 'TicketConnection', edge: 'TicketEdge' } satisfies {
  connection: TicketPageShape['__typename'];
  edge: TicketPageShape['edges'][number]['__typename'];
};
const COMMENT_PAGE = { connection: 'CommentConnection', edge: 'CommentEdge' } satisfies {
  connection: CommentPageShape['__typename'];
  edge: CommentPageShape['edges'][number]['__typename'];
};

const PRIORITY_RANK: Record<TicketPriority, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, URGENT: 3 };

function readPage(cache: Cache, parent: string, fieldKey: string, args: Variables): Page | null {
  const connection = cache.resolve(parent, fieldKey) as string | null;
  if (!connection) return null;
  const edgeKeys = (cache.resolve(connection, 'edges') as string[] | null) ?? [];
  const pageInfo = cache.resolve(connection, 'pageInfo') as string | null;
  const info = (field: string) => (pageInfo ? cache.resolve(pageInfo, field) : null);
  return {
    args,
    edges: edgeKeys.map((key) => ({ cursor: cache.resolve(key, 'cursor') as string, nodeKey: cache.resolve(key, 'node') as string })),
    totalCount: (cache.resolve(connection, 'totalCount') as number | undefined) ?? null,
    hasNextPage: Boolean(info('hasNextPage')),
    hasPreviousPage: Boolean(info('hasPreviousPage')),
    startCursor: (info('startCursor') as string | null) ?? null,
    endCursor: (info('endCursor') as string | null) ?? null,
  };
}

/** JSON with keys sorted at every depth: the same arguments in any order name the same list. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The lists of one connection field, each as its chain of forward pages; pages off any chain (backward ones) separately. */
function readLists(cache: Cache, parent: string, fieldName: string): { lists: Page[][]; orphans: Page[] } {
  const byIdentity = new Map<string, Page[]>();
  for (const field of cache.inspectFields(parent)) {
    if (field.fieldName !== fieldName) continue;
    const args = field.arguments ?? {};
    const page = readPage(cache, parent, field.fieldKey, args);
    if (!page) continue;
    const { first: _f, after: _a, last: _l, before: _b, ...identity } = args;
    const id = stableKey(identity);
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), page]);
  }
  const lists: Page[][] = [];
  const orphans: Page[] = [];
  for (const pages of byIdentity.values()) {
    const chain: Page[] = [];
    let next = pages.find((p) => p.args.after == null && p.args.before == null && p.args.last == null);
    while (next && !chain.includes(next)) {
      chain.push(next);
      const cursor = next.endCursor;
      next = next.hasNextPage && cursor ? pages.find((p) => p.args.after === cursor) : undefined;
    }
    if (chain.length) lists.push(chain);
    orphans.push(...pages.filter((p) => !chain.includes(p)));
  }
  return { lists, orphans };
}

function pageData(cache: Cache, page: Page, types: PageTypes) {
  return {
    __typename: types.connection,
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.edges[0]?.cursor ?? page.startCursor,
      endCursor: page.endCursor,
    },
    edges: page.edges.map((edge) => ({
      __typename: types.edge,
      cursor: edge.cursor,
      node: { __typename: cache.resolve(edge.nodeKey, '__typename') as string, id: cache.resolve(edge.nodeKey, 'id') as string },
    })),
  };
}

function writeTicketPage(cache: Cache, page: Page): void {
  cache.updateQuery({ query: TicketPageWrite, variables: page.args }, () => ({
    __typename: 'Query',
    tickets: { ...pageData(cache, page, TICKET_PAGE), totalCount: page.totalCount ?? 0 },
  }));
}

function matchesFilter(ticket: TicketRowFragment, filter: TicketFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.status?.length && !filter.status.includes(ticket.status)) return false;
  if (filter.priority?.length && !filter.priority.includes(ticket.priority)) return false;
  if (filter.assigneeId != null && ticket.assignee?.id !== filter.assigneeId) return false;
  if (filter.unassigned === true && ticket.assignee) return false;
  if (filter.unassigned === false && !ticket.assignee) return false;
  if (filter.requesterId != null && ticket.requester.id !== filter.requesterId) return false;
  if (filter.tag != null && !ticket.tags.some((tag) => tag.name === filter.tag)) return false;
  const search = filter.search?.trim().toLowerCase();
  if (search && !ticket.title.toLowerCase().includes(search)) return false;
  return true;
}

type SortKey = { value: string | number; number: number };

function sortKeyOf(
  order: TicketOrder | null | undefined,
  row: { createdAt: string; updatedAt: string; priority: TicketPriority; number: number },
): SortKey {
  const field = order?.field ?? 'CREATED_AT';
  const value = field === 'PRIORITY' ? PRIORITY_RANK[row.priority] : field === 'UPDATED_AT' ? row.updatedAt : row.createdAt;
  return { value, number: row.number };
}

/** Negative when a sorts before b in the list's order (ties broken like the server's, by creation order). */
function compare(order: TicketOrder | null | undefined, a: SortKey, b: SortKey): number {
  const sign = (order?.direction ?? 'DESC') === 'DESC' ? -1 : 1;
  if (a.value !== b.value) return (a.value < b.value ? -1 : 1) * sign;
  return (a.number - b.number) * sign;
}

function cachedSortKey(cache: Cache, order: TicketOrder | null | undefined, nodeKey: string): SortKey {
  return sortKeyOf(order, {
    createdAt: cache.resolve(nodeKey, 'createdAt') as string,
    updatedAt: cache.resolve(nodeKey, 'updatedAt') as string,
    priority: cache.resolve(nodeKey, 'priority') as TicketPriority,
    number: cache.resolve(nodeKey, 'number') as number,
  });
}

/**
 * Puts a new or changed ticket in its place in every cached list. `created` counts it as new in the
 * totals; `previous` (the ticket before the change, when known) tells whether a list counted it before.
 * A ticket that sorts past the end of what is loaded is left for pagination to bring.
 */
export function placeTicket(
  cache: Cache,
  ticket: TicketRowFragment,
  { created = false, previous = null }: { created?: boolean; previous?: TicketRowFragment | null } = {},
): void {
  const key = cache.keyOfEntity({ __typename: 'Ticket', id: ticket.id });
  if (!key) return;
  const { lists, orphans } = readLists(cache, 'Query', 'tickets');
  for (const chain of lists) {
    const { filter, orderBy } = chain[0]!.args as { filter?: TicketFilter; orderBy?: TicketOrder };
    const last = chain[chain.length - 1]!;
    const wasThere = chain.some((page) => page.edges.some((edge) => edge.nodeKey === key));
    const matches = matchesFilter(ticket, filter);
    // Whether the server counted it before: known when it was listed, when it is new, when its old
    // values are known, or when the whole list is loaded; otherwise the totals stay as they are. Old
    // values that match but sort inside the loaded rows, where it is not, mean the list is already
    // newer than the change (a live result came first): it counted the ticket out itself.
    const counted = wasThere
      ? true
      : created
        ? false
        : previous
          ? matchesFilter(previous, filter) && last.hasNextPage && sortsPastLoaded(cache, last, orderBy, previous)
          : !last.hasNextPage
            ? false
            : matches;
    const delta = (matches ? 1 : 0) - (counted ? 1 : 0);
    for (const page of chain) page.edges = page.edges.filter((edge) => edge.nodeKey !== key);
    if (matches) insertInOrder(cache, chain, orderBy, ticket, key);
    for (const page of chain) {
      if (page.totalCount != null) page.totalCount = Math.max(0, page.totalCount + delta);
      writeTicketPage(cache, page);
    }
  }
  // Backward pages are not kept in place here: asking again is the honest answer for them.
  for (const page of orphans) cache.invalidate('Query', 'tickets', page.args);
}

/** Whether a row sorts after the last loaded row of a list (on a page not loaded yet). */
function sortsPastLoaded(cache: Cache, last: Page, order: TicketOrder | undefined, row: TicketRowFragment): boolean {
  const end = last.edges[last.edges.length - 1];
  return !end || compare(order, sortKeyOf(order, row), cachedSortKey(cache, order, end.nodeKey)) > 0;
}

function insertInOrder(cache: Cache, chain: Page[], order: TicketOrder | undefined, ticket: TicketRowFragment, key: string): void {
  const mine = sortKeyOf(order, ticket);
  const edge: Edge = { cursor: `local:${ticket.id}`, nodeKey: key };
  for (const page of chain) {
    const index = page.edges.findIndex((other) => compare(order, mine, cachedSortKey(cache, order, other.nodeKey)) < 0);
    if (index >= 0) {
      page.edges.splice(index, 0, edge);
      return;
    }
    // Past this page's last row: it belongs on a later page, or at the very end of a complete list.
    if (!page.hasNextPage) {
      page.edges.push(edge);
      return;
    }
    if (page === chain[chain.length - 1]) return;
  }
}

function writeCommentPage(cache: Cache, ticketId: string, page: Page): void {
  cache.writeFragment(CommentPageWrite, { __typename: 'Ticket', id: ticketId, comments: pageData(cache, page, COMMENT_PAGE) }, page.args);
}

/** Appends a comment to a ticket's cached comment lists (oldest first), where their last page is loaded. */
export function appendComment(cache: Cache, ticketId: string, comment: { __typename?: string; id: string }): void {
  const ticketKey = cache.keyOfEntity({ __typename: 'Ticket', id: ticketId });
  const commentKey = cache.keyOfEntity({ __typename: 'Comment', id: comment.id });
  if (!ticketKey || !commentKey) return;
  for (const chain of readLists(cache, ticketKey, 'comments').lists) {
    const last = chain[chain.length - 1]!;
    if (last.hasNextPage || chain.some((page) => page.edges.some((edge) => edge.nodeKey === commentKey))) continue;
    last.edges.push({ cursor: `local:${comment.id}`, nodeKey: commentKey });
    writeCommentPage(cache, ticketId, last);
  }
}

/** Drops a comment from a ticket's cached comment lists. */
export function removeComment(cache: Cache, ticketId: string, commentId: string): void {
  const ticketKey = cache.keyOfEntity({ __typename: 'Ticket', id: ticketId });
  const commentKey = cache.keyOfEntity({ __typename: 'Comment', id: commentId });
  if (!ticketKey || !commentKey) return;
  for (const chain of readLists(cache, ticketKey, 'comments').lists) {
    for (const page of chain) {
      const before = page.edges.length;
      page.edges = page.edges.filter((edge) => edge.nodeKey !== commentKey);
      if (page.edges.length !== before) writeCommentPage(cache, ticketId, page);
    }
  }
}

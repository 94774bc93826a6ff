// Cursor pages merged into one list when read, as graphcache's relayPagination does, in one pass.
// relayPagination appends page after page and, for each, resolves the node of every edge gathered so
// far to drop duplicates: a read cost pages × rows, and the list is read again after every page, so
// scrolling through 10,000 tickets spent seconds per page in it. The lists here only page forward
// (first/after); anything with last/before is left to relayPagination.
import type { Cache, Resolver, Variables } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

interface PageInfo {
  __typename: string;
  endCursor: string | null;
  startCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

interface Page {
  args: Variables;
  typename: string;
  edges: string[];
  pageInfo: PageInfo;
}

const PAGINATION_ARGS = new Set(['first', 'after', 'last', 'before']);
const key = (value: unknown) => (typeof value === 'string' ? value : null);

/** The same list: every argument but the pagination ones equal (as relayPagination compares them). */
function sameList(a: Variables, b: Variables): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)].filter((name) => !PAGINATION_ARGS.has(name)));
  for (const name of names) {
    if (!(name in a) || !(name in b)) return false;
    const x = a[name];
    const y = b[name];
    if (
      typeof x === 'object' && x !== null && typeof y === 'object' && y !== null
        ? JSON.stringify(sorted(x)) !== JSON.stringify(sorted(y))
        : x !== y
    )
      return false;
  }
  return true;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

function readPage(cache: Cache, parentKey: string, fieldKey: string, args: Variables): Page | null {
  const connection = key(cache.resolve(parentKey, fieldKey));
  if (!connection) return null;
  const typename = cache.resolve(connection, '__typename');
  if (typeof typename !== 'string') return null;
  const edges = ((cache.resolve(connection, 'edges') as unknown[] | null) ?? []).filter((edge): edge is string => typeof edge === 'string');
  const info = key(cache.resolve(connection, 'pageInfo'));
  const field = (name: string) => (info ? cache.resolve(info, name) : undefined);
  const endCursor = key(field('endCursor')) ?? (edges.length ? key(cache.resolve(edges[edges.length - 1]!, 'cursor')) : null);
  const startCursor = key(field('startCursor')) ?? (edges.length ? key(cache.resolve(edges[0]!, 'cursor')) : null);
  const hasNext = field('hasNextPage');
  const hasPrevious = field('hasPreviousPage');
  return {
    args,
    typename,
    edges,
    pageInfo: {
      __typename: key(field('__typename')) ?? 'PageInfo',
      endCursor,
      startCursor,
      hasNextPage: typeof hasNext === 'boolean' ? hasNext : Boolean(endCursor),
      hasPreviousPage: typeof hasPrevious === 'boolean' ? hasPrevious : Boolean(startCursor),
    },
  };
}

/** Pages in list order: each first page, then the page asked for after its end, and so on; pages off every chain last. */
function chainOrder(pages: Page[]): Page[] {
  const afterCursor = new Map<string, Page[]>();
  for (const page of pages) {
    const after = key(page.args.after);
    if (after) afterCursor.set(after, [...(afterCursor.get(after) ?? []), page]);
  }
  const ordered: Page[] = [];
  const seen = new Set<Page>();
  const emit = (page: Page) => {
    if (seen.has(page)) return;
    seen.add(page);
    ordered.push(page);
    const end = page.pageInfo.endCursor;
    for (const next of (end && afterCursor.get(end)) || []) emit(next);
  };
  const endCursors = new Set(pages.map((page) => page.pageInfo.endCursor).filter(Boolean));
  for (const page of pages) if (!key(page.args.after) || !endCursors.has(page.args.after as string)) emit(page);
  for (const page of pages) emit(page);
  return ordered;
}

export function forwardPagination(): Resolver {
  const fallback = relayPagination();
  return (parent, fieldArgs, cache, info) => {
    const { parentKey, fieldName } = info;
    const fields = cache.inspectFields(parentKey).filter((field) => field.fieldName === fieldName);
    if (fields.length === 0) return undefined;
    const backward = (args: Variables | null) => args != null && (args.last != null || args.before != null);
    if (backward(fieldArgs) || fields.some((field) => backward(field.arguments))) return fallback(parent, fieldArgs, cache, info);

    const pages: Page[] = [];
    for (const field of fields) {
      if (!field.arguments || !sameList(fieldArgs, field.arguments)) continue;
      const page = readPage(cache, parentKey, field.fieldKey, field.arguments);
      if (page) pages.push(page);
    }
    if (pages.length === 0) return undefined;

    const edges: string[] = [];
    const nodes = new Set<string>();
    let typename: string | null = null;
    let pageInfo: PageInfo | null = null;
    for (const page of chainOrder(pages)) {
      if (page.edges.length === 0 && typename) continue;
      for (const edge of page.edges) {
        const node = cache.resolve(edge, 'node');
        if (typeof node === 'string' && !nodes.has(node)) {
          nodes.add(node);
          edges.push(edge);
        }
      }
      if (!pageInfo || !page.args.after) pageInfo = { ...page.pageInfo };
      else {
        pageInfo.endCursor = page.pageInfo.endCursor;
        pageInfo.hasNextPage = page.pageInfo.hasNextPage;
      }
      typename = page.typename;
    }
    if (!typename || !pageInfo) return undefined;
    // The page asked for is not cached yet: what is known now, and the network for the rest.
    if (!key(cache.resolve(parentKey, fieldName, fieldArgs))) info.partial = true;
    return { __typename: typename, edges, nodes: [], pageInfo };
  };
}

// Cursor pagination shared by every connection. Cursors are opaque base64 of the sort key
// [sortValue, id], so pages stay stable when rows are inserted (keyset, not offset).
import { parseCursorConnectionArgs } from '@pothos/core';
import { BadUserInputError } from './errors.ts';
import { whenKnown, type Known } from './known-loader.ts';

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

type CursorValue = string | number;
export type Cursor = [CursorValue, number];

/** A page request after validation: how many rows to read, from which cursor, in which direction. */
export interface PageWindow {
  after?: Cursor;
  before?: Cursor;
  /** rows to read: the page size plus one, to tell whether another page exists */
  limit: number;
  /** true when reading backwards (last/before): rows come in reverse order and are flipped afterwards */
  inverted: boolean;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !(typeof value[0] === 'string' || typeof value[0] === 'number') ||
    !Number.isSafeInteger(value[1])
  ) {
    throw new BadUserInputError(`"${text.slice(0, 60)}" is not a cursor from this connection. Use a cursor from pageInfo or an edge.`);
  }
  return value as Cursor;
}

/** What is wrong with a page request's sizes, in the words both checks use, or null. */
type PageArgsProblem =
  { kind: 'size'; argument: 'first' | 'last'; size: number; message: string } | { kind: 'firstAndLast'; message: string };

/**
 * first and last together have no single meaning (Relay's spec discourages it; Pothos would silently
 * ignore last), so they are refused rather than guessed. Used by the resolvers (below) and, before any
 * SQL with HTTP 400, by the document limits (server/document-limits/query-cost.ts).
 */
export function pageArgsProblem(args: Pick<PageArgs, 'first' | 'last'>, maxPageSize: number): PageArgsProblem | null {
  for (const argument of ['first', 'last'] as const) {
    const size = args[argument];
    if (size != null && (size < 0 || size > maxPageSize)) {
      return { kind: 'size', argument, size, message: `"${argument}" must be between 0 and ${maxPageSize}, got ${size}.` };
    }
  }
  if (args.first != null && args.last != null) {
    return {
      kind: 'firstAndLast',
      message: 'Pass "first" (with "after") to page forward or "last" (with "before") to page backward, not both.',
    };
  }
  return null;
}

/** Validates first/last (an error, not a silent clamp or a silently ignored argument) and reads cursors. */
export function pageWindow(args: PageArgs, maxPageSize: number, defaultSize = 20): PageWindow {
  const problem = pageArgsProblem(args, maxPageSize);
  if (problem?.kind === 'size') throw new BadUserInputError(problem.message, { argumentName: problem.argument, maxPageSize });
  if (problem) throw new BadUserInputError(problem.message, { argumentNames: ['first', 'last'] });
  const parsed = parseCursorConnectionArgs({ args, defaultSize, maxSize: maxPageSize });
  return {
    after: parsed.after ? decodeCursor(parsed.after) : undefined,
    before: parsed.before ? decodeCursor(parsed.before) : undefined,
    limit: parsed.limit,
    inverted: parsed.inverted,
  };
}

/**
 * An edge whose cursor is encoded when read: most queries never ask for the cursors of a nested list,
 * and encoding one per row (JSON, base64) was a visible share of a 50-ticket list's CPU.
 */
class Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => Cursor,
  ) {}

  get cursor(): string {
    return encodeCursor(this.cursorOf(this.node));
  }
}

/** Turns the rows read for a window into a Relay connection (trims the extra row, restores order). */
export function toConnection<T>(args: PageArgs, window: PageWindow, rows: readonly T[], cursorOf: (row: T) => Cursor) {
  const expected = window.limit - 1;
  const page = rows.slice(0, expected);
  if (window.inverted) page.reverse();
  const edges = page.map((node) => new Edge(node, cursorOf));
  const fallback = args.after ?? args.before ?? null;
  const first = edges[0];
  const last = edges.at(-1);
  return {
    edges,
    pageInfo: {
      get startCursor() {
        return first?.cursor ?? fallback;
      },
      get endCursor() {
        return last?.cursor ?? fallback;
      },
      hasPreviousPage: window.inverted ? rows.length > expected : !!window.after,
      hasNextPage: window.inverted ? !!window.before : rows.length > expected,
    },
  };
}

interface ChildPageLoader<Row, F> {
  get(key: { parentId: number; window: PageWindow; filter?: F }): Known<Row[]>;
}

/**
 * A nested connection (a parent's comments, a user's tickets) read through a child-page loader: at once
 * when the loader was primed with the page (a list read it along), else when the batch answers.
 */
export function childConnection<Row, F>(
  loader: ChildPageLoader<Row, F>,
  parentId: number,
  args: PageArgs,
  maxPageSize: number,
  cursorOf: (row: Row) => Cursor,
  filter?: F,
) {
  const window = pageWindow(args, maxPageSize);
  return whenKnown(loader.get({ parentId, window, filter }), (rows) => toConnection(args, window, rows, cursorOf));
}

export const byCreatedAt = (row: { createdAt: Date; id: number }): Cursor => [row.createdAt.toISOString(), row.id];

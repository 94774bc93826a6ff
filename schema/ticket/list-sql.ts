// The ticket list's common shape — a first page, no filter but visibility or only statuses and priorities,
// sorted by date — read through the SQL reader (../sql/reader.ts) instead of Prisma's query API, which costs several
// times the driver's CPU per statement. Every other shape (assignee, requester, tag, search, priority
// order, pages after a cursor) stays with Prisma's findMany in list.ts; test/sql-reader.test.ts compares the two.
// With the page come, in the same statement, the relations its resolvers will ask for (list-lookahead.ts):
// requester and assignee joined, each ticket's tags and first page of comments (with their authors) as
// JSON arrays built by PostgreSQL. A 50-ticket list with all of them is one statement instead of four,
// and 50 rows instead of some 450 for the driver to parse.
import type { Comment, Prisma, PrismaClient, Tag, Ticket, User } from '../../prisma/generated/client.ts';
import type { ChildFilterSql } from '../child-pages.ts';
import type { PageWindow } from '../pagination.ts';
import { INT, SqlParams, TEXT_LIST } from '../sql/params.ts';
import { sqlReaderOf, type SqlReader } from '../sql/reader.ts';
import { commentRows, tagRows, ticketRows, userRows } from '../sql/rows.ts';
import { isStaff, type Viewer } from '../viewer.ts';

export interface DirectListQuery {
  viewer: Viewer;
  status?: readonly string[] | null;
  priority?: readonly string[] | null;
  field: 'createdAt' | 'updatedAt';
  ascending: boolean;
  limit: number;
  /** What the page's tickets will be asked for; nothing when absent. */
  relations?: AskedRelations;
}

/** The relations of a page's tickets that its query selects (list-lookahead.ts). */
export interface AskedRelations {
  people: boolean;
  tags: boolean;
  /** The window of each ticket's comments connection, when it has one without cursors. */
  comments: PageWindow | null;
}

/** One page of a ticket list: the common shape (direct) through the SQL reader, every other through Prisma. */
export interface TicketPageQuery {
  direct: DirectListQuery | null;
  prisma: Prisma.TicketFindManyArgs;
}

/** A page with the relations read along: what the loaders are primed with (loaders.ts). */
export interface TicketPageRows {
  tickets: Ticket[];
  /** Requesters, assignees and comment authors. */
  users: User[];
  tagsByTicket: Map<number, Tag[]> | null;
  commentsByTicket: Map<number, Comment[]> | null;
}

function pageSql(query: DirectListQuery, params: SqlParams): string {
  let sql = `SELECT ${ticketRows.select('t')} FROM "Ticket" t WHERE t."organizationId" = ${params.add(query.viewer.organizationId, INT)}`;
  if (!isStaff(query.viewer)) sql += ` AND t."requesterId" = ${params.add(query.viewer.userId, INT)}`;
  if (query.status?.length) sql += ` AND t."status"::text = ANY(${params.add(query.status, TEXT_LIST)}::text[])`;
  if (query.priority?.length) sql += ` AND t."priority"::text = ANY(${params.add(query.priority, TEXT_LIST)}::text[])`;
  return sql + ` ${orderBy(query)} LIMIT ${literalLimit(query.limit)}`;
}

/**
 * Page sizes are written into the text, not bound: the statement is prepared (named), and the plan
 * PostgreSQL keeps for it must be made for the real size — with a bound LIMIT it plans for a guess. Sizes
 * are at most the maximum page size plus one, so this makes at most that many texts per shape.
 */
function literalLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`A page size must be a whole number, got ${limit}.`);
  return String(limit);
}

const orderBy = (query: DirectListQuery) => {
  const order = query.ascending ? 'ASC' : 'DESC';
  return `ORDER BY t."${query.field}" ${order}, t."id" ${order}`;
};

export async function readTicketPage(prisma: PrismaClient, query: DirectListQuery): Promise<Ticket[]> {
  const params = new SqlParams();
  const rows = await sqlReaderOf(prisma).rows(pageSql(query, params), params.args, params.types);
  return rows.map((values) => ticketRows.row(values, 0));
}

const PEOPLE_JOIN = ` JOIN "User" r ON r."id" = t."requesterId" LEFT JOIN "User" a ON a."id" = t."assigneeId"`;

// Set-based, not a subquery per ticket: a correlated subquery re-scans "Tag" and "User" for every
// ticket (7.6 ms for 50 tickets against 2–3 ms this way).
const TAGS = `tags AS (SELECT tt."ticketId", json_agg(json_build_array(${tagRows.jsonColumns('g')}) ORDER BY g."name", g."id") AS list
  FROM "TicketTag" tt JOIN "Tag" g ON g."id" = tt."tagId" WHERE tt."ticketId" IN (SELECT "id" FROM page) GROUP BY tt."ticketId")`;

/** Each ticket's first comments in the window's order, as the comment loader reads them (child-pages.ts), with their authors. */
function commentsSql(window: PageWindow, filter: ChildFilterSql, params: SqlParams): string {
  const order = window.inverted ? 'DESC' : 'ASC';
  return `comments AS (SELECT c."ticketId", json_agg(json_build_array(${commentRows.jsonColumns('c')}, ${userRows.jsonColumns('u')}) ORDER BY c."createdAt" ${order}, c."id" ${order}) AS list
  FROM page p CROSS JOIN LATERAL (SELECT c.* FROM "Comment" c WHERE c."ticketId" = p."id" ${filter(params)}
    ORDER BY c."createdAt" ${order}, c."id" ${order} LIMIT ${literalLimit(window.limit)}) c
  JOIN "User" u ON u."id" = c."authorId" GROUP BY c."ticketId")`;
}

// A ticket without tags or comments has no row in those CTEs: NULL, an empty list.
const parsed = (value: unknown) => (value === null ? [] : typeof value === 'string' ? JSON.parse(value) : value) as unknown[][];

/**
 * A page and the relations asked, in one statement. `commentFilter` is the comment loader's own condition
 * (who may read which comments), so a comment read here is one that loader would have returned.
 */
export async function readTicketPageWith(
  reader: SqlReader,
  query: DirectListQuery,
  relations: AskedRelations,
  commentFilter: ChildFilterSql,
): Promise<TicketPageRows> {
  const params = new SqlParams();
  const parts = [`page AS (${pageSql(query, params)})`];
  let select = ticketRows.select('t');
  let from = 'page t';
  if (relations.people) {
    select += `, ${userRows.select('r')}, ${userRows.select('a')}`;
    from += PEOPLE_JOIN;
  }
  if (relations.tags) {
    parts.push(TAGS);
    select += ', tags.list';
    from += ' LEFT JOIN tags ON tags."ticketId" = t."id"';
  }
  if (relations.comments) {
    parts.push(commentsSql(relations.comments, commentFilter, params));
    select += ', comments.list';
    from += ' LEFT JOIN comments ON comments."ticketId" = t."id"';
  }
  const sql = `WITH ${parts.join(', ')} SELECT ${select} FROM ${from} ${orderBy(query)}`;
  const page: TicketPageRows = {
    tickets: [],
    users: [],
    tagsByTicket: relations.tags ? new Map() : null,
    commentsByTicket: relations.comments ? new Map() : null,
  };
  const authorAt = commentRows.width;
  // Each person once: the same few agents wrote most comments of a page.
  const seen = new Set<number>();
  const person = (values: readonly unknown[], at: number) => {
    const id = values[at] as number | null;
    if (id === null || seen.has(id)) return;
    seen.add(id);
    page.users.push(userRows.row(values, at));
  };
  for (const values of await reader.rows(sql, params.args, params.types)) {
    const ticket = ticketRows.row(values, 0);
    page.tickets.push(ticket);
    let at = ticketRows.width;
    if (relations.people) {
      person(values, at);
      person(values, at + userRows.width);
      at += 2 * userRows.width;
    }
    if (page.tagsByTicket) {
      page.tagsByTicket.set(
        ticket.id,
        parsed(values[at]).map((tag) => tagRows.row(tag, 0)),
      );
      at += 1;
    }
    if (page.commentsByTicket) {
      const comments: Comment[] = [];
      for (const both of parsed(values[at])) {
        comments.push(commentRows.row(both, 0));
        person(both, authorAt);
      }
      page.commentsByTicket.set(ticket.id, comments);
    }
  }
  return page;
}

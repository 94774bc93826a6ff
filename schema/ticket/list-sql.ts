// The ticket list's common shape — a first page, no filter but visibility or only statuses and priorities,
// sorted by date — read through the SQL reader (../sql/reader.ts) instead of Prisma's query API, which costs several
// times the driver's CPU per statement. Every other shape (assignee, requester, tag, search, priority
// order, pages after a cursor) stays with Prisma's findMany in list.ts; test/sql-reader.test.ts compares the two.
import type { Prisma, PrismaClient, Ticket } from '../../prisma/generated/client.ts';
import { INT, SqlParams, TEXT_LIST } from '../sql/params.ts';
import { sqlReaderOf } from '../sql/reader.ts';
import { ticketRows } from '../sql/rows.ts';
import { isStaff, type Viewer } from '../viewer.ts';

export interface DirectListQuery {
  viewer: Viewer;
  status?: readonly string[] | null;
  priority?: readonly string[] | null;
  field: 'createdAt' | 'updatedAt';
  ascending: boolean;
  limit: number;
}

const SELECT = `SELECT ${ticketRows.select('t')} FROM "Ticket" t WHERE t."organizationId" = `;

/** One page of a ticket list: the common shape (direct) through the SQL reader, every other through Prisma. */
export interface TicketPageQuery {
  direct: DirectListQuery | null;
  prisma: Prisma.TicketFindManyArgs;
}

export async function readTicketPage(prisma: PrismaClient, query: DirectListQuery): Promise<Ticket[]> {
  const params = new SqlParams();
  let sql = SELECT + params.add(query.viewer.organizationId, INT);
  if (!isStaff(query.viewer)) sql += ` AND t."requesterId" = ${params.add(query.viewer.userId, INT)}`;
  if (query.status?.length) sql += ` AND t."status"::text = ANY(${params.add(query.status, TEXT_LIST)}::text[])`;
  if (query.priority?.length) sql += ` AND t."priority"::text = ANY(${params.add(query.priority, TEXT_LIST)}::text[])`;
  const column = `t."${query.field}"`;
  const order = query.ascending ? 'ASC' : 'DESC';
  sql += ` ORDER BY ${column} ${order}, t."id" ${order} LIMIT ${params.add(query.limit, INT)}`;
  const rows = await sqlReaderOf(prisma).rows(sql, params.args, params.types);
  return rows.map((values) => ticketRows.row(values, 0));
}

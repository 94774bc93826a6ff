// The columns the seed writes, with their PostgreSQL types: insertRows binds one typed array per column.
import type { Prisma } from '../generated/client.ts';

/** The PostgreSQL type of every column of a table, keyed by the Prisma field; enum types are quoted. */
export type ColumnTypes<Row> = { [K in keyof Required<Row>]: string };

export const ORGANIZATION_COLUMNS: ColumnTypes<Prisma.OrganizationCreateManyInput> = {
  id: 'int',
  slug: 'text',
  name: 'text',
  createdAt: 'timestamp(3)',
};
export const USER_COLUMNS: ColumnTypes<Prisma.UserCreateManyInput> = {
  id: 'int',
  organizationId: 'int',
  email: 'text',
  name: 'text',
  role: '"Role"',
  avatarUrl: 'text',
  passwordHash: 'text',
  createdAt: 'timestamp(3)',
};
export const TAG_COLUMNS: ColumnTypes<Prisma.TagCreateManyInput> = {
  id: 'int',
  organizationId: 'int',
  name: 'text',
  createdAt: 'timestamp(3)',
};
export const TICKET_COLUMNS: ColumnTypes<Prisma.TicketCreateManyInput> = {
  id: 'int',
  organizationId: 'int',
  number: 'int',
  title: 'text',
  body: 'text',
  status: '"TicketStatus"',
  priority: '"TicketPriority"',
  requesterId: 'int',
  assigneeId: 'int',
  createdAt: 'timestamp(3)',
  updatedAt: 'timestamp(3)',
  resolvedAt: 'timestamp(3)',
};
export const TICKET_TAG_COLUMNS: ColumnTypes<Prisma.TicketTagCreateManyInput> = {
  ticketId: 'int',
  tagId: 'int',
};
export const COMMENT_COLUMNS: ColumnTypes<Prisma.CommentCreateManyInput> = {
  id: 'int',
  ticketId: 'int',
  authorId: 'int',
  body: 'text',
  internal: 'boolean',
  createdAt: 'timestamp(3)',
};

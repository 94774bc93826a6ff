// Per-request DataLoaders: every relation in the graph is read through one of these, so a list of N
// parents costs one statement per relation, not N. They are created for each request with its viewer,
// so nothing cached here outlives the request or crosses to another viewer.
import DataLoader from 'dataloader';
import {
  Prisma,
  type Comment,
  type Organization,
  type PrismaClient,
  type Tag,
  type Ticket,
  type User,
} from '../prisma/generated/client.ts';
import { fetchChildPages, type ChildListSpec } from './child-pages.ts';
import { createCountLoaders, type TicketListFilter } from './count-loaders.ts';
import { createDashboardLoaders } from './dashboard-queries.ts';
import type { PageWindow } from './pagination.ts';
import { isStaff, type Viewer } from './viewer.ts';

export interface LoaderOptions {
  /**
   * false turns batching off: every load becomes its own statement. That is the N+1 baseline the
   * statement-count tests and benchmarks compare against; nothing in production sets it.
   */
  batch: boolean;
}

/** Loads rows by primary key, answering in key order with null for ids that do not exist. */
function byId<T extends { id: number }>(fetch: (ids: number[]) => Promise<T[]>, options: LoaderOptions) {
  return new DataLoader<number, T | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  }, options);
}

/** Loads the rows that belong to each key (a foreign key), in key order. */
function groupedBy<T>(fetch: (keys: number[]) => Promise<T[]>, keyOf: (row: T) => number, options: LoaderOptions) {
  return new DataLoader<number, T[]>(async (keys) => {
    const groups = new Map<number, T[]>();
    for (const row of await fetch([...keys])) {
      const key = keyOf(row);
      const list = groups.get(key) ?? [];
      list.push(row);
      groups.set(key, list);
    }
    return keys.map((key) => groups.get(key) ?? []);
  }, options);
}

interface ChildPageKey<F = unknown> {
  parentId: number;
  window: PageWindow;
  filter?: F;
}

/**
 * Pages of children for many parents. Keys asking for the same window and filter are read together in
 * one statement; different windows (rare in one request) get one statement each.
 */
function childPages<Row, F = undefined>(
  prisma: PrismaClient,
  spec: ChildListSpec,
  filterSql: (filter: F | undefined) => Prisma.Sql,
  options: LoaderOptions,
) {
  return new DataLoader<ChildPageKey<F>, Row[], string>(
    async (keys) => {
      const groups = new Map<string, ChildPageKey<F>[]>();
      for (const key of keys) {
        const shape = JSON.stringify([key.window, key.filter ?? null]);
        groups.set(shape, [...(groups.get(shape) ?? []), key]);
      }
      const results = new Map<ChildPageKey<F>, Row[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const first = group[0]!;
          const pages = await fetchChildPages<Row>(
            prisma,
            spec,
            group.map((key) => key.parentId),
            first.window,
            filterSql(first.filter),
          );
          for (const key of group) results.set(key, pages.get(key.parentId) ?? []);
        }),
      );
      return keys.map((key) => results.get(key) ?? []);
    },
    { ...options, cacheKeyFn: (key) => JSON.stringify([key.parentId, key.window, key.filter ?? null]) },
  );
}

export function createLoaders(prisma: PrismaClient, viewer: Viewer | null, options: LoaderOptions = { batch: true }) {
  const staff = viewer ? isStaff(viewer) : false;
  const viewerId = viewer?.userId ?? 0;

  // Customers never read internal comments, so they are filtered in SQL, not after the fact.
  const commentScope = staff ? Prisma.empty : Prisma.sql`AND c."internal" = false`;
  // A customer looking at an agent's tickets sees only those the customer requested.
  const ticketScope = staff ? Prisma.empty : Prisma.sql`AND c."requesterId" = ${viewerId}`;
  const ticketFilter = (filter: TicketListFilter | undefined) => {
    const status = filter?.status?.length ? Prisma.sql`AND c."status"::text = ANY(${filter.status}::text[])` : Prisma.empty;
    return Prisma.sql`${ticketScope} ${status}`;
  };

  return {
    ...createCountLoaders(prisma, viewer, options),
    ...createDashboardLoaders(prisma, options),
    organization: byId<Organization>((ids) => prisma.organization.findMany({ where: { id: { in: ids } } }), options),
    user: byId<User>((ids) => prisma.user.findMany({ where: { id: { in: ids } } }), options),
    ticket: byId<Ticket>((ids) => prisma.ticket.findMany({ where: { id: { in: ids } } }), options),
    comment: byId<Comment>((ids) => prisma.comment.findMany({ where: { id: { in: ids } } }), options),
    tag: byId<Tag>((ids) => prisma.tag.findMany({ where: { id: { in: ids } } }), options),

    tagsByOrganization: groupedBy<Tag>(
      (orgIds) => prisma.tag.findMany({ where: { organizationId: { in: orgIds } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      (tag) => tag.organizationId,
      options,
    ),

    /** The tags on each ticket, by name: one join for all tickets. */
    tagsByTicket: groupedBy<Tag & { ticketId: number }>(
      (ticketIds) => prisma.$queryRaw`
        SELECT t.*, tt."ticketId" FROM "TicketTag" tt JOIN "Tag" t ON t."id" = tt."tagId"
        WHERE tt."ticketId" = ANY(${ticketIds}::int[]) ORDER BY t."name", t."id"`,
      (row) => row.ticketId,
      options,
    ),

    commentsByTicket: childPages<Comment>(
      prisma,
      { table: 'Comment', parentColumn: 'ticketId', sortColumn: 'createdAt', sortType: 'timestamp', direction: 'ASC' },
      () => commentScope,
      options,
    ),
    ticketsByAssignee: childPages<Ticket, TicketListFilter>(
      prisma,
      { table: 'Ticket', parentColumn: 'assigneeId', sortColumn: 'createdAt', sortType: 'timestamp', direction: 'DESC' },
      ticketFilter,
      options,
    ),
    ticketsByRequester: childPages<Ticket, TicketListFilter>(
      prisma,
      { table: 'Ticket', parentColumn: 'requesterId', sortColumn: 'createdAt', sortType: 'timestamp', direction: 'DESC' },
      ticketFilter,
      options,
    ),
    usersByOrganization: childPages<User>(
      prisma,
      { table: 'User', parentColumn: 'organizationId', sortColumn: 'name', sortType: 'text', direction: 'ASC' },
      () => (staff ? Prisma.empty : Prisma.sql`AND (c."role" <> 'CUSTOMER' OR c."id" = ${viewerId})`),
      options,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

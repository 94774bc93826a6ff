// The peers' data layer, frozen: deskgraph's per-request loaders as they were before issue 20 (schema/loaders.ts
// and schema/child-pages.ts at dcac27b), every read through Prisma's query API or Prisma.sql templates.
//
// Why frozen: issue 20 makes deskgraph's own loaders cheaper (reads straight through the driver adapter,
// schema/sql/reader.ts), and the peers of `npm run bench` must keep the data layer they used until then —
// "a typical Prisma data layer" — so that row 5 compares frameworks on the same footing as before, not
// deskgraph's data path under another framework. Do not speed this file up; change it only when the
// `Loaders` type (what the resolvers call) changes. The dashboard's are frozen too (./prisma-dashboard.ts);
// the count loaders are still shared with deskgraph (schema/count-loaders.ts). The loaders are
// KnownLoaders (a DataLoader that can also answer what it was primed with without a promise) only
// because the resolvers ask that of them; nothing here primes them with a page's relations.
import { KnownLoader } from '../../../schema/known-loader.ts';
import {
  Prisma,
  type Comment,
  type Organization,
  type PrismaClient,
  type Tag,
  type Ticket,
  type User,
} from '../../../prisma/generated/client.ts';
import { createCountLoaders, type TicketListFilter } from '../../../schema/count-loaders.ts';
import { createDashboardLoaders } from './prisma-dashboard.ts';
import type { Loaders } from '../../../schema/loaders.ts';
import type { PageWindow } from '../../../schema/pagination.ts';
import type { TicketPageQuery } from '../../../schema/ticket/list-sql.ts';
import { isStaff, type Viewer } from '../../../schema/viewer.ts';

interface ChildListSpec {
  table: 'Comment' | 'Ticket' | 'User';
  parentColumn: string;
  sortColumn: string;
  sortType: 'timestamp' | 'text';
  direction: 'ASC' | 'DESC';
}

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '')}"`);

function keysetCondition(spec: ChildListSpec, window: PageWindow): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const cast = spec.sortType === 'timestamp' ? Prisma.raw('::timestamp(3)') : Prisma.raw('::text');
  const row = Prisma.sql`(c.${ident(spec.sortColumn)}, c."id")`;
  const later = spec.direction === 'ASC' ? Prisma.raw('>') : Prisma.raw('<');
  const earlier = spec.direction === 'ASC' ? Prisma.raw('<') : Prisma.raw('>');
  if (window.after) parts.push(Prisma.sql`${row} ${later} (${window.after[0]}${cast}, ${window.after[1]}::int)`);
  if (window.before) parts.push(Prisma.sql`${row} ${earlier} (${window.before[0]}${cast}, ${window.before[1]}::int)`);
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

/** Reads one page per parent; returns rows grouped by parent id, in page order (reversed when inverted). */
async function fetchChildPages<Row>(
  prisma: PrismaClient,
  spec: ChildListSpec,
  parentIds: readonly number[],
  window: PageWindow,
  filter: Prisma.Sql = Prisma.empty,
): Promise<Map<number, Row[]>> {
  const direction = (spec.direction === 'ASC') !== window.inverted ? Prisma.raw('ASC') : Prisma.raw('DESC');
  const rows = await prisma.$queryRaw<(Row & { __parent: number })[]>`
    SELECT * FROM (
      SELECT c.*, c.${ident(spec.parentColumn)} AS "__parent",
             ROW_NUMBER() OVER (PARTITION BY c.${ident(spec.parentColumn)}
                                ORDER BY c.${ident(spec.sortColumn)} ${direction}, c."id" ${direction}) AS "__rank"
      FROM ${ident(spec.table)} c
      WHERE c.${ident(spec.parentColumn)} = ANY(${[...parentIds]}::int[]) ${filter} ${keysetCondition(spec, window)}
    ) ranked
    WHERE "__rank" <= ${window.limit}
    ORDER BY "__parent", "__rank"`;
  const byParent = new Map<number, Row[]>();
  for (const { __parent, __rank, ...row } of rows as (Row & { __parent: number; __rank: unknown })[]) {
    const list = byParent.get(__parent) ?? [];
    list.push(row as Row);
    byParent.set(__parent, list);
  }
  return byParent;
}

interface LoaderOptions {
  /**
   * false turns batching off: every load becomes its own statement. That is the N+1 baseline the
   * statement-count tests and benchmarks compare against; nothing in production sets it.
   */
  batch: boolean;
}

/** Loads rows by primary key, answering in key order with null for ids that do not exist. */
function byId<T extends { id: number }>(fetch: (ids: number[]) => Promise<T[]>, options: LoaderOptions) {
  return new KnownLoader<number, T | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  }, options);
}

/** Loads the rows that belong to each key (a foreign key), in key order. */
function groupedBy<T>(fetch: (keys: number[]) => Promise<T[]>, keyOf: (row: T) => number, options: LoaderOptions) {
  return new KnownLoader<number, T[]>(async (keys) => {
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
  return new KnownLoader<ChildPageKey<F>, Row[], string>(
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

export function createPrismaLoaders(prisma: PrismaClient, viewer: Viewer | null, options: LoaderOptions = { batch: true }): Loaders {
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
    // A ticket list's page as schema/ticket/list.ts read it before issue 20: always Prisma's findMany.
    ticketPage: (query: TicketPageQuery) => prisma.ticket.findMany(query.prisma),
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

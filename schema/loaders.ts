// Per-request DataLoaders: every relation in the graph is read through one of these, so a list of N
// parents costs one statement per relation, not N. They are created for each request with its viewer,
// so nothing cached here outlives the request or crosses to another viewer.
import type { Comment, Organization, PrismaClient, Tag, Ticket, User } from '../prisma/generated/client.ts';
import type { ChildFilterSql } from './child-pages.ts';
import { byId, childPages, groupedBy, type ChildPageKey, type KeyedRead, type LoaderOptions } from './loader-kinds.ts';
import { createCountLoaders, type TicketListFilter } from './count-loaders.ts';
import { createDashboardLoaders } from './dashboard-queries.ts';
import { KnownLoader } from './known-loader.ts';
import { INT, INT_LIST, TEXT_LIST } from './sql/params.ts';
import { sqlReaderOf, type SqlReader } from './sql/reader.ts';
import { commentRows, organizationRows, tagRows, ticketRows, userRows, type RowModel } from './sql/rows.ts';
import { readTicketPage, readTicketPageWith, type TicketPageQuery } from './ticket/list-sql.ts';
import { isStaff, type Viewer } from './viewer.ts';

export type { LoaderOptions };

const byIdRead = <T>(table: string, rows: RowModel<T>): KeyedRead<T> => ({
  sql: `SELECT ${rows.select('t')} FROM "${table}" t WHERE t."id" = ANY($1::int[])`,
  rows,
});

// Built once per process: each loader's statement text is fixed, only its parameters change.
const READS = {
  organization: byIdRead('Organization', organizationRows),
  user: byIdRead('User', userRows),
  ticket: byIdRead('Ticket', ticketRows),
  comment: byIdRead('Comment', commentRows),
  tag: byIdRead('Tag', tagRows),
  // Tickets with their requester and assignee: the users a ticket's page shows are read with it, not in a
  // second round trip (ticket by id is one statement instead of two).
  ticketWithPeople: `SELECT ${ticketRows.select('t')}, ${userRows.select('r')}, ${userRows.select('a')}
    FROM "Ticket" t JOIN "User" r ON r."id" = t."requesterId" LEFT JOIN "User" a ON a."id" = t."assigneeId"
    WHERE t."id" = ANY($1::int[])`,
  tagsByOrganization: {
    sql: `SELECT ${tagRows.select('t')}, t."organizationId" FROM "Tag" t WHERE t."organizationId" = ANY($1::int[]) ORDER BY t."name", t."id"`,
    rows: tagRows,
  },
  // The tags on each ticket, by name: one join for all tickets; the key (ticketId) follows the tag's columns.
  tagsByTicket: {
    sql: `SELECT ${tagRows.select('t')}, tt."ticketId" FROM "TicketTag" tt JOIN "Tag" t ON t."id" = tt."tagId"
          WHERE tt."ticketId" = ANY($1::int[]) ORDER BY t."name", t."id"`,
    rows: tagRows,
  },
};

/**
 * Loads tickets by id with their requester and assignee in the same statement, priming the user loader
 * with them. With batching off (the N+1 baseline) it is the plain by-id read: one statement per relation.
 */
function ticketsWithPeople(reader: SqlReader, users: KnownLoader<number, User | null>, options: LoaderOptions) {
  if (!options.batch) return byId<Ticket>(reader, READS.ticket, options);
  const requesterAt = ticketRows.width;
  const assigneeAt = requesterAt + userRows.width;
  return new KnownLoader<number, Ticket | null>(async (ids) => {
    const found = new Map<number, Ticket>();
    for (const values of await reader.rows(READS.ticketWithPeople, [ids], [INT_LIST])) {
      const ticket = ticketRows.row(values, 0);
      found.set(ticket.id, ticket);
      users.prime(ticket.requesterId, userRows.row(values, requesterAt));
      if (ticket.assigneeId !== null) users.prime(ticket.assigneeId, userRows.row(values, assigneeAt));
    }
    return ids.map((id) => found.get(id) ?? null);
  }, options);
}

const noCondition: ChildFilterSql = () => '';

/** What one request's loaders are built from. */
interface Scope {
  prisma: PrismaClient;
  viewer: Viewer | null;
  options: LoaderOptions;
  reader: SqlReader;
  staff: boolean;
  viewerId: number;
}

// Customers never read internal comments, so they are filtered in SQL, not after the fact.
const commentScope = ({ staff }: Scope): ChildFilterSql => (staff ? noCondition : () => 'AND c."internal" = false');

// A customer looking at an agent's tickets sees only those the customer requested.
const ticketFilter =
  ({ staff, viewerId }: Scope) =>
  (filter: TicketListFilter | undefined): ChildFilterSql => {
    const statuses = filter?.status?.length ? filter.status : null;
    if (staff && !statuses) return noCondition;
    return (params) =>
      (staff ? '' : `AND c."requesterId" = ${params.add(viewerId, INT)} `) +
      (statuses ? `AND c."status"::text = ANY(${params.add(statuses, TEXT_LIST)}::text[])` : '');
  };

const userScope = ({ staff, viewerId }: Scope): ChildFilterSql =>
  staff ? noCondition : (params) => `AND (c."role" <> 'CUSTOMER' OR c."id" = ${params.add(viewerId, INT)})`;

/** A page loader's condition that does not depend on the key's filter. */
const always = (sql: ChildFilterSql) => () => sql;

/** A user's tickets, newest first: the pages of tickets per assignee or per requester. */
const ticketPagesBy = (s: Scope, parentColumn: 'assigneeId' | 'requesterId') =>
  childPages<Ticket, TicketListFilter>(
    s.reader,
    { table: 'Ticket', rows: ticketRows, parentColumn, sortColumn: 'createdAt', sortType: 'timestamp', direction: 'DESC' },
    ticketFilter(s),
    s.options,
  );

/** The loaders a read primes with the relations it read along (ticketsWithPeople, readPage). */
interface PrimedBy {
  user: KnownLoader<number, User | null>;
  tagsByTicket: KnownLoader<number, Tag[]>;
  commentsByTicket: KnownLoader<ChildPageKey<undefined>, Comment[], string>;
}

/**
 * A page of a ticket list: the common shape through the SQL reader, with the relations its query asks
 * read in the same statement and primed (resolvers then get them without a promise); every other shape
 * through Prisma. Without batching (the N+1 baseline) relations stay reads of their own.
 */
async function readPage(s: Scope, self: PrimedBy, query: TicketPageQuery): Promise<Ticket[]> {
  const direct = query.direct;
  if (!direct) return s.prisma.ticket.findMany(query.prisma);
  const relations = direct.relations;
  if (!s.options.batch || !relations || !(relations.people || relations.tags || relations.comments))
    return readTicketPage(s.prisma, direct);
  const page = await readTicketPageWith(s.reader, direct, relations, commentScope(s));
  for (const user of page.users) self.user.prime(user.id, user);
  page.tagsByTicket?.forEach((tags, ticketId) => self.tagsByTicket.prime(ticketId, tags));
  const window = relations.comments;
  if (window) page.commentsByTicket?.forEach((comments, parentId) => self.commentsByTicket.prime({ parentId, window }, comments));
  return page.tickets;
}

/** How each loader of a request is built, on its first use (most requests use two or three of them). */
const BUILDERS = {
  organization: (s: Scope) => byId<Organization>(s.reader, READS.organization, s.options),
  user: (s: Scope) => byId<User>(s.reader, READS.user, s.options),
  ticket: (s: Scope, self: PrimedBy) => ticketsWithPeople(s.reader, self.user, s.options),
  comment: (s: Scope) => byId<Comment>(s.reader, READS.comment, s.options),
  tag: (s: Scope) => byId<Tag>(s.reader, READS.tag, s.options),
  tagsByOrganization: (s: Scope) => groupedBy<Tag>(s.reader, READS.tagsByOrganization, s.options),
  /** The tags on each ticket, by name: one join for all tickets. */
  tagsByTicket: (s: Scope) => groupedBy<Tag>(s.reader, READS.tagsByTicket, s.options),
  commentsByTicket: (s: Scope) =>
    childPages<Comment>(
      s.reader,
      { table: 'Comment', rows: commentRows, parentColumn: 'ticketId', sortColumn: 'createdAt', sortType: 'timestamp', direction: 'ASC' },
      always(commentScope(s)),
      s.options,
    ),
  ticketsByAssignee: (s: Scope) => ticketPagesBy(s, 'assigneeId'),
  ticketsByRequester: (s: Scope) => ticketPagesBy(s, 'requesterId'),
  /** A page of a ticket list (ticket/list.ts): a data-layer read like the others, so the peers' frozen layer keeps its own. */
  ticketPage: (s: Scope, self: PrimedBy) => (query: TicketPageQuery) => readPage(s, self, query),
  usersByOrganization: (s: Scope) =>
    childPages<User>(
      s.reader,
      { table: 'User', rows: userRows, parentColumn: 'organizationId', sortColumn: 'name', sortType: 'text', direction: 'ASC' },
      always(userScope(s)),
      s.options,
    ),
};

/** Loaders made by other modules, a group at a time (on first use of any of its loaders). */
const GROUPS = {
  counts: (s: Scope) => createCountLoaders(s.prisma, s.viewer, s.options),
  dashboard: (s: Scope) => createDashboardLoaders(s.prisma, s.options),
};

type OwnLoaders = { readonly [K in keyof typeof BUILDERS]: ReturnType<(typeof BUILDERS)[K]> };
export type Loaders = OwnLoaders & ReturnType<typeof GROUPS.counts> & ReturnType<typeof GROUPS.dashboard>;

const STATE = Symbol('loader state');
interface LazyLoaders {
  [STATE]: { scope: Scope; made: Record<string, unknown>; groups: Record<string, Record<string, unknown>> };
}

/**
 * One prototype for every request's loaders: a getter per loader builds it on first use and keeps it
 * for the request. Building all of them up front (DataLoaders, statements' closures) was 2–3 % of the CPU
 * of a request reading one ticket. The groups' loader names are known once one group was built.
 */
function loadersPrototype(groupKeys: Record<keyof typeof GROUPS, string[]>): object {
  const getters: PropertyDescriptorMap = {};
  for (const name of Object.keys(BUILDERS) as (keyof typeof BUILDERS)[]) {
    getters[name] = {
      enumerable: true,
      get(this: LazyLoaders) {
        const state = this[STATE];
        return (state.made[name] ??= BUILDERS[name](state.scope, this as unknown as Loaders));
      },
    };
  }
  for (const group of Object.keys(GROUPS) as (keyof typeof GROUPS)[]) {
    for (const key of groupKeys[group]) {
      getters[key] = {
        enumerable: true,
        get(this: LazyLoaders) {
          const state = this[STATE];
          return (state.groups[group] ??= GROUPS[group](state.scope) as Record<string, unknown>)[key];
        },
      };
    }
  }
  return Object.create(Object.prototype, getters) as object;
}

let prototype: object | null = null;

export function createLoaders(prisma: PrismaClient, viewer: Viewer | null, options: LoaderOptions = { batch: true }): Loaders {
  const scope: Scope = {
    prisma,
    viewer,
    options,
    reader: sqlReaderOf(prisma),
    staff: viewer ? isStaff(viewer) : false,
    viewerId: viewer?.userId ?? 0,
  };
  const state: LazyLoaders[typeof STATE] = { scope, made: {}, groups: {} };
  if (!prototype) {
    const counts = (state.groups.counts = GROUPS.counts(scope));
    const dashboard = (state.groups.dashboard = GROUPS.dashboard(scope));
    prototype = loadersPrototype({ counts: Object.keys(counts), dashboard: Object.keys(dashboard) });
  }
  const loaders = Object.create(prototype) as LazyLoaders;
  loaders[STATE] = state;
  return loaders as unknown as Loaders;
}

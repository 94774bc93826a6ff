// Per-request DataLoaders that count a relation for many parents at once: the totalCount of a nested
// list (each ticket's comments, each user's tickets) is one grouped COUNT for every parent in the request,
// never one per parent. Each counts exactly what the matching page loader in loaders.ts lists for this
// viewer, so totalCount agrees with the pages.
import DataLoader from 'dataloader';
import type { PrismaClient, TicketStatus } from '../prisma/generated/client.ts';
import { isStaff, type Viewer } from './viewer.ts';

interface CountLoaderOptions {
  /** false: every load its own statement (the N+1 baseline); see LoaderOptions in loaders.ts. */
  batch: boolean;
}

interface Counted {
  key: number;
  count: number;
}

interface CountKey<F> {
  parentId: number;
  filter?: F;
}

/** Counts per parent for keys sharing a filter, one grouped statement per distinct filter; parents without rows count 0. */
function countsPerParent<F>(fetch: (parentIds: number[], filter: F | undefined) => Promise<Counted[]>, options: CountLoaderOptions) {
  const shape = (filter: F | undefined) => JSON.stringify(filter ?? null);
  return new DataLoader<CountKey<F>, number, string>(
    async (keys) => {
      const groups = new Map<string, CountKey<F>[]>();
      for (const key of keys) groups.set(shape(key.filter), [...(groups.get(shape(key.filter)) ?? []), key]);
      const counts = new Map<string, number>();
      await Promise.all(
        [...groups].map(async ([filterShape, group]) => {
          for (const row of await fetch([...new Set(group.map((key) => key.parentId))], group[0]!.filter)) {
            counts.set(`${row.key} ${filterShape}`, row.count);
          }
        }),
      );
      return keys.map((key) => counts.get(`${key.parentId} ${shape(key.filter)}`) ?? 0);
    },
    { ...options, cacheKeyFn: (key) => `${key.parentId} ${shape(key.filter)}` },
  );
}

/** What a user's ticket lists filter by, for their pages (loaders.ts) and their counts alike. */
export interface TicketListFilter {
  status?: TicketStatus[];
}

export function createCountLoaders(prisma: PrismaClient, viewer: Viewer | null, options: CountLoaderOptions) {
  const staff = viewer ? isStaff(viewer) : false;
  const viewerId = viewer?.userId ?? 0;
  // The same scopes as the page loaders: customers never count internal comments, other customers, or
  // tickets they did not request.
  const commentScope = staff ? {} : { internal: false };
  const userScope = staff ? {} : { OR: [{ role: { not: 'CUSTOMER' as const } }, { id: viewerId }] };
  const ticketScope = (filter: TicketListFilter | undefined) => ({
    ...(staff ? {} : { requesterId: viewerId }),
    ...(filter?.status?.length ? { status: { in: filter.status } } : {}),
  });

  return {
    /** Comments on each ticket that the viewer may read: Ticket.commentCount and Ticket.comments.totalCount. */
    commentCount: countsPerParent<undefined>(async (ticketIds) => {
      const rows = await prisma.comment.groupBy({
        by: ['ticketId'],
        where: { ticketId: { in: ticketIds }, ...commentScope },
        _count: { _all: true },
      });
      return rows.map((row) => ({ key: row.ticketId, count: row._count._all }));
    }, options),

    /** People of each organization the viewer may see: users.totalCount. */
    userCountByOrganization: countsPerParent<undefined>(async (orgIds) => {
      const rows = await prisma.user.groupBy({
        by: ['organizationId'],
        where: { organizationId: { in: orgIds }, ...userScope },
        _count: { _all: true },
      });
      return rows.map((row) => ({ key: row.organizationId, count: row._count._all }));
    }, options),

    /** Tickets assigned to each user, with a status filter: User.assignedTickets.totalCount. */
    ticketCountByAssignee: countsPerParent<TicketListFilter>(async (userIds, filter) => {
      const rows = await prisma.ticket.groupBy({
        by: ['assigneeId'],
        where: { AND: [{ assigneeId: { in: userIds } }, ticketScope(filter)] },
        _count: { _all: true },
      });
      return rows.map((row) => ({ key: row.assigneeId ?? 0, count: row._count._all }));
    }, options),

    /** Tickets each user filed, with a status filter: User.requestedTickets.totalCount. */
    ticketCountByRequester: countsPerParent<TicketListFilter>(async (userIds, filter) => {
      const rows = await prisma.ticket.groupBy({
        by: ['requesterId'],
        where: { AND: [{ requesterId: { in: userIds } }, ticketScope(filter)] },
        _count: { _all: true },
      });
      return rows.map((row) => ({ key: row.requesterId, count: row._count._all }));
    }, options),
  };
}

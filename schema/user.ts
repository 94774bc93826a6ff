import type { TicketStatus, User } from '../prisma/generated/client.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { listTag, tagLookups } from './cache-tags.ts';
import { TicketConnection, UserConnection, withTotalCount } from './connections.ts';
import { byCreatedAt, childConnection, type PageArgs } from './pagination.ts';
import { OrganizationRef, RoleEnum, TicketRef, TicketStatusEnum, UserRef } from './refs.ts';
import { canSeeUser, isStaff, requireViewer } from './viewer.ts';
import { ticketListTags } from './ticket/list-tags.ts';

/** A user's assigned or requested tickets: one page per user in one statement, tagged for the cache. */
async function ticketsOfUser(ctx: Context, as: 'assignee' | 'requester', user: User, args: PageArgs & { status?: TicketStatus[] | null }) {
  const [pages, counts] =
    as === 'assignee'
      ? [ctx.loaders.ticketsByAssignee, ctx.loaders.ticketCountByAssignee]
      : [ctx.loaders.ticketsByRequester, ctx.loaders.ticketCountByRequester];
  // The loaders' conditions: this user's, only the given statuses, and a customer's own tickets.
  // As the loaders scope it (createLoaders): anyone but staff sees only what they requested.
  const scope = ctx.viewer && isStaff(ctx.viewer) ? [] : [ctx.viewer?.userId ?? 0];
  const requesterIds = [...(as === 'requester' ? [user.id] : []), ...scope];
  ctx.cache.tag(
    ...ticketListTags({
      organizationId: user.organizationId,
      assigneeId: as === 'assignee' ? user.id : null,
      requesterIds,
      status: args.status,
      sort: 'createdAt',
    }),
  );
  const filter = { status: args.status ?? undefined };
  const connection = await childConnection(pages, user.id, args, ctx.settings.maxPageSize, byCreatedAt, filter);
  return withTotalCount(connection, () => counts.load({ parentId: user.id, filter }));
}

/** The people of an organization the viewer may see, by name, with their count. */
export async function usersOfOrganization(ctx: Context, organizationId: number, args: PageArgs) {
  ctx.cache.tag(listTag.usersOfOrganization(organizationId));
  const connection = await childConnection(ctx.loaders.usersByOrganization, organizationId, args, ctx.settings.maxPageSize, (u) => [
    u.name,
    u.id,
  ]);
  return withTotalCount(connection, () => ctx.loaders.userCountByOrganization.load({ parentId: organizationId }));
}

builder.node(UserRef, {
  description: 'A person: an admin or agent of the organization, or one of its customers.',
  id: { resolve: (user) => user.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'User', ids);
    return Promise.all(
      ids.map(async (id) => {
        const user = await ctx.loaders.user.load(Number(id));
        return user && ctx.viewer && canSeeUser(ctx.viewer, user) ? user : null;
      }),
    );
  },
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Sign-in address; unique across the service.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    role: t.expose('role', { type: RoleEnum, description: 'What this person may do.' }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true, description: 'Picture URL, if the user set one.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was created.' }),
    organization: t.field({
      type: OrganizationRef,
      description: 'The organization the user belongs to.',
      resolve: async (user, _args, ctx) => (await ctx.loaders.organization.load(user.organizationId))!,
    }),
    assignedTickets: t.connection(
      {
        type: TicketRef,
        description: 'Tickets assigned to this user, newest first. Customers see only the ones they requested.',
        args: { status: t.arg({ type: [TicketStatusEnum], required: false, description: 'Only these statuses.' }) },
        resolve: (user, args, ctx) => ticketsOfUser(ctx, 'assignee', user, args),
      },
      TicketConnection,
    ),
    requestedTickets: t.connection(
      {
        type: TicketRef,
        description: 'Tickets this user filed, newest first. Customers see only their own.',
        args: { status: t.arg({ type: [TicketStatusEnum], required: false, description: 'Only these statuses.' }) },
        resolve: (user, args, ctx) => ticketsOfUser(ctx, 'requester', user, args),
      },
      TicketConnection,
    ),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user, or null without a token.',
    // Depends on who asks, not only on what they may see: cached per user, never shared by role.
    extensions: { cacheScope: 'user', cacheMaxAge: 60 },
    resolve: (_root, _args, ctx) => (ctx.viewer ? ctx.loaders.user.load(ctx.viewer.userId) : null),
  }),
  users: t.connection(
    {
      type: UserRef,
      description: 'People in your organization, by name. Customers see only agents, admins and themselves.',
      resolve: (_root, args, ctx) => usersOfOrganization(ctx, requireViewer(ctx.viewer).organizationId, args),
    },
    UserConnection,
  ),
}));

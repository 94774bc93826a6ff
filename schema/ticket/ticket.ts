// The Ticket type: its fields and the relations it reaches through loaders.
import { builder } from '../builder.ts';
import { CommentConnection, withTotalCount } from '../connections.ts';
import { byCreatedAt, childConnection } from '../pagination.ts';
import { CommentRef, OrganizationRef, TagRef, TicketPriorityEnum, TicketRef, TicketStatusEnum, UserRef } from '../refs.ts';
import { tagLookups, type FieldGroups } from '../cache-tags.ts';
import { present, whenKnown } from '../known-loader.ts';
import { loadVisibleTicket } from './access.ts';

// Which fields each kind of update changes (schema/cache-tags.ts, FieldGroups; ticketsChanged names the
// groups a write changed): a cached response is evicted by an update of one of its tickets only when it
// reads a field of a group the update changed. A field missing here is in every group (updatedAt is,
// on purpose): it costs evictions, never a stale read.
const TICKET_FIELD_GROUPS: FieldGroups = {
  all: ['updated', 'text', 'status', 'priority', 'assignee', 'touch'],
  fields: {
    // Set when the ticket is created. Visibility follows the requester and the organization, so a write
    // changing either invalidates the ticket's entity tag itself, which every response showing it carries.
    id: [],
    number: [],
    createdAt: [],
    organization: [],
    requester: [],
    title: ['text'],
    body: ['text'],
    status: ['status'],
    priority: ['priority'],
    assignee: ['assignee'],
    // A touch: a comment added or deleted, tags put on or taken off.
    tags: ['touch'],
    commentCount: ['touch'],
    comments: ['touch'],
  },
};

builder.node(TicketRef, {
  description: 'A request for help, filed by a requester and worked by an assignee.',
  extensions: { cacheFieldGroups: TICKET_FIELD_GROUPS },
  id: { resolve: (ticket) => ticket.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'Ticket', ids);
    return Promise.all(ids.map((id) => loadVisibleTicket(ctx, Number(id))));
  },
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Human-friendly number, unique within the organization (#1, #2, ...).' }),
    title: t.exposeString('title', { description: 'One-line summary.' }),
    body: t.exposeString('body', { description: 'The full description, as the requester wrote it.' }),
    status: t.expose('status', { type: TicketStatusEnum, description: 'Where the ticket is in its life.' }),
    priority: t.expose('priority', { type: TicketPriorityEnum, description: 'How urgent it is.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was filed.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it or its comments last changed.' }),
    organization: t.field({
      type: OrganizationRef,
      description: 'The organization the ticket belongs to.',
      resolve: async (ticket, _args, ctx) => (await ctx.loaders.organization.load(ticket.organizationId))!,
    }),
    requester: t.field({
      type: UserRef,
      description: 'Who filed the ticket.',
      resolve: (ticket, _args, ctx) => present(ctx.loaders.user.get(ticket.requesterId)),
    }),
    assignee: t.field({
      type: UserRef,
      nullable: true,
      description: 'The agent working the ticket; null while unassigned.',
      resolve: (ticket, _args, ctx) => (ticket.assigneeId ? ctx.loaders.user.get(ticket.assigneeId) : null),
    }),
    tags: t.field({
      type: [TagRef],
      description: 'Tags on the ticket, by name.',
      resolve: (ticket, _args, ctx) => ctx.loaders.tagsByTicket.get(ticket.id),
    }),
    commentCount: t.int({
      description: 'How many comments you can read on this ticket.',
      resolve: (ticket, _args, ctx) => ctx.loaders.commentCount.load({ parentId: ticket.id }),
    }),
    comments: t.connection(
      {
        type: CommentRef,
        description: 'Comments, oldest first. Internal notes appear only for agents and admins.',
        resolve: (ticket, args, ctx) =>
          whenKnown(childConnection(ctx.loaders.commentsByTicket, ticket.id, args, ctx.settings.maxPageSize, byCreatedAt), (connection) =>
            withTotalCount(connection, () => ctx.loaders.commentCount.load({ parentId: ticket.id })),
          ),
      },
      CommentConnection,
    ),
  }),
});

import type { Comment, Ticket } from '../prisma/generated/client.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ForbiddenError, NotFoundError } from './errors.ts';
import { encodeGlobalId, parseId } from './global-id.ts';
import { CommentRef, TicketRef, UserRef } from './refs.ts';
import { loadVisibleTicket, requireTicket, ticketsChanged, touchTicket, touchWrite } from './ticket/access.ts';
import { entityTag, tagLookups } from './cache-tags.ts';
import { dashboardTag } from './dashboard-tags.ts';
import { present } from './known-loader.ts';
import { requiredText } from './validate.ts';
import { canSeeComment, isStaff, requireViewer } from './viewer.ts';

async function loadVisibleComment(ctx: Context, id: number): Promise<Comment | null> {
  const comment = await ctx.loaders.comment.load(id);
  if (!comment || !ctx.viewer || !canSeeComment(ctx.viewer, comment)) return null;
  return (await loadVisibleTicket(ctx, comment.ticketId)) ? comment : null;
}

builder.node(CommentRef, {
  description: 'A reply on a ticket. Internal comments are notes between agents, never shown to customers.',
  id: { resolve: (comment) => comment.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'Comment', ids);
    return Promise.all(ids.map((id) => loadVisibleComment(ctx, Number(id))));
  },
  fields: (t) => ({
    body: t.exposeString('body', { description: 'The text.' }),
    internal: t.exposeBoolean('internal', { description: 'true for agent-only notes.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was written.' }),
    author: t.field({
      type: UserRef,
      description: 'Who wrote it.',
      resolve: (comment, _args, ctx) => present(ctx.loaders.user.get(comment.authorId)),
    }),
    ticket: t.field({
      type: TicketRef,
      description: 'The ticket it belongs to.',
      resolve: async (comment, _args, ctx) => (await ctx.loaders.ticket.load(comment.ticketId))!,
    }),
  }),
});

const AddCommentInput = builder.inputType('AddCommentInput', {
  description: 'A new comment on a ticket.',
  fields: (t) => ({
    ticketId: t.id({ required: true, description: 'The ticket to comment on.' }),
    body: t.string({ required: true, description: 'The text, 1–20,000 characters.' }),
    internal: t.boolean({ defaultValue: false, description: 'An agent-only note (agents and admins only).' }),
  }),
});

const AddCommentPayload = builder.objectRef<{ comment: Comment; ticket: Ticket }>('AddCommentPayload').implement({
  description: 'The new comment, and its ticket with the new updatedAt and comment count.',
  fields: (t) => ({
    comment: t.expose('comment', { type: CommentRef, description: 'The new comment.' }),
    ticket: t.expose('ticket', { type: TicketRef, description: 'The ticket commented on.' }),
  }),
});

const DeleteCommentPayload = builder.objectRef<{ deletedCommentId: string; ticket: Ticket }>('DeleteCommentPayload').implement({
  description: 'What was deleted, and the ticket it was on.',
  fields: (t) => ({
    deletedCommentId: t.exposeID('deletedCommentId', { description: 'The ID of the deleted comment.' }),
    ticket: t.expose('ticket', { type: TicketRef, description: 'The ticket the comment was on.' }),
  }),
});

builder.mutationFields((t) => ({
  addComment: t.field({
    type: AddCommentPayload,
    description: 'Comments on a ticket you can see. Customers comment on their own tickets, never internally.',
    args: { input: t.arg({ type: AddCommentInput, required: true, description: 'The comment.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const ticket = await requireTicket(ctx, String(input.ticketId));
      const internal = input.internal ?? false;
      if (internal && !isStaff(viewer)) throw new ForbiddenError('Only agents and admins can write internal comments.');
      const body = requiredText('body', input.body, 20_000);
      const [comment, touched] = await ctx.prisma.$transaction([
        ctx.prisma.comment.create({ data: { ticketId: ticket.id, authorId: viewer.userId, body, internal } }),
        touchTicket(ctx.prisma, ticket.id),
      ]);
      // A public reply by staff may be the ticket's first response, a dashboard figure.
      const firstResponse = isStaff(viewer) && !internal ? [dashboardTag(touched.organizationId, 'firstResponse')] : [];
      await ticketsChanged(ctx, [touchWrite(touched)], firstResponse);
      return { comment, ticket: touched };
    },
  }),

  deleteComment: t.field({
    type: DeleteCommentPayload,
    description: 'Deletes a comment. Authors delete their own; admins delete any in their organization.',
    args: { id: t.arg.id({ required: true, description: 'The comment to delete.' }) },
    resolve: async (_root, { id }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const comment = await loadVisibleComment(ctx, parseId(String(id), 'Comment'));
      if (!comment) throw new NotFoundError('Comment', String(id));
      if (comment.authorId !== viewer.userId && viewer.role !== 'ADMIN') {
        throw new ForbiddenError('Only the author or an admin can delete a comment.');
      }
      const [, touched] = await ctx.prisma.$transaction([
        ctx.prisma.comment.delete({ where: { id: comment.id } }),
        touchTicket(ctx.prisma, comment.ticketId),
      ]);
      // Deleting a public comment may remove a first response (the dashboard's median); notes never were one.
      const firstResponse = comment.internal ? [] : [dashboardTag(touched.organizationId, 'firstResponse')];
      await ticketsChanged(ctx, [touchWrite(touched)], [entityTag('Comment', comment.id), ...firstResponse]);
      return { deletedCommentId: encodeGlobalId('Comment', comment.id), ticket: touched };
    },
  }),
}));

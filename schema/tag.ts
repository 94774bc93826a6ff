import type { Ticket } from '../prisma/generated/client.ts';
import { builder } from './builder.ts';
import { BadUserInputError } from './errors.ts';
import { TagRef, TicketRef } from './refs.ts';
import { requireTicket, ticketsChanged, touchTicket, touchWrite } from './ticket/access.ts';
import { listTag, tagLookups } from './cache-tags.ts';
import { requiredText } from './validate.ts';
import { requireStaff, requireViewer } from './viewer.ts';

builder.node(TagRef, {
  description: 'A label agents put on tickets, unique by name within an organization.',
  id: { resolve: (tag) => tag.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'Tag', ids);
    return Promise.all(
      ids.map(async (id) => {
        const tag = await ctx.loaders.tag.load(Number(id));
        return tag && tag.organizationId === ctx.viewer?.organizationId ? tag : null;
      }),
    );
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The label, e.g. "billing".' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the tag was first used.' }),
  }),
});

builder.queryField('tags', (t) =>
  t.field({
    type: [TagRef],
    description: "Your organization's tags, by name.",
    resolve: (_root, _args, ctx) => {
      const { organizationId } = requireViewer(ctx.viewer);
      ctx.cache.tag(listTag.tagsOfOrganization(organizationId));
      return ctx.loaders.tagsByOrganization.load(organizationId);
    },
  }),
);

const TagsInput = builder.inputType('TicketTagsInput', {
  description: 'Tags to put on or take off a ticket, by name.',
  fields: (t) => ({
    ticketId: t.id({ required: true, description: 'The ticket.' }),
    names: t.stringList({ required: true, description: '1 to 20 tag names, each 1–50 characters.' }),
  }),
});

const TicketTagsPayload = builder.objectRef<{ ticket: Ticket }>('TicketTagsPayload').implement({
  description: 'The ticket with its tags after the change.',
  fields: (t) => ({ ticket: t.expose('ticket', { type: TicketRef, description: 'The ticket.' }) }),
});

function tagNames(names: string[]): string[] {
  const clean = [...new Set(names.map((name) => requiredText('names', name, 50).toLowerCase()))];
  if (clean.length === 0 || clean.length > 20) throw new BadUserInputError('names must hold 1 to 20 tag names.');
  return clean;
}

builder.mutationFields((t) => ({
  addTags: t.field({
    type: TicketTagsPayload,
    description: 'Puts tags on a ticket, creating tags that do not exist yet. Agents and admins only.',
    args: { input: t.arg({ type: TagsInput, required: true, description: 'The ticket and tag names.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireStaff(ctx.viewer, 'tag tickets');
      const ticket = await requireTicket(ctx, String(input.ticketId));
      const names = tagNames(input.names);
      const touched = await ctx.prisma.$transaction(async (tx) => {
        await tx.tag.createMany({
          data: names.map((name) => ({ organizationId: viewer.organizationId, name })),
          skipDuplicates: true,
        });
        const tags = await tx.tag.findMany({ where: { organizationId: viewer.organizationId, name: { in: names } } });
        await tx.ticketTag.createMany({ data: tags.map((tag) => ({ ticketId: ticket.id, tagId: tag.id })), skipDuplicates: true });
        return touchTicket(tx, ticket.id);
      });
      await ticketsChanged(ctx, [touchWrite(touched, names)], [listTag.tagsOfOrganization(viewer.organizationId)]);
      return { ticket: touched };
    },
  }),
  removeTags: t.field({
    type: TicketTagsPayload,
    description: 'Takes tags off a ticket; names it does not carry are ignored. Agents and admins only.',
    args: { input: t.arg({ type: TagsInput, required: true, description: 'The ticket and tag names.' }) },
    resolve: async (_root, { input }, ctx) => {
      const viewer = requireStaff(ctx.viewer, 'untag tickets');
      const ticket = await requireTicket(ctx, String(input.ticketId));
      const names = tagNames(input.names);
      const [, touched] = await ctx.prisma.$transaction([
        ctx.prisma.ticketTag.deleteMany({
          where: { ticketId: ticket.id, tag: { organizationId: viewer.organizationId, name: { in: names } } },
        }),
        touchTicket(ctx.prisma, ticket.id),
      ]);
      await ticketsChanged(ctx, [touchWrite(touched, names)]);
      return { ticket: touched };
    },
  }),
}));

import { builder } from './builder.ts';
import { listTag, tagLookups } from './cache-tags.ts';
import { NotFoundError } from './errors.ts';
import { UserConnection } from './connections.ts';
import { OrganizationRef, TagRef, UserRef } from './refs.ts';
import { usersOfOrganization } from './user.ts';
import { requireViewer } from './viewer.ts';

builder.node(OrganizationRef, {
  description: 'A company using the helpdesk. Everything else belongs to exactly one organization.',
  id: { resolve: (org) => org.id },
  loadMany: (ids, ctx) => {
    tagLookups(ctx, 'Organization', ids);
    return Promise.all(
      ids.map(async (id) => {
        const org = await ctx.loaders.organization.load(Number(id));
        return org && ctx.viewer?.organizationId === org.id ? org : null;
      }),
    );
  },
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Short unique name used in URLs, e.g. "acme".' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the organization was created.' }),
    users: t.connection(
      {
        type: UserRef,
        description: 'People in the organization, by name. Customers see only agents, admins and themselves.',
        resolve: (org, args, ctx) => usersOfOrganization(ctx, org.id, args),
      },
      UserConnection,
    ),
    tags: t.field({
      type: [TagRef],
      description: 'The tags defined in the organization, by name.',
      resolve: (org, _args, ctx) => {
        ctx.cache.tag(listTag.tagsOfOrganization(org.id));
        return ctx.loaders.tagsByOrganization.load(org.id);
      },
    }),
  }),
});

builder.queryField('organization', (t) =>
  t.field({
    type: OrganizationRef,
    description: 'Your organization, by slug. Other organizations are never visible.',
    args: { slug: t.arg.string({ required: true, description: 'The organization slug, e.g. "acme".' }) },
    resolve: async (_root, { slug }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const org = await ctx.loaders.organization.load(viewer.organizationId);
      if (!org || org.slug !== slug) throw new NotFoundError('Organization', slug);
      return org;
    },
  }),
);

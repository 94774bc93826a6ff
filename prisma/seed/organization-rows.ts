// The rows each organization starts with: itself, its people and its tags, all from the plan.
import type { Prisma } from '../generated/client.ts';
import { DAY } from './calendar.ts';
import type { Plan } from './plan.ts';
import { SEED_TAGS } from './topics.ts';

export function organizationRow(plan: Plan, i: number): Prisma.OrganizationCreateManyInput {
  const org = plan.orgs[i]!;
  return { id: org.id, slug: org.slug, name: org.name, createdAt: new Date(org.createdAt) };
}

/** passwordHash is the same for every user: see seedDatabase. */
export function userRow(plan: Plan, i: number, passwordHash: string): Prisma.UserCreateManyInput {
  const u = plan.users[i]!;
  return { ...u, avatarUrl: null, passwordHash, createdAt: new Date(u.createdAt) };
}

/** Every organization gets all SEED_TAGS, a day after it was created; tag ids run organization by organization. */
export function tagRow(plan: Plan, i: number): Prisma.TagCreateManyInput {
  const org = plan.orgs[Math.floor(i / SEED_TAGS.length)]!;
  return { id: i + 1, organizationId: org.id, name: SEED_TAGS[i % SEED_TAGS.length]!, createdAt: new Date(org.createdAt + DAY) };
}

// How big the seeded world is. Scale s: max(2, round(5s)) organizations, round(500s) users,
// round(20,000s) tickets and exactly 5 comments per ticket on average, with small-scale minimums so
// every organization has an admin, an agent and a customer, and enough tickets to browse.
import { SeedError } from './seed-error.ts';
import { SEED_TAGS } from './topics.ts';

interface PlannedCounts {
  organizations: number;
  users: number;
  tags: number;
  tickets: number;
  comments: number;
}

export const MIN_USERS_PER_ORG = 3; // an admin, an agent, a customer
export const MIN_TICKETS_PER_ORG = 10;
const COMMENTS_PER_TICKET = 5;

/** The row counts seedDatabase produces at a scale (ticket tags vary with the seed and are not planned). */
export function plannedCounts(scale: number): PlannedCounts {
  assertScale(scale);
  const organizations = Math.max(2, Math.round(5 * scale));
  const users = Math.max(Math.round(500 * scale), MIN_USERS_PER_ORG * organizations);
  const tickets = Math.max(Math.round(20_000 * scale), MIN_TICKETS_PER_ORG * organizations);
  return { organizations, users, tags: SEED_TAGS.length * organizations, tickets, comments: COMMENTS_PER_TICKET * tickets };
}

export function assertScale(scale: number): void {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new SeedError(`The seed scale must be a number above 0, got ${String(scale)}.`);
  }
}

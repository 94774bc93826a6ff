// Decides the whole seeded world before a row is written, from one PRNG in a fixed order: organizations,
// users, tickets (generated oldest first, so ids and each organization's `number` follow createdAt),
// the demo customer's tickets, then how many comments each ticket gets. Any change to that order
// changes every row after it.
import type { Calendar } from './calendar.ts';
import { planCommentCounts, planDemoTickets } from './plan-conversations.ts';
import { planOrganizations, planUsers } from './plan-people.ts';
import { planTickets } from './plan-tickets.ts';
import type { Plan } from './plan.ts';
import { MIN_TICKETS_PER_ORG, MIN_USERS_PER_ORG, plannedCounts } from './planned-counts.ts';
import { Random } from './random.ts';
import { apportion } from './weights.ts';

export function makePlan(scale: number, seed: number, calendar: Calendar): Plan {
  const counts = plannedCounts(scale);
  const rng = new Random(seed);
  const { orgs, orgWeights } = planOrganizations(counts.organizations, calendar, rng);
  const { users, firstNames } = planUsers(orgs, apportion(counts.users, orgWeights, MIN_USERS_PER_ORG), calendar, rng);
  const ticketsPerOrg = apportion(counts.tickets, orgWeights, MIN_TICKETS_PER_ORG);
  const { tickets, ticketTagCount } = planTickets(counts.tickets, orgs, ticketsPerOrg, calendar, rng);
  const demoTickets = planDemoTickets(tickets, orgs);
  planCommentCounts(tickets, demoTickets, counts.comments, rng);
  return { calendar, orgs, users, firstNames, tickets, ticketTagCount };
}

// How much is said on each ticket: the demo customer's tickets, which must have conversations to show,
// and how many comments every ticket gets. The comments themselves are generated later, per ticket.
import { DEMO_CUSTOMER_MIN_TICKETS, DEMO_RESERVED_COMMENTS } from './demo-accounts.ts';
import { CANCELLED, OPEN, type OrgPlan, type TicketArrays } from './plan.ts';
import type { Random } from './random.ts';
import { searchCumulative } from './weights.ts';

/**
 * The demo customer requests at least DEMO_CUSTOMER_MIN_TICKETS tickets (taken evenly across
 * acme's history when chance gave fewer), and each of those gets a conversation. Marks them in
 * t.demo and returns them.
 */
export function planDemoTickets(t: TicketArrays, orgs: OrgPlan[]): number[] {
  const acme = orgs[0]!;
  const demoCustomer = acme.customers[0]!;
  const acmeTickets: number[] = [];
  for (let i = 0; i < t.count; i++) if (t.org[i] === 0) acmeTickets.push(i);
  let demoTickets = acmeTickets.filter((i) => t.requester[i] === demoCustomer);
  for (let j = 0; demoTickets.length < DEMO_CUSTOMER_MIN_TICKETS; j++) {
    const i = acmeTickets[Math.floor(((j + 0.5) * acmeTickets.length) / DEMO_CUSTOMER_MIN_TICKETS)]!;
    t.requester[i] = demoCustomer;
    demoTickets = acmeTickets.filter((x) => t.requester[x] === demoCustomer);
  }
  demoTickets.forEach((i, position) => (t.demo[i] = position));
  return demoTickets;
}

/**
 * Comments: exactly `total`, each drawn onto a ticket by weight. Lognormal weights (capped
 * at 20× the median) skew it: at scale 1 about a fifth of tickets have none (8% have no weight,
 * small weights often draw nothing), ~2% have 30 or more, the busiest ~80. Fresh open tickets weigh
 * less. The demo customer's tickets get 3 reserved comments on top.
 */
export function planCommentCounts(t: TicketArrays, demoTickets: number[], total: number, rng: Random): void {
  const reserved = DEMO_RESERVED_COMMENTS * demoTickets.length;
  const weights = new Float64Array(t.count);
  let sum = 0;
  for (let i = 0; i < t.count; i++) {
    const status = t.status[i]!;
    const factor = status === OPEN ? 0.35 : status === CANCELLED ? 0.5 : 1;
    const w = rng.chance(0.08) ? 0 : Math.exp(Math.min(3, rng.normal())) * factor;
    sum += w;
    weights[i] = sum;
  }
  for (const i of demoTickets) t.comments[i] = DEMO_RESERVED_COMMENTS;
  for (let c = reserved; c < total; c++) t.comments[searchCumulative(weights, rng.next() * sum)]! += 1;
}

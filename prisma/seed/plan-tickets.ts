// The plan's tickets: when each was opened, in which organization, by whom, who works it, its status,
// priority, topic and tags. Their text is not planned: it comes from each ticket's own PRNG stream.
import { DAY, SPAN_DAYS, type Calendar } from './calendar.ts';
import { CANCELLED, emptyTicketArrays, OPEN, type OrgPlan, type TicketArrays } from './plan.ts';
import type { Random } from './random.ts';
import { SEED_TAGS, TOPIC_WEIGHTS, TOPICS } from './topics.ts';
import { drawCumulative } from './weights.ts';

const PRIORITY_WEIGHTS = [22, 46, 23, 9];
const TAG_COUNT_WEIGHTS = [15, 45, 28, 12]; // 0, 1, 2 or 3 tags
const URGENT_TAG = SEED_TAGS.indexOf('urgent-customer');

/** Status weights by ticket age: new tickets are mostly open, old ones mostly closed. */
function statusWeights(ageDays: number): number[] {
  if (ageDays < 3) return [40, 30, 15, 12, 0, 3];
  if (ageDays < 30) return [12, 18, 15, 30, 20, 5];
  return [4, 4, 5, 12, 70, 5];
}

function unassignedChance(status: number): number {
  if (status === OPEN) return 0.55;
  if (status === CANCELLED) return 0.35;
  return 0.18;
}

/** Every ticket, save its comment count and the demo customer's share (planned after); with its tag links' count. */
export function planTickets(
  count: number,
  orgs: OrgPlan[],
  ticketsPerOrg: number[],
  calendar: Calendar,
  rng: Random,
): { tickets: TicketArrays; ticketTagCount: number } {
  const tickets = emptyTicketArrays(count);
  planTicketTimes(tickets, ticketsPerOrg, calendar, rng);
  let ticketTagCount = 0;
  for (let i = 0; i < tickets.count; i++) ticketTagCount += planTicket(tickets, i, orgs[tickets.org[i]!]!, calendar.end, rng);
  return { tickets, ticketTagCount };
}

/**
 * Ticket creation times: denser towards the end of the span (growth), fewer at weekends, mostly
 * in office hours. Sorted oldest first, which gives both the ids and the per-organization numbers.
 */
function planTicketTimes(t: TicketArrays, ticketsPerOrg: number[], calendar: Calendar, rng: Random): void {
  const n = t.count;
  const rawTime = new Float64Array(n);
  const rawOrg = new Int32Array(n);
  let k = 0;
  ticketsPerOrg.forEach((count, orgIndex) => {
    for (let j = 0; j < count; j++, k++) {
      rawOrg[k] = orgIndex;
      rawTime[k] = ticketTime(calendar, rng);
    }
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rawTime[a]! - rawTime[b]! || a - b);
  const nextNumber = new Int32Array(ticketsPerOrg.length).fill(1);
  for (let i = 0; i < n; i++) {
    const orgIndex = rawOrg[order[i]!]!;
    t.org[i] = orgIndex;
    t.number[i] = nextNumber[orgIndex]!++;
    t.createdAt[i] = rawTime[order[i]!]!;
  }
}

function ticketTime({ start, end }: Calendar, rng: Random): number {
  for (;;) {
    const day = Math.floor(SPAN_DAYS * Math.pow(rng.next(), 0.8));
    const weekday = new Date(start + day * DAY).getUTCDay();
    if ((weekday === 0 || weekday === 6) && rng.chance(0.6)) continue;
    const timeOfDay = rng.chance(0.75) ? (8 + 10 * rng.next()) * 3_600_000 : rng.next() * DAY;
    return Math.min(end - 1, start + day * DAY + Math.floor(timeOfDay));
  }
}

/** Ticket i's status, priority, requester, assignee, topic and tags; returns how many tags it got. */
function planTicket(t: TicketArrays, i: number, org: OrgPlan, end: number, rng: Random): number {
  const status = rng.weighted(statusWeights((end - t.createdAt[i]!) / DAY));
  t.status[i] = status;
  t.priority[i] = rng.weighted(PRIORITY_WEIGHTS);
  t.requester[i] = drawCumulative(org.customers, org.customerCumulative, rng);
  t.assignee[i] = rng.chance(unassignedChance(status)) ? 0 : drawCumulative(org.staff, org.staffCumulative, rng);
  const topic = rng.weighted(TOPIC_WEIGHTS);
  t.topic[i] = topic;
  const chosen = drawTags(topic, t.priority[i]!, rng);
  chosen.forEach((tag, slot) => (t.tags[i * 3 + slot] = tag));
  return chosen.length;
}

/** Up to 3 distinct tags, the topic's first; urgent tickets lean to urgent-customer. */
function drawTags(topic: number, priority: number, rng: Random): number[] {
  const tagCount = rng.weighted(TAG_COUNT_WEIGHTS);
  const chosen: number[] = [];
  if (tagCount > 0) chosen.push(SEED_TAGS.indexOf(TOPICS[topic]!.tag));
  while (chosen.length < tagCount) {
    const urgent = priority >= 2 && rng.chance(0.5);
    const tag = urgent ? URGENT_TAG : rng.int(0, SEED_TAGS.length - 1);
    if (!chosen.includes(tag)) chosen.push(tag);
  }
  return chosen;
}

// The comments of each ticket, generated from the ticket's own PRNG stream (seed, ticket index), so any
// ticket's conversation can be produced on its own, as often as needed, without holding the others.
import type { Prisma } from '../generated/client.ts';
import type { MakeRows } from './bulk-insert.ts';
import { DAY } from './calendar.ts';
import { DEMO_RESERVED_COMMENTS } from './demo-accounts.ts';
import { AGENT_REPLIES, CUSTOMER_REPLIES, fill, INTERNAL_NOTES } from './phrases.ts';
import { CLOSED_STATUSES, type Plan } from './plan.ts';
import { derived, STREAM_COMMENTS, type Random } from './random.ts';
import { drawCumulative } from './weights.ts';

interface CommentRow {
  authorId: number;
  body: string;
  internal: boolean;
  createdAt: number;
}

/** Who takes part in one ticket's conversation. */
interface Cast {
  requester: number;
  /** The assignee, or one agent picked for an unassigned ticket. */
  agent: number;
  pickStaff: () => number;
  names: { first?: string; agent?: string };
  firstNames: string[];
}

/**
 * The comments of ticket i, in order. A conversation between the requester and the ticket's agent
 * (its assignee, or one agent picked for an unassigned ticket), with internal notes (about 25%)
 * written by agents only. Called twice per ticket with the same result: once for updatedAt, once to
 * insert.
 */
export function ticketComments(plan: Plan, seed: number, i: number): CommentRow[] {
  const t = plan.tickets;
  const count = t.comments[i]!;
  if (count === 0) return [];
  const rng = derived(seed, STREAM_COMMENTS, i);
  const cast = castOf(plan, i, rng);
  const times = commentTimes(t.createdAt[i]!, plan.calendar.end, count, CLOSED_STATUSES.has(t.status[i]!), rng);
  const demo = t.demo[i]!;
  const rows: CommentRow[] = [];
  let customerSpeaks = false;
  for (let k = 0; k < count; k++) {
    // The demo customer's tickets open with: agent reply, customer reply, then an internal note on
    // every other ticket (a public agent reply on the others).
    let internal: boolean;
    if (demo >= 0 && k < DEMO_RESERVED_COMMENTS) {
      internal = k === 2 && demo % 2 === 0;
      customerSpeaks = k === 1;
    } else {
      internal = rng.chance(0.25);
    }
    rows.push({ ...writeComment(cast, internal, customerSpeaks, rng), internal, createdAt: times[k]! });
    if (demo >= 0 && k < DEMO_RESERVED_COMMENTS) customerSpeaks = k === DEMO_RESERVED_COMMENTS - 1;
    else if (!internal && rng.chance(0.8)) customerSpeaks = !customerSpeaks;
  }
  return rows;
}

function castOf(plan: Plan, i: number, rng: Random): Cast {
  const t = plan.tickets;
  const org = plan.orgs[t.org[i]!]!;
  const requester = t.requester[i]!;
  const pickStaff = () => drawCumulative(org.staff, org.staffCumulative, rng);
  const agent = t.assignee[i]! || pickStaff();
  const names = { first: plan.firstNames[requester], agent: plan.firstNames[agent] };
  return { requester, agent, pickStaff, names, firstNames: plan.firstNames };
}

/**
 * Times: clustered after creation, within three weeks and never after the calendar's end. A closed
 * ticket's conversation ended when it was closed, mostly within a few days; without that, the recent
 * tickets' conversations all ran up to the end and the tickets closed after them piled up on its last day.
 */
function commentTimes(createdAt: number, end: number, count: number, closed: boolean, rng: Random): number[] {
  const lasted = closed ? DAY * (0.25 + 5 * rng.next() ** 2) : 21 * DAY;
  const window = Math.max(0, Math.min(end - createdAt - 60_000, 21 * DAY, lasted));
  const offsets: number[] = [];
  for (let k = 0; k < count; k++) offsets.push(Math.pow(rng.next(), 1.8));
  offsets.sort((a, b) => a - b);
  return offsets.map((offset) => Math.min(end, createdAt + 60_000 + Math.floor(window * offset)));
}

/** Internal notes are written by staff, mostly the ticket's agent; public replies by whoever speaks. */
function writeComment(cast: Cast, internal: boolean, customerSpeaks: boolean, rng: Random): { authorId: number; body: string } {
  if (internal) {
    const authorId = rng.chance(0.85) ? cast.agent : cast.pickStaff();
    return { authorId, body: fill(rng.pick(INTERNAL_NOTES), rng, cast.names) };
  }
  if (customerSpeaks) return { authorId: cast.requester, body: fill(rng.pick(CUSTOMER_REPLIES), rng, cast.names) };
  const authorId = rng.chance(0.9) ? cast.agent : cast.pickStaff();
  return { authorId, body: fill(rng.pick(AGENT_REPLIES), rng, { first: cast.names.first, agent: cast.firstNames[authorId] }) };
}

/** The comment rows of ticket after ticket: ids run on from one ticket to the next, so tickets must come in order. */
export function commentRows(plan: Plan, seed: number): MakeRows<Prisma.CommentCreateManyInput> {
  let commentId = 0;
  return (i, emit) => {
    for (const c of ticketComments(plan, seed, i)) {
      emit({
        id: ++commentId,
        ticketId: i + 1,
        authorId: c.authorId,
        body: c.body,
        internal: c.internal,
        createdAt: new Date(c.createdAt),
      });
    }
  };
}

/** How many comment rows commentRows emits in all. */
export function commentTotal(plan: Plan): number {
  let total = 0;
  for (let i = 0; i < plan.tickets.count; i++) total += plan.tickets.comments[i]!;
  return total;
}

// Ticket rows and their tags, generated from the plan one ticket at a time. A ticket's text comes from
// its own PRNG stream (seed, ticket index), independent of every other ticket's.
import type { Prisma } from '../generated/client.ts';
import { DAY } from './calendar.ts';
import { ticketComments } from './comment-rows.ts';
import { CLOSINGS, EXTRAS, fill, GREETINGS } from './phrases.ts';
import { CLOSED_STATUSES, NO_TAG, OPEN, PRIORITIES, RESOLVED_STATUSES, STATUSES, type Plan } from './plan.ts';
import { derived, STREAM_TICKET_TEXT, type Random } from './random.ts';
import { TOPICS } from './topics.ts';

export function ticketRow(plan: Plan, seed: number, i: number): Prisma.TicketCreateManyInput {
  const t = plan.tickets;
  const rng = derived(seed, STREAM_TICKET_TEXT, i);
  const { title, body } = ticketText(plan, i, rng);
  const createdAt = t.createdAt[i]!;
  const updatedAt = new Date(Math.min(plan.calendar.end, ticketUpdatedAt(plan, seed, i, rng)));
  return {
    id: i + 1,
    organizationId: plan.orgs[t.org[i]!]!.id,
    number: t.number[i]!,
    title,
    body,
    status: STATUSES[t.status[i]!]!,
    priority: PRIORITIES[t.priority[i]!]!,
    requesterId: t.requester[i]!,
    assigneeId: t.assignee[i]! || null,
    createdAt: new Date(createdAt),
    updatedAt,
    // Resolving or closing was the last touch (ticketUpdatedAt).
    resolvedAt: RESOLVED_STATUSES.has(t.status[i]!) ? updatedAt : null,
  };
}

/** Title and body from one of the topic's details; a placeholder in both gets one value. */
function ticketText(plan: Plan, i: number, rng: Random): { title: string; body: string } {
  const t = plan.tickets;
  const topic = TOPICS[t.topic[i]!]!;
  const requesterFirst = plan.firstNames[t.requester[i]!];
  const detailIndex = rng.int(0, topic.details.length - 1);
  const memo = new Map<string, string>();
  const title = fill(topic.titles[detailIndex % topic.titles.length]!, rng, {}, memo);
  const parts = [rng.pick(GREETINGS), '', fill(topic.details[detailIndex]!, rng, {}, memo)];
  if (rng.chance(0.6)) parts[2] += ` ${fill(rng.pick(EXTRAS), rng, {}, memo)}`;
  parts.push('', rng.pick(CLOSINGS), requesterFirst ?? '');
  return { title, body: parts.join('\n') };
}

/** The last touch: the last comment, or later for a ticket that was closed or moved since. */
function ticketUpdatedAt(plan: Plan, seed: number, i: number, rng: Random): number {
  const t = plan.tickets;
  const createdAt = t.createdAt[i]!;
  const comments = ticketComments(plan, seed, i);
  let updatedAt = Math.max(createdAt, comments.at(-1)?.createdAt ?? createdAt);
  // Closing a ticket touches it once more, a little after the last reply; before the calendar's end, so
  // that the tickets closed lately do not all pile up on its last minute (the dashboard's "resolved today").
  const room = (most: number) => Math.min(most, Math.max(0, plan.calendar.end - updatedAt));
  if (CLOSED_STATUSES.has(t.status[i]!)) updatedAt += Math.floor(rng.next() * room(2 * DAY));
  else if (comments.length === 0 && t.status[i] !== OPEN) updatedAt += Math.floor(rng.next() * room(4 * 3_600_000));
  return updatedAt;
}

/** The TicketTag rows of ticket i: its planned tags, as ids of its organization's tags. */
export function ticketTagRows(plan: Plan, i: number, emit: (row: Prisma.TicketTagCreateManyInput) => void): void {
  const t = plan.tickets;
  const firstTagId = plan.orgs[t.org[i]!]!.firstTagId;
  for (let slot = 0; slot < 3; slot++) {
    const tag = t.tags[i * 3 + slot]!;
    if (tag !== NO_TAG) emit({ ticketId: i + 1, tagId: firstTagId + tag });
  }
}

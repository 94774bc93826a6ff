// Which cached ticket lists a write can change (server/CACHE.md, "Ticket lists"). A list is tagged by
// the arguments it was computed with; a write names, from the ticket's state before and after it, the
// lists whose result it can change. The entity tag of the ticket (added by response-cache to every
// result showing it) covers what a list shows of a ticket; these tags cover the rest: a ticket joining
// or leaving a list (its members, totalCount, the page window) and a ticket moving in a list's order.
import type { Ticket, TicketPriority, TicketStatus } from '../../prisma/generated/client.ts';
import { TicketPriority as Priorities, TicketStatus as Statuses } from '../../prisma/generated/enums.ts';

/**
 * The attributes of a ticket that lists filter or sort on (updatedAt: every write changes it), and
 * resolvedAt, which the dashboard's daily series counts (dashboard-tags.ts).
 */
export type TicketState = Pick<
  Ticket,
  'id' | 'organizationId' | 'requesterId' | 'assigneeId' | 'status' | 'priority' | 'title' | 'resolvedAt'
>;

/** One write to one ticket: its state before (null: it was created) and after, and tag names put on or taken off. */
export interface TicketChange {
  before: TicketState | null;
  after: TicketState;
  tagNames?: readonly string[];
}

export type TicketSortField = 'createdAt' | 'updatedAt' | 'priority';

/** What a ticket list is computed from: conditions that must all hold, and what it is sorted by. */
export interface TicketListShape {
  organizationId: number;
  /** Any of these (null or empty: any status). */
  status?: readonly TicketStatus[] | null;
  priority?: readonly TicketPriority[] | null;
  assigneeId?: number | null;
  /** true: no assignee; false: some assignee. */
  unassigned?: boolean | null;
  /** Requested by each of these (a filter, and a customer's own tickets). */
  requesterIds?: readonly number[];
  /** Carrying the tag with this exact name. */
  tag?: string | null;
  /** A title search is part of the conditions. */
  search?: boolean;
  sort: TicketSortField;
}

const allStatuses = Object.values(Statuses) as TicketStatus[];
const allPriorities = Object.values(Priorities) as TicketPriority[];

const prefix = (organizationId: number) => `tickets@org:${organizationId}`;

/** An unordered pair of values, one spelling for both directions of a change. */
const pair = (a: string, b: string) => (a < b ? `${a}~${b}` : `${b}~${a}`);

/** The changes of an attribute that flip "value is one of `chosen`": one in, the other out. */
function flips(all: readonly string[], chosen: readonly string[]): string[] {
  const inside = new Set(chosen);
  return [...inside].flatMap((v) => all.filter((w) => !inside.has(w)).map((w) => pair(v, w)));
}

const assigneeKey = (assigneeId: number | null) => `assignee:${assigneeId ?? 'none'}`;

/**
 * The index keys of a ticket: a list indexed by one of them (below) can contain the ticket only if the
 * ticket has that key. Tag names are not among them (a write would have to read them).
 */
function stateKeys(state: TicketState): string[] {
  return ['all', `requester:${state.requesterId}`, assigneeKey(state.assigneeId), `status:${state.status}`, `priority:${state.priority}`];
}

/**
 * The index of a list: keys such that every ticket the list can contain has one of them. Any condition
 * is more selective than `all`, whatever its number of keys (a list of URGENT and HIGH tickets need
 * not go when a LOW one is created); among conditions, the one with the fewest keys.
 */
function listKeys(shape: TicketListShape): string[] {
  const candidates: string[][] = [];
  if (shape.requesterIds?.length) candidates.push([`requester:${shape.requesterIds[0]}`]);
  if (shape.assigneeId != null) candidates.push([assigneeKey(shape.assigneeId)]);
  if (shape.unassigned === true) candidates.push([assigneeKey(null)]);
  if (shape.status?.length) candidates.push([...new Set(shape.status)].map((s) => `status:${s}`));
  if (shape.priority?.length) candidates.push([...new Set(shape.priority)].map((p) => `priority:${p}`));
  if (candidates.length === 0) return ['all'];
  return candidates.reduce((best, keys) => (keys.length < best.length ? keys : best));
}

/**
 * The events a list is affected by when the ticket can be in it: `new` (a ticket created), `touch`
 * (any write: updatedAt moves), `priority` (a priority change moves the ticket in a priority order).
 */
function listEvents(shape: TicketListShape): string[] {
  // A ticket is created without tags (a write that ever creates one with tags names them: tag:<name>).
  const created = shape.tag != null ? [] : ['new'];
  return [...created, ...(shape.sort === 'updatedAt' ? ['touch'] : shape.sort === 'priority' ? ['priority'] : [])];
}

/** The tags of a cached list computed from this shape. */
export function ticketListTags(shape: TicketListShape): string[] {
  const p = prefix(shape.organizationId);
  const tags: string[] = [];
  // A ticket joins or leaves through an update: the changes of an attribute that flip a condition.
  if (shape.status?.length) for (const f of flips(allStatuses, shape.status)) tags.push(`${p}|status:${f}`);
  if (shape.priority?.length) for (const f of flips(allPriorities, shape.priority)) tags.push(`${p}|priority:${f}`);
  if (shape.assigneeId != null) tags.push(`${p}|${assigneeKey(shape.assigneeId)}`);
  // Both unassigned: true and false flip exactly when the ticket gains or loses its only assignee.
  if (shape.unassigned != null) tags.push(`${p}|${assigneeKey(null)}`);
  for (const requesterId of new Set(shape.requesterIds ?? [])) tags.push(`${p}|requester:${requesterId}`);
  if (shape.tag != null) tags.push(`${p}|tag:${shape.tag}`);
  if (shape.search) tags.push(`${p}|title`);
  // A ticket joins by being created, or moves in the order, only where it can be a member.
  const keys = listKeys(shape);
  for (const event of listEvents(shape)) for (const key of keys) tags.push(`${p}|${event}@${key}`);
  return tags;
}

/**
 * The list tags a committed write to a ticket invalidates. `before` must be the row as the write found
 * it (read under the write's row lock): a guess could miss the change of a concurrent writer in between.
 */
export function ticketChangeTags({ before, after, tagNames = [] }: TicketChange): string[] {
  const p = prefix(after.organizationId);
  const tags = new Set<string>();
  const events: string[] = [];
  if (before == null) {
    events.push('new');
  } else {
    if (before.status !== after.status) tags.add(`${p}|status:${pair(before.status, after.status)}`);
    if (before.priority !== after.priority) {
      tags.add(`${p}|priority:${pair(before.priority, after.priority)}`);
      events.push('priority');
    }
    if (before.assigneeId !== after.assigneeId) {
      tags.add(`${p}|${assigneeKey(before.assigneeId)}`).add(`${p}|${assigneeKey(after.assigneeId)}`);
    }
    if (before.requesterId !== after.requesterId) {
      tags.add(`${p}|requester:${before.requesterId}`).add(`${p}|requester:${after.requesterId}`);
    }
    if (before.title !== after.title) tags.add(`${p}|title`);
    events.push('touch');
  }
  for (const name of tagNames) tags.add(`${p}|tag:${name}`);
  for (const event of events) {
    for (const state of before ? [before, after] : [after]) for (const key of stateKeys(state)) tags.add(`${p}|${event}@${key}`);
  }
  return [...tags];
}

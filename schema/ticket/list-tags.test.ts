// The eviction rule against its definition, on random lists and writes: whenever a write can change a
// list's members, count or order (the ticket joins, leaves, or moves in the list's order while it can be
// in it), the write's tags meet the list's. What a list shows of the ticket is the entity tag's job.
import { describe, expect, it } from 'vitest';
import type { TicketPriority, TicketStatus } from '../../prisma/generated/client.ts';
import { ticketChangeTags, ticketListTags, type TicketListShape, type TicketSortField, type TicketState } from './list-tags.ts';

const statuses: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED'];
const priorities: TicketPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const users = [1, 2, 3];
const tagNames = ['a', 'b'];
const titles = ['printer', 'zebra'];

type State = TicketState & { tags: Set<string> };

let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const maybe = <T>(make: () => T): T | null => (random() < 0.5 ? null : make());
const some = <T>(items: readonly T[]): T[] => items.filter(() => random() < 0.4);

function randomState(): State {
  return {
    id: 1,
    organizationId: 1,
    requesterId: pick(users),
    assigneeId: maybe(() => pick(users)),
    status: pick(statuses),
    priority: pick(priorities),
    title: pick(titles),
    resolvedAt: null,
    tags: new Set(some(tagNames)),
  };
}

/** A write changes one attribute (or none: a comment), as the mutations do; sometimes several (bulk). */
function changeOne(before: State): State {
  const after = { ...before, tags: new Set(before.tags) };
  const other = randomState();
  const changes = random() < 0.2 ? 3 : 1;
  for (let i = 0; i < changes; i += 1) {
    const attribute = pick(['status', 'priority', 'assigneeId', 'requesterId', 'title', 'tags', 'none'] as const);
    if (attribute === 'tags') after.tags = other.tags;
    else if (attribute !== 'none') Object.assign(after, { [attribute]: other[attribute] });
  }
  return after;
}

function randomShape(): TicketListShape & { searchFor: string | null } {
  const searchFor = maybe(() => pick(titles));
  return {
    organizationId: 1,
    status: maybe(() => some(statuses)),
    priority: maybe(() => some(priorities)),
    assigneeId: maybe(() => pick(users)),
    unassigned: maybe(() => random() < 0.5),
    requesterIds: some(users).slice(0, 1),
    tag: maybe(() => pick(tagNames)),
    search: searchFor != null,
    searchFor,
    sort: pick<TicketSortField>(['createdAt', 'updatedAt', 'priority']),
  };
}

function contains(shape: ReturnType<typeof randomShape>, s: State): boolean {
  return (
    (!shape.status?.length || shape.status.includes(s.status)) &&
    (!shape.priority?.length || shape.priority.includes(s.priority)) &&
    (shape.assigneeId == null || s.assigneeId === shape.assigneeId) &&
    (shape.unassigned == null || (s.assigneeId == null) === shape.unassigned) &&
    (shape.requesterIds ?? []).every((id) => s.requesterId === id) &&
    (shape.tag == null || s.tags.has(shape.tag)) &&
    (shape.searchFor == null || s.title === shape.searchFor)
  );
}

describe('ticket list tags', () => {
  it('a write that can change a list always names one of its tags', () => {
    let needed = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const shape = randomShape();
      const created = random() < 0.15;
      const before = created ? null : randomState();
      const after = before ? changeOne(before) : randomState();
      if (created) after.tags.clear(); // createTicket takes no tags
      const changedTags = before ? tagNames.filter((n) => before.tags.has(n) !== after.tags.has(n)) : [];
      const inBefore = before != null && contains(shape, before);
      const inAfter = contains(shape, after);
      const moves = before != null && (shape.sort === 'updatedAt' || (shape.sort === 'priority' && before.priority !== after.priority));
      if (inBefore === inAfter && !(moves && inAfter)) continue;
      needed += 1;
      const listTags = new Set(ticketListTags(shape));
      const writeTags = ticketChangeTags({ before, after, tagNames: changedTags });
      expect(
        writeTags.some((tag) => listTags.has(tag)),
        JSON.stringify({ shape, before, after, changedTags }, (_k, v) => (v instanceof Set ? [...v] : v)),
      ).toBe(true);
    }
    expect(needed).toBeGreaterThan(500);
  });

  it('a list sorted by creation that keeps the ticket is not named by a write that changes no condition', () => {
    const state = randomState();
    const shape: TicketListShape = { organizationId: 1, status: [state.status], sort: 'createdAt' };
    const tags = new Set(ticketListTags(shape));
    expect(ticketChangeTags({ before: state, after: { ...state, title: 'other' } }).some((t) => tags.has(t))).toBe(false);
  });
});

// Ticket's field groups against their definition, on random writes: whenever a write can change the
// value of a Ticket field, it invalidates the entity tag or one of the field's groups (the schema's own
// `cacheFieldGroups`), so no response showing that field survives it; and a write that changes none of a
// group's fields does not name that group.
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Ticket, TicketPriority, TicketStatus } from '../../prisma/generated/client.ts';
import { groupsOfField, type FieldGroups } from '../cache-tags.ts';
import { schema } from '../index.ts';
import { changedGroups, type TicketWrite } from './access.ts';
import type { TicketState } from './list-tags.ts';

const statuses: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED'];
const priorities: TicketPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];

let seed = 11;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

function randomTicket(): Ticket {
  return {
    id: 1,
    number: 1,
    organizationId: pick([1, 2]),
    requesterId: pick([1, 2, 3]),
    assigneeId: random() < 0.3 ? null : pick([1, 2, 3]),
    status: pick(statuses),
    priority: pick(priorities),
    title: pick(['printer', 'zebra']),
    body: 'text',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    resolvedAt: null,
  };
}

/** A write as the mutations make them: an update of one or a few attributes, a touch, or a creation. */
function randomWrite(): TicketWrite {
  const before = randomTicket();
  const kind = random();
  if (kind < 0.1) return { before: null, after: before };
  if (kind < 0.3) return { before, after: before, touch: true };
  const after = { ...before, updatedAt: new Date(1) };
  const other = randomTicket();
  for (let i = random() < 0.2 ? 3 : 1; i > 0; i -= 1) {
    const field = pick(['status', 'priority', 'assigneeId', 'title', 'requesterId', 'organizationId'] as const);
    Object.assign(after, { [field]: other[field] });
  }
  return { before, after, bodyGiven: random() < 0.2 };
}

/** Whether the write can change what the field shows (per viewer: a touch changes comments and tags). */
function fieldChanges(field: string, write: TicketWrite): boolean {
  const { before, after } = write;
  if (before == null) return true;
  const changed = (key: keyof TicketState) => before[key] !== after[key];
  const byField: Record<string, boolean> = {
    id: false,
    number: false,
    createdAt: false,
    organization: changed('organizationId'),
    requester: changed('requesterId'),
    title: changed('title'),
    body: write.bodyGiven === true,
    status: changed('status'),
    priority: changed('priority'),
    assignee: changed('assigneeId'),
    tags: write.touch === true,
    commentCount: write.touch === true,
    comments: write.touch === true,
    updatedAt: true,
  };
  if (!(field in byField)) throw new Error(`Ticket.${field} has no model here: say what changes it`);
  return byField[field]!;
}

describe('Ticket field groups', () => {
  const type = schema.getType('Ticket');
  if (!isObjectType(type)) throw new Error('Ticket is not an object type');
  const groups = type.extensions.cacheFieldGroups as FieldGroups;
  const fields = Object.keys(type.getFields());

  it('a write names the entity, or a group of every field whose value it can change, and only groups it changed', () => {
    let checked = 0;
    for (let i = 0; i < 5_000; i += 1) {
      const write = randomWrite();
      const named = changedGroups(write);
      const changing = fields.filter((field) => fieldChanges(field, write));
      if (named === null) continue; // the entity tag: every response showing the ticket goes
      for (const field of changing) {
        expect(
          groupsOfField(groups, field).some((group) => named.includes(group)),
          `${field} after ${JSON.stringify(write)}`,
        ).toBe(true);
        checked += 1;
      }
      // Precision: each group named but 'updated' (updatedAt) has a listed field whose value changed.
      for (const group of named) {
        const shown = group === 'updated' || changing.some((field) => groups.fields[field]?.includes(group));
        expect(shown, `${group} after ${JSON.stringify(write)}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it('names the entity tag when a ticket is created or changes who may see it', () => {
    const ticket = randomTicket();
    expect(changedGroups({ before: null, after: ticket })).toBeNull();
    expect(changedGroups({ before: ticket, after: { ...ticket, requesterId: ticket.requesterId + 1 } })).toBeNull();
    expect(changedGroups({ before: ticket, after: { ...ticket, organizationId: ticket.organizationId + 1 } })).toBeNull();
  });
});

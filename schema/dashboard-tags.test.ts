// The dashboard's eviction rule against its definition, on random writes: a figure is named exactly when
// the ticket's share of it differs before and after the write (what the ticket adds to each count), so a
// write never leaves a figure stale and never evicts one it cannot move. And every field of
// DashboardStats is a figure with its own tag.
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { TicketPriority, TicketStatus } from '../prisma/generated/client.ts';
import { DASHBOARD_FIGURES, dashboardChangeTags, dashboardFiguresChanged, type DashboardFigure } from './dashboard-tags.ts';
import { schema } from './index.ts';
import type { TicketState } from './ticket/list-tags.ts';

const statuses: TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED'];
const priorities: TicketPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const users = [1, 2, 3];

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const resolved = (status: TicketStatus) => status === 'RESOLVED' || status === 'CLOSED';

function randomState(): TicketState {
  const status = pick(statuses);
  return {
    id: 1,
    organizationId: 1,
    requesterId: pick(users),
    assigneeId: random() < 0.3 ? null : pick(users),
    status,
    priority: pick(priorities),
    title: 'printer',
    resolvedAt: resolved(status) ? new Date(1_000 * Math.floor(random() * 3)) : null,
  };
}

/** One attribute changed (sometimes three), resolvedAt kept as the database's trigger keeps it. */
function changed(before: TicketState): TicketState {
  const after = { ...before };
  const other = randomState();
  for (let i = random() < 0.2 ? 3 : 1; i > 0; i -= 1) {
    const field = pick(['status', 'priority', 'assigneeId', 'requesterId', 'title'] as const);
    Object.assign(after, { [field]: other[field] });
  }
  if (!resolved(after.status)) after.resolvedAt = null;
  else if (!resolved(before.status)) after.resolvedAt = new Date(5_000);
  return after;
}

/** What one ticket adds to each figure: a figure can move exactly when this differs. */
function share(t: TicketState): Record<DashboardFigure, unknown> {
  const open = ['OPEN', 'IN_PROGRESS', 'PENDING'].includes(t.status);
  return {
    byStatus: t.status,
    byPriority: t.priority,
    openByPriority: open ? t.priority : null,
    openByAge: open,
    openByAssignee: open ? `${t.assigneeId}` : null,
    ticketsPerDay: t.resolvedAt?.getTime() ?? null,
    firstResponse: t.requesterId,
  };
}

describe('dashboard figures a write moves', () => {
  it('names a figure exactly when the ticket’s share of it changed', () => {
    let named = 0;
    for (let i = 0; i < 5_000; i += 1) {
      const before = randomState();
      const after = changed(before);
      const [was, is] = [share(before), share(after)];
      const moved = DASHBOARD_FIGURES.filter((f) => was[f] !== is[f]);
      expect(dashboardFiguresChanged({ before, after }).sort(), JSON.stringify({ before, after })).toEqual(moved.sort());
      named += moved.length;
    }
    expect(named).toBeGreaterThan(1_000);
  });

  it('a created ticket moves every figure of its organization', () => {
    const after = randomState();
    expect(dashboardChangeTags({ before: null, after })).toEqual(DASHBOARD_FIGURES.map((f) => `dashboard@org:1|${f}`));
  });

  it('every field of DashboardStats is a figure', () => {
    const type = schema.getType('DashboardStats');
    if (!isObjectType(type)) throw new Error('DashboardStats is not an object type');
    expect(Object.keys(type.getFields()).sort()).toEqual([...DASHBOARD_FIGURES].sort());
  });
});

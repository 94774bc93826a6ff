// The dashboard's cache tags, one per figure (server/CACHE.md, "The dashboard"): a response carries the
// tags of the figures it selects, and a write invalidates only the figures it can move. A reply moves the
// first-response figure and leaves the counts as they were; a new assignee moves the open tickets per
// assignee, not the counts by status.
import type { Ticket } from '../prisma/generated/client.ts';
import type { Context } from './context.ts';
import { OPEN_STATUSES } from './dashboard-counts.ts';
import type { TicketChange } from './ticket/list-tags.ts';

/** The fields of DashboardStats, each a figure with its own tag (dashboard.ts tags every one it resolves). */
export const DASHBOARD_FIGURES = [
  'byStatus',
  'byPriority',
  'openByPriority',
  'openByAge',
  'openByAssignee',
  'ticketsPerDay',
  'firstResponse',
] as const;

export type DashboardFigure = (typeof DASHBOARD_FIGURES)[number];

export function dashboardTag(organizationId: number, figure: DashboardFigure): string {
  return `dashboard@org:${organizationId}|${figure}`;
}

/** Marks the response as showing one figure of an organization's dashboard. */
export function tagFigure(ctx: Context, organizationId: number, figure: DashboardFigure): void {
  ctx.cache.tag(dashboardTag(organizationId, figure));
}

const isOpen = (state: Pick<Ticket, 'status'>) => OPEN_STATUSES.includes(state.status);

/**
 * The figures a committed write to a ticket can move, from its state before (null: created) and after.
 * Comments move only firstResponse, and the comment mutations say so themselves.
 */
export function dashboardFiguresChanged({ before, after }: TicketChange): DashboardFigure[] {
  if (before == null || before.organizationId !== after.organizationId) return [...DASHBOARD_FIGURES];
  const figures: DashboardFigure[] = [];
  const status = before.status !== after.status;
  const priority = before.priority !== after.priority;
  const open = isOpen(before) || isOpen(after);
  const openness = isOpen(before) !== isOpen(after);
  if (status) figures.push('byStatus');
  if (priority) figures.push('byPriority');
  if (open && (openness || priority)) figures.push('openByPriority');
  if (openness) figures.push('openByAge');
  if (open && (openness || before.assigneeId !== after.assigneeId)) figures.push('openByAssignee');
  if (before.resolvedAt?.getTime() !== after.resolvedAt?.getTime()) figures.push('ticketsPerDay');
  // Whether a comment answers a ticket depends on who requested it.
  if (before.requesterId !== after.requesterId) figures.push('firstResponse');
  return figures;
}

/** The tags of dashboardFiguresChanged. */
export function dashboardChangeTags(change: TicketChange): string[] {
  return dashboardFiguresChanged(change).map((figure) => dashboardTag(change.after.organizationId, figure));
}

// Who is asking, and what that lets them see. Every visibility rule of DESIGN.md ("Who sees what")
// lives here, so resolvers and loaders ask one place.
import type { Viewer } from '../identity/viewer.ts';
import type { Prisma, Role } from '../prisma/generated/client.ts';
import { ForbiddenError, UnauthenticatedError } from './errors.ts';

export type { Viewer };

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

export function isStaff(viewer: Viewer): boolean {
  return viewer.role === 'ADMIN' || viewer.role === 'AGENT';
}

export function requireStaff(viewer: Viewer | null, action: string): Viewer {
  const v = requireViewer(viewer);
  if (!isStaff(v)) throw new ForbiddenError(`Only agents and admins can ${action}.`);
  return v;
}

/** The tickets this viewer may see, as a Prisma filter. */
export function visibleTicketsWhere(viewer: Viewer): Prisma.TicketWhereInput {
  return isStaff(viewer)
    ? { organizationId: viewer.organizationId }
    : { organizationId: viewer.organizationId, requesterId: viewer.userId };
}

export function canSeeTicket(viewer: Viewer, ticket: { organizationId: number; requesterId: number }): boolean {
  if (ticket.organizationId !== viewer.organizationId) return false;
  return isStaff(viewer) || ticket.requesterId === viewer.userId;
}

/** Staff see everyone in their organization; customers see staff and themselves. */
export function canSeeUser(viewer: Viewer, user: { id: number; organizationId: number; role: Role }): boolean {
  if (user.organizationId !== viewer.organizationId) return false;
  return isStaff(viewer) || user.role !== 'CUSTOMER' || user.id === viewer.userId;
}

export function canSeeComment(viewer: Viewer, comment: { internal: boolean }): boolean {
  return isStaff(viewer) || !comment.internal;
}

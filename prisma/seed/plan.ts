// The plan: everything decided up front, compactly, before anything is inserted. Tickets are kept as
// typed arrays (statuses, priorities, topics and tags as small indexes) so a plan of hundreds of
// thousands of tickets fits in memory; their text and comments are generated from it chunk by chunk.
import type { Role, TicketPriority, TicketStatus } from '../generated/enums.ts';
import type { Calendar } from './calendar.ts';

export const STATUSES: readonly TicketStatus[] = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED', 'CANCELLED'];
export const PRIORITIES: readonly TicketPriority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
export const OPEN = 0;
export const CLOSED_STATUSES = new Set([3, 4, 5]); // RESOLVED, CLOSED, CANCELLED
export const RESOLVED_STATUSES = new Set([3, 4]); // RESOLVED, CLOSED: they have a resolvedAt
export const CANCELLED = 5;
export const NO_TAG = 255;

export interface OrgPlan {
  id: number;
  slug: string;
  name: string;
  createdAt: number;
  /** User ids of admins and agents, who work tickets, and their relative workloads. */
  staff: number[];
  staffCumulative: Float64Array;
  customers: number[];
  customerCumulative: Float64Array;
  firstTagId: number;
}

export interface UserPlan {
  id: number;
  organizationId: number;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
}

export interface Plan {
  /** The span the seeded world's dates fall in. */
  calendar: Calendar;
  orgs: OrgPlan[];
  users: UserPlan[];
  /** First name of each user, by id. */
  firstNames: string[];
  tickets: TicketArrays;
  ticketTagCount: number;
}

export interface TicketArrays {
  count: number;
  org: Int32Array; // index into orgs
  number: Int32Array;
  createdAt: Float64Array;
  status: Uint8Array;
  priority: Uint8Array;
  requester: Int32Array;
  assignee: Int32Array; // 0: unassigned
  topic: Uint8Array;
  tags: Uint8Array; // 3 per ticket, NO_TAG for none
  comments: Int32Array;
  /** -1, or the position of this ticket among the demo customer's tickets */
  demo: Int32Array;
}

export function emptyTicketArrays(n: number): TicketArrays {
  return {
    count: n,
    org: new Int32Array(n),
    number: new Int32Array(n),
    createdAt: new Float64Array(n),
    status: new Uint8Array(n),
    priority: new Uint8Array(n),
    requester: new Int32Array(n),
    assignee: new Int32Array(n),
    topic: new Uint8Array(n),
    tags: new Uint8Array(n * 3).fill(NO_TAG),
    comments: new Int32Array(n),
    demo: new Int32Array(n).fill(-1),
  };
}

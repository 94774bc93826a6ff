// What the checker records: every write it sent (with when it started and when its answer came) and
// every read. The model (model.ts) judges reads against these records only, so a history can be built
// by hand in a test exactly as the runner builds it during a run.

/** How a request travelled: a trusted document by hash (GET or POST), or the document's text. */
export type Transport = 'persisted-get' | 'persisted-post' | 'plain-post';

/** What the model tracks of a ticket; `exists` and `tagged` (carries the run's tag) decide list membership. */
export interface TicketFields {
  exists: boolean;
  tagged: boolean;
  title: string;
  status: string;
  priority: string;
  /** A user's global ID, or null when unassigned. */
  assignee: string | null;
  requester: string;
}
export type Field = keyof TicketFields;

type WriteKind = 'createTicket' | 'addTags' | 'updateTicket' | 'bulkUpdateTickets' | 'addComment';

/**
 * One attempt of a write on one ticket (a bulk update is one record per ticket, sharing `op`). `ok`: the
 * server answered with the changed entity. `indeterminate`: an error or a timeout, so the change may or
 * may not have happened (and may even land a little after the error came back).
 */
export interface WriteRecord {
  /** Increasing in the order writes started (a ticket's writes never overlap: the checker locks it). */
  seq: number;
  /** The operation this record belongs to (a bulk update touches several tickets). */
  op: number;
  kind: WriteKind;
  ticketId: string;
  viewer: string;
  instance: string;
  via: Transport;
  /** Milliseconds since the run began: request sent, answer (or error) received. */
  start: number;
  end: number;
  outcome: 'ok' | 'indeterminate';
  /** An indeterminate write's error, for the report. */
  error?: string;
  set: Partial<TicketFields>;
  comment?: { body: string; internal: boolean };
}

/** A createTicket that may have created a ticket the checker never learned of (its answer was lost). */
export interface PhantomCreate {
  org: string;
  priority: string;
  start: number;
  end: number;
}

/** Who read: what the model needs to know of the viewer (visibility). */
export interface ReadViewer {
  name: string;
  org: string;
  /** The user's global ID when the viewer is a customer (sees only what they requested, no internal notes). */
  customerId: string | null;
}

export interface ReadContext {
  seq: number;
  kind: 'ticket' | 'node' | 'list' | 'dashboard';
  viewer: ReadViewer;
  instance: string;
  via: Transport;
  start: number;
  end: number;
  /** final: the sweep after the workload, when every write has ended (a stale value there is a lost write). */
  phase: 'run' | 'final';
}

export interface ObservedTicket {
  id: string;
  title?: string;
  status?: string;
  priority?: string;
  assignee?: string | null;
  /** Whether its tags include the run's tag. */
  tagged?: boolean;
}

export interface ObservedComment {
  id: string;
  body: string;
  internal: boolean;
}

export interface TicketRead extends ReadContext {
  ticketId: string;
  /** null: the server said it does not exist (or is not visible). */
  ticket: ObservedTicket | null;
  comments?: ObservedComment[];
  commentCount?: number;
}

/** A list of the run's tickets (`filter.tag` is the run's tag) with optional conditions. */
export interface ListFilter {
  status?: string[];
  /** A user's global ID; null means `unassigned: true`. */
  assignee?: string | null;
}

export interface ListRead extends ReadContext {
  org: string;
  filter: ListFilter;
  totalCount: number;
  nodes: ObservedTicket[];
}

export interface DashboardRead extends ReadContext {
  org: string;
  /** openByPriority: open tickets (OPEN, IN_PROGRESS, PENDING) per priority. */
  openByPriority: Record<string, number>;
}

export type ViolationKind =
  | 'stale-read'
  | 'lost-write'
  | 'missing-ticket'
  | 'list-missing'
  | 'list-extra'
  | 'total-count'
  | 'missing-comment'
  | 'unexpected-comment'
  | 'comment-count'
  | 'internal-comment-leak'
  | 'dashboard-count';

export interface Violation {
  kind: ViolationKind;
  message: string;
  read: ReadContext;
  /** The writes that decide it, oldest first. */
  writes: WriteRecord[];
}

export const OPEN_STATUSES = ['OPEN', 'IN_PROGRESS', 'PENDING'];

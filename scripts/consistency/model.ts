// The model of acknowledged writes, and the judge of every read. A ticket's writes are totally ordered
// (the checker holds a per-ticket lock while one runs), so for each field and each read the model knows
// the values the read may show: the value of the last write acknowledged before the read began, or of
// any later write that started before the read ended, or of an indeterminate write not yet overtaken.
// Anything else is a violation. Fields are judged one by one (an over-approximation of the states a
// write can leave), so the model may accept a combination that never existed, and never flags one that
// could have.
import {
  OPEN_STATUSES,
  type DashboardRead,
  type Field,
  type ListFilter,
  type ListRead,
  type ObservedTicket,
  type PhantomCreate,
  type ReadContext,
  type ReadViewer,
  type TicketFields,
  type TicketRead,
  type Violation,
  type ViolationKind,
  type WriteRecord,
} from './history.ts';

/**
 * How long after its error an indeterminate write may still commit (a request whose connection broke
 * while its transaction was committing). A later write that started within this window may have been
 * overtaken by it, so both values stay possible.
 */
const LATE_COMMIT_MS = 1000;

/** How many of a field's writes a violation prints. */
const HISTORY_SHOWN = 6;

interface ModelTicket {
  org: string;
  writes: WriteRecord[];
}

type Value = TicketFields[Field];

/** The writes of one field whose value a read running from `start` to `end` may show, oldest first. */
function visibleWrites(writes: readonly WriteRecord[], field: Field, start: number, end: number): WriteRecord[] {
  const candidates = writes.filter((w) => field in w.set && w.start < end);
  let last = -1;
  candidates.forEach((w, i) => {
    if (w.outcome === 'ok' && w.end < start) last = i;
  });
  if (last < 0) return candidates;
  const overtaking = candidates[last]!;
  // Before the last acknowledged write, only an indeterminate write it may not have overtaken survives.
  return candidates.filter((w, i) => i >= last || (w.outcome === 'indeterminate' && overtaking.start <= w.end + LATE_COMMIT_MS));
}

/** The values a read may show; `exists` may also be false before a create was acknowledged. */
function allowedValues(writes: readonly WriteRecord[], field: Field, start: number, end: number): Value[] {
  const visible = visibleWrites(writes, field, start, end);
  const values = visible.map((w) => w.set[field] as Value);
  const acknowledged = visible.some((w) => w.outcome === 'ok' && w.end < start);
  if (field === 'exists' && !acknowledged) values.push(false);
  return values;
}

const show = (value: unknown) => JSON.stringify(value);

export class Model {
  private readonly tickets = new Map<string, ModelTicket>();
  private readonly phantoms: PhantomCreate[] = [];
  private readonly dashboardBase = new Map<string, Record<string, number>>();

  /** A ticket the checker created (its createTicket was acknowledged); the record is its first write. */
  addTicket(org: string, create: WriteRecord): void {
    this.tickets.set(create.ticketId, { org, writes: [create] });
  }

  record(write: WriteRecord): void {
    const ticket = this.tickets.get(write.ticketId);
    if (!ticket) throw new Error(`write #${write.seq} on a ticket the model does not know: ${write.ticketId}`);
    ticket.writes.push(write);
  }

  recordPhantom(phantom: PhantomCreate): void {
    this.phantoms.push(phantom);
  }

  /** Open tickets per priority in the organization before the checker created any. */
  setDashboardBase(org: string, openByPriority: Record<string, number>): void {
    this.dashboardBase.set(org, openByPriority);
  }

  ticketIds(org?: string): string[] {
    return [...this.tickets].filter(([, t]) => org === undefined || t.org === org).map(([id]) => id);
  }

  writesOf(ticketId: string): readonly WriteRecord[] {
    return this.tickets.get(ticketId)?.writes ?? [];
  }

  /** The value after the last write, assuming every write took effect (for choosing the next write). */
  latest<F extends Field>(ticketId: string, field: F): TicketFields[F] | undefined {
    const writes = this.writesOf(ticketId).filter((w) => field in w.set);
    return writes.at(-1)?.set[field] as TicketFields[F] | undefined;
  }

  commentCount(ticketId: string): number {
    return this.writesOf(ticketId).filter((w) => w.comment).length;
  }

  checkTicket(read: TicketRead): Violation[] {
    const writes = this.writesOf(read.ticketId);
    const out: Violation[] = [];
    if (read.ticket === null) {
      const exists = allowedValues(writes, 'exists', read.start, read.end);
      if (!exists.includes(false)) {
        out.push(violation('missing-ticket', `ticket ${read.ticketId} was not found, but its creation was acknowledged`, read, writes));
      }
      return out;
    }
    out.push(...this.checkFields(read, read.ticket));
    if (read.comments || read.commentCount !== undefined) out.push(...this.checkComments(read, writes));
    return out;
  }

  checkList(read: ListRead): Violation[] {
    const out: Violation[] = [];
    const shown = new Map(read.nodes.map((node) => [node.id, node]));
    let definite = 0;
    let possible = 0;
    for (const id of this.ticketIds(read.org)) {
      const member = membership(this.writesOf(id), read.filter, read.viewer, read.start, read.end);
      if (member.definite) definite++;
      if (member.possible) possible++;
      const node = shown.get(id);
      if (member.definite && !node) {
        const what = `ticket ${id} is missing from the list ${describeFilter(read.filter)}, but acknowledged writes put it there`;
        out.push(violation('list-missing', what, read, this.writesOf(id)));
      } else if (!member.possible && node) {
        const what = `ticket ${id} is in the list ${describeFilter(read.filter)}, but acknowledged writes took it out`;
        out.push(violation('list-extra', what, read, this.writesOf(id)));
      }
    }
    for (const node of read.nodes) {
      if (!this.tickets.has(node.id)) {
        out.push(violation('list-extra', `the list ${describeFilter(read.filter)} holds ${node.id}, never tagged by this run`, read, []));
      } else out.push(...this.checkFields(read, node));
    }
    if (read.totalCount < definite || read.totalCount > possible) {
      const what = `totalCount ${read.totalCount} of the list ${describeFilter(read.filter)} is outside the possible ${definite}..${possible}`;
      out.push(violation('total-count', what, read, []));
    }
    return out;
  }

  checkDashboard(read: DashboardRead): Violation[] {
    const base = this.dashboardBase.get(read.org);
    if (!base) return [];
    const out: Violation[] = [];
    for (const [priority, observed] of Object.entries(read.openByPriority)) {
      let definite = 0;
      let possible = 0;
      const filter: ListFilter = { status: OPEN_STATUSES };
      for (const id of this.ticketIds(read.org)) {
        const writes = this.writesOf(id);
        const member = membership(writes, filter, null, read.start, read.end, { priority });
        if (member.definite) definite++;
        if (member.possible) possible++;
      }
      possible += this.phantoms.filter((p) => p.org === read.org && p.priority === priority && p.start < read.end).length;
      const delta = observed - (base[priority] ?? 0);
      if (delta < definite || delta > possible) {
        const what =
          `dashboard openByPriority ${priority}: ${observed} (${delta >= 0 ? '+' : ''}${delta} from the ${base[priority] ?? 0} ` +
          `before the run) is outside the possible +${definite}..+${possible}`;
        out.push(violation('dashboard-count', what, read, this.countChanges(read)));
      }
    }
    return out;
  }

  /** The organization's last writes of status or priority before the read ended: what a count depends on. */
  private countChanges(read: DashboardRead): WriteRecord[] {
    const writes = this.ticketIds(read.org).flatMap((id) =>
      this.writesOf(id).filter((w) => w.start < read.end && ('status' in w.set || 'priority' in w.set)),
    );
    return writes.sort((a, b) => a.start - b.start).slice(-HISTORY_SHOWN);
  }

  private checkFields(read: ReadContext, observed: ObservedTicket): Violation[] {
    const out: Violation[] = [];
    const writes = this.writesOf(observed.id);
    for (const field of ['title', 'status', 'priority', 'assignee', 'tagged'] as const) {
      const value = observed[field];
      if (value === undefined) continue;
      const allowed = allowedValues(writes, field, read.start, read.end);
      if (allowed.length === 0 || allowed.includes(value)) continue;
      const kind: ViolationKind = read.phase === 'final' ? 'lost-write' : 'stale-read';
      const what = `ticket ${observed.id} ${field} read as ${show(value)}; allowed: ${allowed.map(show).join(' | ')}`;
      const relevant = writes.filter((w) => field in w.set && w.start < read.end).slice(-HISTORY_SHOWN);
      out.push(violation(kind, what, read, relevant));
    }
    return out;
  }

  private checkComments(read: TicketRead, writes: readonly WriteRecord[]): Violation[] {
    const out: Violation[] = [];
    const customer = read.viewer.customerId !== null;
    const commentWrites = writes.filter((w) => w.comment && w.start < read.end);
    const visible = commentWrites.filter((w) => !customer || !w.comment!.internal);
    const required = visible.filter((w) => w.outcome === 'ok' && w.end < read.start);
    const byBody = new Map(commentWrites.map((w) => [w.comment!.body, w]));
    for (const comment of read.comments ?? []) {
      const write = byBody.get(comment.body);
      if (customer && (comment.internal || write?.comment!.internal)) {
        const what = `customer ${read.viewer.name} sees internal comment ${comment.id} on ticket ${read.ticketId}`;
        out.push(violation('internal-comment-leak', what, read, write ? [write] : []));
      } else if (!write) {
        const what = `comment ${comment.id} (${show(comment.body)}) on ticket ${read.ticketId} matches no write that had started`;
        out.push(violation('unexpected-comment', what, read, []));
      }
    }
    if (read.comments) {
      const bodies = new Set(read.comments.map((c) => c.body));
      for (const write of required) {
        if (bodies.has(write.comment!.body)) continue;
        const what = `comment ${show(write.comment!.body)} on ticket ${read.ticketId} is missing, but it was acknowledged before the read`;
        out.push(violation(read.phase === 'final' ? 'lost-write' : 'missing-comment', what, read, [write]));
      }
    }
    if (read.commentCount !== undefined && (read.commentCount < required.length || read.commentCount > visible.length)) {
      const what = `commentCount ${read.commentCount} of ticket ${read.ticketId} is outside the possible ${required.length}..${visible.length}`;
      out.push(violation('comment-count', what, read, commentWrites.slice(-HISTORY_SHOWN)));
    }
    return out;
  }
}

interface Membership {
  possible: boolean;
  definite: boolean;
}

/** Whether a ticket may be (possible) or must be (definite) in a list of the run's tickets with `filter`. */
function membership(
  writes: readonly WriteRecord[],
  filter: ListFilter,
  viewer: ReadViewer | null,
  start: number,
  end: number,
  extra: { priority?: string } = {},
): Membership {
  const conditions: [Field, (value: Value) => boolean][] = [
    ['exists', (v) => v === true],
    ['tagged', (v) => v === true],
  ];
  // The dashboard counts every ticket of the organization, tagged or not.
  if (extra.priority !== undefined) conditions.splice(1, 1, ['priority', (v) => v === extra.priority]);
  if (viewer?.customerId) conditions.push(['requester', (v) => v === viewer.customerId]);
  if (filter.status) conditions.push(['status', (v) => filter.status!.includes(v as string)]);
  if (filter.assignee !== undefined) conditions.push(['assignee', (v) => v === filter.assignee]);
  let possible = true;
  let definite = true;
  for (const [field, accepts] of conditions) {
    const values = allowedValues(writes, field, start, end);
    possible &&= values.some(accepts);
    definite &&= values.length > 0 && values.every(accepts);
  }
  return { possible, definite };
}

function describeFilter(filter: ListFilter): string {
  const parts = ['tag: run'];
  if (filter.status) parts.push(`status: [${filter.status.join(', ')}]`);
  if (filter.assignee === null) parts.push('unassigned');
  else if (filter.assignee !== undefined) parts.push(`assignee: ${filter.assignee}`);
  return `{${parts.join(', ')}}`;
}

function violation(kind: ViolationKind, message: string, read: ReadContext, writes: readonly WriteRecord[]): Violation {
  return { kind, message, read, writes: [...writes] };
}

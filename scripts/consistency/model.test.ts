// The model must catch what it hunts for: each synthetic history below holds one violation of a kind
// the checker promises to find, next to the same history without it, which must pass.
import { describe, expect, it } from 'vitest';
import type { ReadContext, ReadViewer, TicketFields, WriteRecord } from './history.ts';
import { Model } from './model.ts';

const AGENT: ReadViewer = { name: 'acme-agent#0', org: 'acme', customerId: null };
const CUSTOMER: ReadViewer = { name: 'acme-customer#0', org: 'acme', customerId: 'User:c' };

let seq = 0;
function write(ticketId: string, start: number, end: number, set: Partial<TicketFields>, extra: Partial<WriteRecord> = {}): WriteRecord {
  seq++;
  return {
    seq,
    op: seq,
    kind: 'updateTicket',
    ticketId,
    viewer: 'acme-agent#0',
    instance: 'i1',
    via: 'plain-post',
    start,
    end,
    outcome: 'ok',
    set,
    ...extra,
  };
}

function read(start: number, end: number, viewer = AGENT, phase: 'run' | 'final' = 'run'): ReadContext {
  seq++;
  return { seq, kind: 'ticket', viewer, instance: 'i2', via: 'persisted-get', start, end, phase };
}

/** One tagged ticket "T1" of acme, requested by the customer, created and tagged at 0–10 ms, title "a". */
function modelWithTicket(): Model {
  const model = new Model();
  const fields: TicketFields = {
    exists: true,
    tagged: false,
    title: 'a',
    status: 'OPEN',
    priority: 'MEDIUM',
    assignee: null,
    requester: 'User:c',
  };
  model.addTicket('acme', write('T1', 0, 5, fields, { kind: 'createTicket' }));
  model.record(write('T1', 6, 10, { tagged: true }, { kind: 'addTags' }));
  return model;
}

describe('the consistency model', () => {
  it('reports a stale read: a value older than a write acknowledged before the read began', () => {
    const model = modelWithTicket();
    model.record(write('T1', 20, 30, { title: 'b' }));
    const stale = model.checkTicket({ ...read(40, 45), ticketId: 'T1', ticket: { id: 'T1', title: 'a' } });
    expect(stale.map((v) => v.kind)).toEqual(['stale-read']);
    expect(stale[0]!.writes.map((w) => w.set.title)).toEqual(['a', 'b']);
    // The same value is fine for a read that began before the write's answer came: the write was in flight.
    expect(model.checkTicket({ ...read(25, 45), ticketId: 'T1', ticket: { id: 'T1', title: 'a' } })).toEqual([]);
    expect(model.checkTicket({ ...read(40, 45), ticketId: 'T1', ticket: { id: 'T1', title: 'b' } })).toEqual([]);
  });

  it('reports a lost write: an acknowledged value absent from the reads after the run', () => {
    const model = modelWithTicket();
    model.record(write('T1', 20, 30, { status: 'PENDING' }));
    const lost = model.checkTicket({ ...read(100, 105, AGENT, 'final'), ticketId: 'T1', ticket: { id: 'T1', status: 'OPEN' } });
    expect(lost.map((v) => v.kind)).toEqual(['lost-write']);
  });

  it('keeps an indeterminate write possible, before and after, until a later write overtakes it', () => {
    const model = modelWithTicket();
    model.record(write('T1', 20, 30, { title: 'b' }, { outcome: 'indeterminate' }));
    for (const title of ['a', 'b']) expect(model.checkTicket({ ...read(40, 45), ticketId: 'T1', ticket: { id: 'T1', title } })).toEqual([]);
    model.record(write('T1', 5000, 5010, { title: 'c' }));
    const old = model.checkTicket({ ...read(6000, 6005), ticketId: 'T1', ticket: { id: 'T1', title: 'b' } });
    expect(old.map((v) => v.kind)).toEqual(['stale-read']);
  });

  it('reports a list missing a ticket an acknowledged write put there, and one holding a ticket a write took out', () => {
    const model = modelWithTicket();
    model.record(write('T1', 20, 30, { status: 'PENDING' }));
    const list = (nodes: string[], totalCount: number, filter: { status: string[] }) => ({
      ...read(40, 45),
      kind: 'list' as const,
      org: 'acme',
      filter,
      totalCount,
      nodes: nodes.map((id) => ({ id })),
    });
    const missing = model.checkList(list([], 0, { status: ['PENDING'] }));
    expect(missing.map((v) => v.kind)).toEqual(['list-missing', 'total-count']);
    const extra = model.checkList(list(['T1'], 1, { status: ['OPEN'] }));
    expect(extra.map((v) => v.kind)).toEqual(['list-extra', 'total-count']);
    expect(model.checkList(list(['T1'], 1, { status: ['PENDING'] }))).toEqual([]);
  });

  it('reports a created ticket missing from a list, and not found by id', () => {
    const model = modelWithTicket();
    const missing = model.checkList({ ...read(40, 45), kind: 'list', org: 'acme', filter: {}, totalCount: 0, nodes: [] });
    expect(missing.map((v) => v.kind)).toEqual(['list-missing', 'total-count']);
    expect(model.checkTicket({ ...read(40, 45), ticketId: 'T1', ticket: null }).map((v) => v.kind)).toEqual(['missing-ticket']);
  });

  it('reports an internal comment visible to a customer, and an acknowledged comment missing', () => {
    const model = modelWithTicket();
    model.record(write('T1', 20, 30, {}, { kind: 'addComment', comment: { body: 'note', internal: true } }));
    model.record(write('T1', 31, 35, {}, { kind: 'addComment', comment: { body: 'reply', internal: false } }));
    const leak = model.checkTicket({
      ...read(40, 45, CUSTOMER),
      ticketId: 'T1',
      ticket: { id: 'T1' },
      comments: [
        { id: 'C1', body: 'note', internal: true },
        { id: 'C2', body: 'reply', internal: false },
      ],
      commentCount: 2,
    });
    expect(leak.map((v) => v.kind)).toEqual(['internal-comment-leak', 'comment-count']);
    const missing = model.checkTicket({ ...read(40, 45), ticketId: 'T1', ticket: { id: 'T1' }, comments: [], commentCount: 0 });
    expect(missing.map((v) => v.kind)).toEqual(['missing-comment', 'missing-comment', 'comment-count']);
    const fine = model.checkTicket({
      ...read(40, 45, CUSTOMER),
      ticketId: 'T1',
      ticket: { id: 'T1' },
      comments: [{ id: 'C2', body: 'reply', internal: false }],
      commentCount: 1,
    });
    expect(fine).toEqual([]);
  });

  it('reports a dashboard count outside what the writes allow', () => {
    const model = modelWithTicket();
    model.setDashboardBase('acme', { MEDIUM: 10, HIGH: 3 });
    model.record(write('T1', 20, 30, { priority: 'HIGH' }));
    const dashboard = (medium: number, high: number) => ({
      ...read(40, 45),
      kind: 'dashboard' as const,
      org: 'acme',
      openByPriority: { MEDIUM: medium, HIGH: high },
    });
    expect(model.checkDashboard(dashboard(10, 4))).toEqual([]);
    expect(model.checkDashboard(dashboard(11, 3)).map((v) => v.kind)).toEqual(['dashboard-count', 'dashboard-count']);
  });
});

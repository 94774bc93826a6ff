// The writes of the workload: createTicket (then addTags with the run's tag), updateTicket (staff: any
// field; customers: the title of their own tickets), bulkUpdateTickets and addComment (public and
// internal). Each holds the locks of the tickets it touches for as long as it runs, and records every
// attempt in the model: ok, or indeterminate when it failed.
import { OPERATIONS } from './documents.ts';
import type { TicketFields } from './history.ts';
import type { Random } from './random.ts';
import type { Session } from './sessions.ts';
import { dataAt } from './transport.ts';
import { chooseTransport, reachedServer, type World } from './world.ts';

const STATUSES = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED', 'CANCELLED'];
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
/** Comments per ticket stay under a page (100), so a detail read shows them all. */
const MAX_COMMENTS = 80;

let unique = 0;
const text = (world: World, what: string) => `${world.runTag} ${what} ${++unique}`;

/** Tickets of the organization a session may write: all for staff, their own for a customer. */
function writable(world: World, session: Session): string[] {
  const ids = world.model.ticketIds(session.org);
  return session.role === 'CUSTOMER' ? ids.filter((id) => world.model.latest(id, 'requester') === session.userId) : ids;
}

export async function createTicket(world: World, random: Random, org: string, session?: Session): Promise<string> {
  if (world.model.ticketIds(org).length >= world.maxTicketsPerOrg) return updateTicket(world, random, org);
  const author = session ?? random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT', 'CUSTOMER']));
  const input: Record<string, unknown> = { title: text(world, 'ticket'), body: 'filed by the consistency checker' };
  if (author.role !== 'CUSTOMER') {
    input.priority = random.pick(PRIORITIES);
    if (random.chance(0.5)) input.assigneeId = random.pick(world.staff.get(org)!);
    if (random.chance(0.6)) input.requesterId = random.pick(world.sessionsOf(org, ['CUSTOMER'])).userId;
  }
  const op = world.beginWrite();
  try {
    const result = await world.caller.call(random, OPERATIONS.createTicket, chooseTransport(random, false), { input }, author.token);
    world.stats.count('createTicket', result);
    const created = dataAt<RawTicket>(result.body, 'createTicket', 'ticket');
    for (const attempt of result.attempts.slice(0, result.ok ? -1 : undefined).filter(reachedServer)) {
      world.model.recordPhantom({ org, priority: (input.priority as string) ?? 'MEDIUM', start: attempt.start, end: attempt.end });
      world.stats.indeterminateWrites++;
    }
    if (!result.ok || !created) return 'createTicket';
    const fields: TicketFields = {
      exists: true,
      tagged: false,
      title: created.title,
      status: created.status,
      priority: created.priority,
      assignee: created.assignee?.id ?? null,
      requester: created.requester.id,
    };
    const last = result.attempts.at(-1)!;
    world.model.addTicket(org, {
      seq: world.nextWriteSeq(),
      op,
      kind: 'createTicket',
      ticketId: created.id,
      viewer: author.name,
      instance: last.instance,
      via: last.via,
      start: last.start,
      end: last.end,
      outcome: 'ok',
      set: fields,
    });
    // Taken before any await: no other write can reach the new ticket before it is tagged.
    const release = await world.locks.acquire([created.id]);
    try {
      const tagger = random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT']));
      const input = { ticketId: created.id, names: [world.runTag] };
      const tagged = await world.caller.call(random, OPERATIONS.addTags, chooseTransport(random, false), { input }, tagger.token);
      world.stats.count('addTags', tagged);
      for (const record of world.records(op, created.id, tagger, 'addTags', tagged, { tagged: true })) world.model.record(record);
    } finally {
      release();
    }
    return 'createTicket';
  } finally {
    world.endWrite(op);
  }
}

export async function updateTicket(world: World, random: Random, org: string): Promise<string> {
  const session = random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT', 'CUSTOMER']));
  const ids = writable(world, session);
  if (ids.length === 0) return createTicket(world, random, org, session);
  const ticketId = random.pick(ids);
  const set: Partial<TicketFields> = {};
  if (session.role === 'CUSTOMER' || random.chance(0.5)) set.title = text(world, 'title');
  if (session.role !== 'CUSTOMER') {
    if (random.chance(0.5)) set.status = random.pick(STATUSES);
    if (random.chance(0.3)) set.priority = random.pick(PRIORITIES);
    if (random.chance(0.3)) set.assignee = random.chance(0.25) ? null : random.pick(world.staff.get(org)!);
    if (Object.keys(set).length === 0) set.status = random.pick(STATUSES);
  }
  const input: Record<string, unknown> = { id: ticketId, ...set };
  if ('assignee' in set) {
    delete input.assignee;
    input.assigneeId = set.assignee;
  }
  const release = await world.locks.acquire([ticketId]);
  const op = world.beginWrite();
  try {
    const result = await world.caller.call(random, OPERATIONS.updateTicket, chooseTransport(random, false), { input }, session.token);
    world.stats.count('updateTicket', result);
    const answered = confirmed(world, set, dataAt<RawTicket>(result.body, 'updateTicket', 'ticket'));
    for (const record of world.records(op, ticketId, session, 'updateTicket', result, answered)) world.model.record(record);
  } finally {
    release();
    world.endWrite(op);
  }
  return 'updateTicket';
}

export async function bulkUpdateTickets(world: World, random: Random, org: string): Promise<string> {
  const session = random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT']));
  const ids = random.sample(world.model.ticketIds(org), 2 + random.int(3));
  if (ids.length === 0) return createTicket(world, random, org, session);
  const set: Partial<TicketFields> = {};
  if (random.chance(0.6)) set.status = random.pick(STATUSES);
  if (random.chance(0.4)) set.priority = random.pick(PRIORITIES);
  if (random.chance(0.3) || Object.keys(set).length === 0) set.assignee = random.chance(0.25) ? null : random.pick(world.staff.get(org)!);
  const input: Record<string, unknown> = { ids, status: set.status, priority: set.priority };
  if ('assignee' in set) input.assigneeId = set.assignee;
  const release = await world.locks.acquire(ids);
  const op = world.beginWrite();
  try {
    const result = await world.caller.call(random, OPERATIONS.bulkUpdateTickets, chooseTransport(random, false), { input }, session.token);
    world.stats.count('bulkUpdateTickets', result);
    const tickets = dataAt<RawTicket[]>(result.body, 'bulkUpdateTickets', 'tickets') ?? [];
    for (const id of ids) {
      const answered = confirmed(
        world,
        set,
        tickets.find((t) => t.id === id),
      );
      for (const record of world.records(op, id, session, 'bulkUpdateTickets', result, answered)) world.model.record(record);
    }
  } finally {
    release();
    world.endWrite(op);
  }
  return 'bulkUpdateTickets';
}

export async function addComment(world: World, random: Random, org: string): Promise<string> {
  const session = random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT', 'CUSTOMER']));
  const ids = writable(world, session).filter((id) => world.model.commentCount(id) < MAX_COMMENTS);
  if (ids.length === 0) return updateTicket(world, random, org);
  const ticketId = random.pick(ids);
  const internal = session.role !== 'CUSTOMER' && random.chance(0.4);
  const comment = { body: text(world, internal ? 'internal note' : 'reply'), internal };
  const release = await world.locks.acquire([ticketId]);
  const op = world.beginWrite();
  try {
    const input = { ticketId, ...comment };
    const result = await world.caller.call(random, OPERATIONS.addComment, chooseTransport(random, false), { input }, session.token);
    world.stats.count(internal ? 'addComment (internal)' : 'addComment (public)', result);
    for (const record of world.records(op, ticketId, session, 'addComment', result, {}, comment)) world.model.record(record);
  } finally {
    release();
    world.endWrite(op);
  }
  return 'addComment';
}

/**
 * What an acknowledged write set, as its answer says (the model's truth); a difference from what was
 * asked is noted in the report, since it would mean the server applied another change than the one sent.
 */
function confirmed(world: World, set: Partial<TicketFields>, ticket: RawTicket | undefined): Partial<TicketFields> {
  if (!ticket) return set;
  const answered: Partial<TicketFields> = { ...set };
  const values: Partial<TicketFields> = {
    title: ticket.title,
    status: ticket.status,
    priority: ticket.priority,
    assignee: ticket.assignee?.id ?? null,
  };
  for (const key of Object.keys(set) as (keyof TicketFields)[]) {
    if (values[key] === set[key]) continue;
    world.stats.notes.push(
      `ticket ${ticket.id}: asked ${key} = ${JSON.stringify(set[key])}, the answer says ${JSON.stringify(values[key])}`,
    );
    (answered as Record<string, unknown>)[key] = values[key];
  }
  return answered;
}

export interface RawTicket {
  id: string;
  title: string;
  status: string;
  priority: string;
  assignee: { id: string } | null;
  requester: { id: string };
  tags: { name: string }[];
}

// Which cached lists a write evicts (server/CACHE.md, "Ticket lists"): through the real server and
// cache, a set of cached queries is warmed, one write is made, and the test asserts exactly which of
// them miss afterwards. Every entry still served from the cache is compared with a fresh execution of
// the same query (another document text, so another cache key): a survivor is never stale.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../schema/global-id.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from './harness.ts';

type Who = 'agent' | 'customer' | 'globex';
interface Probe {
  query: string;
  who: Who;
}

const page = 'totalCount edges { node { id } }';
const list = (args: string, who: Who = 'agent'): Probe => ({ query: `{ tickets(first: 1, ${args}) { ${page} } }`, who });

describe('list eviction sets', () => {
  let server: TestServer;
  const tokens = {} as Record<Who, string>;
  let subject: number; // the ticket the writes change: old, so on no first page sorted by createdAt
  let subjectId: string;
  let agentA: string;
  let agentB: string;
  let probes: Record<string, Probe>;

  async function ok(query: string, variables: Record<string, unknown>, who: Who): Promise<GraphQLResponse> {
    const response = await server.gql(query, variables, tokens[who]);
    expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
    return response;
  }

  /** Warms every probe, makes the write, and returns the probes that missed after it (sorted). */
  async function evictedBy(write: () => Promise<unknown>): Promise<string[]> {
    for (const [name, probe] of Object.entries(probes)) {
      await ok(probe.query, {}, probe.who);
      expect((await ok(probe.query, {}, probe.who)).body.extensions?.responseCache?.hit, `${name} is warm`).toBe(true);
    }
    await write();
    const evicted: string[] = [];
    for (const [name, probe] of Object.entries(probes)) {
      const cached = await ok(probe.query, {}, probe.who);
      if (cached.body.extensions?.responseCache?.hit !== true) evicted.push(name);
      const fresh = await ok(`${probe.query}\n# fresh ${randomBytes(4).toString('hex')}`, {}, probe.who);
      expect(fresh.body.extensions?.responseCache?.hit, 'the fresh read executes').toBe(false);
      expect(cached.body.data, `${name} answers what a fresh execution answers`).toEqual(fresh.body.data);
    }
    return evicted.sort();
  }

  const update = (input: string) => () =>
    ok(`mutation ($id: ID!) { updateTicket(input: { id: $id, ${input} }) { ticket { id } } }`, { id: subjectId }, 'agent');

  beforeAll(async () => {
    server = await startTestServer();
    for (const [who, email] of [
      ['agent', 'agent@acme.test'],
      ['customer', 'customer@acme.test'],
      ['globex', 'agent@globex.test'],
    ] as const) {
      tokens[who] = await server.login(email);
    }
    const prisma = server.database.prisma;
    const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: 'acme' } });
    const [a, b] = await Promise.all(
      ['agent@acme.test', 'admin@acme.test'].map((email) => prisma.user.findUniqueOrThrow({ where: { email } })),
    );
    agentA = encodeGlobalId('User', a!.id);
    agentB = encodeGlobalId('User', b!.id);
    const ticket = await prisma.ticket.findFirstOrThrow({
      where: { organizationId: acme.id, requester: { email: { not: 'customer@acme.test' } } },
      orderBy: { id: 'asc' },
    });
    subject = ticket.id;
    subjectId = encodeGlobalId('Ticket', subject);
    // Before the server has cached anything: a known starting state, older than every other ticket.
    const old = new Date('2000-01-01T00:00:00Z');
    await prisma.ticketTag.deleteMany({ where: { ticketId: subject } });
    await prisma.ticket.update({
      where: { id: subject },
      data: { status: 'OPEN', priority: 'MEDIUM', assigneeId: a!.id, title: 'Eviction subject', createdAt: old, updatedAt: old },
    });
    const requester = encodeGlobalId('User', ticket.requesterId);

    probes = {
      open: list('filter: { status: [OPEN] }'),
      pending: list('filter: { status: [PENDING] }'),
      resolved: list('filter: { status: [RESOLVED] }'),
      urgent: list('filter: { priority: [URGENT] }'),
      // Indexed by its two priorities, not by `all`: a ticket created at another priority leaves it be.
      urgentOrHigh: list('filter: { priority: [URGENT, HIGH] }'),
      low: list('filter: { priority: [LOW] }'),
      all: list(''),
      byPriority: list('orderBy: { field: PRIORITY, direction: DESC }'),
      byUpdated: list('orderBy: { field: UPDATED_AT, direction: DESC }'),
      closedByUpdated: list('filter: { status: [CLOSED] }, orderBy: { field: UPDATED_AT, direction: DESC }'),
      assignedA: list(`filter: { assigneeId: "${agentA}" }`),
      assignedB: list(`filter: { assigneeId: "${agentB}" }`),
      unassigned: list('filter: { unassigned: true }'),
      assigned: list('filter: { unassigned: false }'),
      tagged: list('filter: { tag: "eviction-test" }'),
      search: list('filter: { search: "zebra" }'),
      // Shows the subject (all its requester's tickets), with its comment count only: evicted by touches
      // and by what changes its members, not by a status or a title (schema/ticket/ticket.ts, field groups).
      showsSubject: {
        query: `{ tickets(first: 100, filter: { requesterId: "${requester}" }) { totalCount edges { node { id commentCount } } } }`,
        who: 'agent',
      },
      userA: {
        query: `{ node(id: "${agentA}") { ... on User { assignedTickets(first: 1, status: [OPEN, PENDING]) { ${page} } } } }`,
        who: 'agent',
      },
      dashboard: { query: '{ dashboardStats { byStatus { status count } byPriority { priority count } } }', who: 'agent' },
      // The dashboard's other figures, one probe each: a write evicts only those it moves (schema/dashboard-tags.ts).
      openByAssignee: { query: '{ dashboardStats { openByAssignee { assignee { id } count } } }', who: 'agent' },
      openByAge: { query: '{ dashboardStats { openByAge { age count } } }', who: 'agent' },
      openByPriority: { query: '{ dashboardStats { openByPriority { priority count } } }', who: 'agent' },
      perDay: { query: '{ dashboardStats { ticketsPerDay(days: 2) { date created resolved } } }', who: 'agent' },
      firstResponse: { query: '{ dashboardStats { firstResponse { responded awaiting } } }', who: 'agent' },
      detail: { query: `{ ticket(id: "${subjectId}") { id title status priority commentCount } }`, who: 'agent' },
      // Without the comment count (a touch leaves it), with the assignee (not in detail): each write evicts
      // the one of the two that shows a field it changed.
      detailCore: { query: `{ ticket(id: "${subjectId}") { id title status priority assignee { id } } }`, who: 'agent' },
      mine: list('', 'customer'),
      globex: list('', 'globex'),
    };
  });
  afterAll(() => server?.close());

  // The steps build on each other: each starts from the state the one before left.
  it('status OPEN → PENDING: the lists of both statuses, the updatedAt order, counts; not a list it stays in', async () => {
    expect(await evictedBy(update('status: PENDING'))).toEqual(['byUpdated', 'dashboard', 'detail', 'detailCore', 'open', 'pending']);
  });

  it('assignee A → B: both assignees’ lists (userA: the ticket leaves it), not the unassigned ones; of the dashboard, the open tickets per assignee', async () => {
    expect(await evictedBy(update(`assigneeId: "${agentB}"`))).toEqual([
      'assignedA',
      'assignedB',
      'byUpdated',
      'detailCore',
      'openByAssignee',
      'userA',
    ]);
  });

  it('assignee B → none: the lists of B, of unassigned and of assigned tickets', async () => {
    expect(await evictedBy(update('assigneeId: null'))).toEqual([
      'assigned',
      'assignedB',
      'byUpdated',
      'detailCore',
      'openByAssignee',
      'unassigned',
    ]);
  });

  it('priority MEDIUM → URGENT: the URGENT list and the priority order, not the LOW list; the counts by priority', async () => {
    expect(await evictedBy(update('priority: URGENT'))).toEqual([
      'byPriority',
      'byUpdated',
      'dashboard',
      'detail',
      'detailCore',
      'openByPriority',
      'urgent',
      'urgentOrHigh',
    ]);
  });

  it('setting what is already set (status, priority, no assignee): nothing is written, nothing evicted', async () => {
    const updatedAt = async () => (await server.database.prisma.ticket.findUniqueOrThrow({ where: { id: subject } })).updatedAt;
    const before = await updatedAt();
    expect(await evictedBy(update('status: PENDING, priority: URGENT, assigneeId: null'))).toEqual([]);
    expect(await updatedAt()).toEqual(before);
    // One value that differs is a write again.
    expect(await evictedBy(update('status: PENDING, priority: HIGH'))).toContain('urgent');
    await update('priority: URGENT')();
  });

  it('a tag put on: the lists filtered by that tag; counts stay', async () => {
    const write = () =>
      ok(
        `mutation ($id: ID!) { addTags(input: { ticketId: $id, names: ["eviction-test"] }) { ticket { id } } }`,
        { id: subjectId },
        'agent',
      );
    expect(await evictedBy(write)).toEqual(['byUpdated', 'detail', 'showsSubject', 'tagged']);
  });

  it('a staff reply: where the ticket is shown (comment count), the updatedAt order and the dashboard’s first response, nothing else', async () => {
    const write = () =>
      ok(`mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "counted" }) { comment { id } } }`, { id: subjectId }, 'agent');
    // `tagged` shows the ticket from now on, but only its id: a comment is a touch (schema/cache-tags.ts,
    // touchTag), which evicts only what reads the comments, the tags or updatedAt; so does detailCore.
    expect(await evictedBy(write)).toEqual(['byUpdated', 'detail', 'firstResponse', 'showsSubject']);
  });

  it('an internal note: the same without the dashboard (a note is never a first response)', async () => {
    const write = () =>
      ok(
        `mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "note", internal: true }) { comment { id } } }`,
        { id: subjectId },
        'agent',
      );
    expect(await evictedBy(write)).toEqual(['byUpdated', 'detail', 'showsSubject']);
  });

  it('a title change: the title searches, and what shows the title', async () => {
    // `tagged` shows the ticket, but only its id: it stays.
    expect(await evictedBy(update('title: "Zebra crossing"'))).toEqual(['byUpdated', 'detail', 'detailCore', 'search']);
  });

  it('a created ticket: every list it can join (searches and unassigned: false at any creation), every figure of the dashboard, no other', async () => {
    const write = () => ok(`mutation { createTicket(input: { title: "Printer on fire", body: "" }) { ticket { id } } }`, {}, 'customer');
    expect(await evictedBy(write)).toEqual([
      'all',
      'assigned',
      'byPriority',
      'byUpdated',
      'dashboard',
      'firstResponse',
      'mine',
      'open',
      'openByAge',
      'openByAssignee',
      'openByPriority',
      'perDay',
      'search',
      'unassigned',
    ]);
  });

  it('bulkUpdateTickets: by each ticket’s own old value', async () => {
    const write = () =>
      ok(
        `mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: RESOLVED }) { tickets { id } } }`,
        { ids: [subjectId] },
        'agent',
      );
    // search and tagged show the ticket now, but only its id: they stay. userA is not needed (the ticket is no longer A's), but
    // conditions are tagged one by one, not combined: a status leaving PENDING evicts every list of PENDING.
    // The ticket leaves the open ones and is resolved today: the open figures and the daily series go too.
    expect(await evictedBy(write)).toEqual([
      'byUpdated',
      'dashboard',
      'detail',
      'detailCore',
      'openByAge',
      'openByAssignee',
      'openByPriority',
      'pending',
      'perDay',
      'resolved',
      'userA',
    ]);
  });

  it('a customer’s ticket changing where their list does not show it: their list stays', async () => {
    const prisma = server.database.prisma;
    const theirs = await prisma.ticket.findFirstOrThrow({
      where: { requester: { email: 'customer@acme.test' } },
      orderBy: { createdAt: 'asc' },
    });
    const status = theirs.status === 'CLOSED' ? 'OPEN' : 'CLOSED';
    const write = () =>
      ok(
        `mutation ($id: ID!) { updateTicket(input: { id: $id, status: ${status} }) { ticket { id } } }`,
        { id: encodeGlobalId('Ticket', theirs.id) },
        'agent',
      );
    const evicted = await evictedBy(write);
    expect(evicted).not.toContain('mine');
    expect(evicted).toContain('byUpdated');
    expect(evicted).toContain('dashboard');
  });
});

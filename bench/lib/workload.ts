// The request mix of bench:cache: 90 % reads of a few hot queries, skewed over users and tickets,
// 10 % mutations by agents. Everything is decided before the load starts (prebuilt bodies, cumulative
// weights), so picking a request costs one random number and a binary search.

export const PASSWORD = 'deskgraph';

/** The seeded accounts the mix signs in as, and their share of the traffic. */
export const ACCOUNTS = [
  { email: 'agent@acme.test', share: 0.3 },
  { email: 'admin@acme.test', share: 0.15 },
  { email: 'customer@acme.test', share: 0.15 },
  { email: 'agent@globex.test', share: 0.25 },
  { email: 'customer@globex.test', share: 0.15 },
] as const;

export const READ_SHARE = 0.9;

/** The hottest read of the mix; also the repeated query of cache-fast-path. */
export const TICKET_LIST = `query OpenTickets {
  tickets(first: 25, filter: { status: [OPEN, IN_PROGRESS] }) {
    totalCount
    edges { node { id number title status priority requester { name } assignee { name } tags { name } commentCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const URGENT_TICKETS = `query UrgentTickets {
  tickets(first: 10, filter: { priority: [URGENT, HIGH], status: [OPEN, IN_PROGRESS, PENDING] }, orderBy: { field: PRIORITY, direction: DESC }) {
    totalCount
    edges { node { id number title priority status assignee { name } updatedAt } }
  }
}`;

const MY_TICKETS = `query MyTickets {
  tickets(first: 10) {
    totalCount
    edges { node { id number title status updatedAt commentCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const DASHBOARD = `query Dashboard {
  dashboardStats {
    byStatus { status count }
    byPriority { priority count }
    openByAssignee { assignee { name } count }
  }
}`;

const TICKET_DETAIL = `query TicketDetail($id: ID!) {
  ticket(id: $id) {
    id number title body status priority createdAt updatedAt
    requester { id name } assignee { id name } tags { name } commentCount
    comments(first: 20) { edges { node { id body internal createdAt author { name } } } pageInfo { hasNextPage endCursor } }
  }
}`;

const VIEWER = `query Viewer { viewer { id name role } }`;
const TAGS = `query Tags { tags { id name } }`;
const PEOPLE = `query People {
  users(first: 20) { edges { node { id name role } } pageInfo { hasNextPage endCursor } }
}`;

/**
 * The read operations of the mix by operation name: what the web client sends, and what
 * bench:persisted puts in its manifest. `staff` / `customer`: who reads them in the mix (agents and
 * admins, customers); TicketDetail takes `{ id }`.
 */
export const READ_OPERATIONS: Record<string, { document: string; staff: boolean; customer: boolean }> = {
  OpenTickets: { document: TICKET_LIST, staff: true, customer: false },
  TicketDetail: { document: TICKET_DETAIL, staff: true, customer: true },
  Dashboard: { document: DASHBOARD, staff: true, customer: false },
  UrgentTickets: { document: URGENT_TICKETS, staff: true, customer: false },
  MyTickets: { document: MY_TICKETS, staff: false, customer: true },
  Viewer: { document: VIEWER, staff: true, customer: true },
  Tags: { document: TAGS, staff: true, customer: true },
  People: { document: PEOPLE, staff: true, customer: true },
};

/** The sign-in of the mix (prepareSessions), also what bench:persisted sends by hash. */
export const LOGIN = `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token user { role organization { slug } } } }`;

const UPDATE_STATUS = `mutation SetStatus($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id status updatedAt } } }`;
const UPDATE_PRIORITY = `mutation SetPriority($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id priority updatedAt } } }`;
const ADD_COMMENT = `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { comment { id } ticket { id commentCount updatedAt } } }`;
const CREATE_TICKET = `mutation CreateTicket($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }`;

export interface Session {
  email: string;
  token: string;
  role: 'ADMIN' | 'AGENT' | 'CUSTOMER';
  organization: string;
  /** Hot tickets for the detail query: the first open ones (staff) or their own (customers). */
  hotTickets: string[];
  /** Tickets agents write to besides the hot ones. */
  otherTickets: string[];
}

export async function graphql(url: string, query: string, variables: Record<string, unknown> | null, token: string | null, operationName?: string): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const body = (await response.json()) as { data?: any; errors?: { message: string }[] };
  if (!response.ok || body.errors?.length) {
    throw new Error(`${operationName ?? 'request'} failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

/** Signs in as every account of the mix and finds the tickets it will read and write. */
export async function prepareSessions(url: string): Promise<Session[]> {
  return Promise.all(
    ACCOUNTS.map(async ({ email }) => {
      const login = await graphql(
        url,
        LOGIN,
        { email, password: PASSWORD },
        null,
        'Login',
      );
      const token = login.login.token as string;
      const role = login.login.user.role as Session['role'];
      const staff = role !== 'CUSTOMER';
      const list = await graphql(
        url,
        staff
          ? `query Discover { tickets(first: 40, filter: { status: [OPEN, IN_PROGRESS] }) { edges { node { id } } } }`
          : `query Discover { tickets(first: 10) { edges { node { id } } } }`,
        null,
        token,
        'Discover',
      );
      const ids = (list.tickets.edges as { node: { id: string } }[]).map((e) => e.node.id);
      const hot = ids.slice(0, staff ? 5 : 3);
      if (hot.length === 0) throw new Error(`${email} sees no tickets: is the database seeded?`);
      return { email, token, role, organization: login.login.user.organization.slug as string, hotTickets: hot, otherTickets: ids.slice(hot.length) };
    }),
  );
}

export type OpKind = 'read' | 'write';

interface Entry {
  op: string;
  kind: OpKind;
  headers: Record<string, string>;
  /** A prebuilt body, or a function making a fresh one (mutations). */
  body: string | (() => string);
  weight: number;
}

export interface Mix {
  entries: Entry[];
  cumulative: Float64Array;
  totalWeight: number;
  /** Share of each operation in the mix, for the report. */
  shares: Record<string, number>;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

export function requestBody(query: string, operationName: string, variables: Record<string, unknown> | null = null): string {
  return JSON.stringify({ query, variables, operationName });
}

/** Weights 1, 1/2, 1/3, … normalised: a few items get most of the traffic. */
function zipf(n: number): number[] {
  const raw = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

export function buildMix(sessions: Session[]): Mix {
  const entries: Entry[] = [];
  const headersOf = (s: Session) => ({ 'content-type': 'application/json', authorization: `Bearer ${s.token}` });

  for (const session of sessions) {
    const share = ACCOUNTS.find((a) => a.email === session.email)!.share;
    const headers = headersOf(session);
    const staff = session.role !== 'CUSTOMER';
    // Per-user read mix (relative weights).
    const reads: [string, string, number][] = staff
      ? [
          ['OpenTickets', TICKET_LIST, 30],
          ['Dashboard', DASHBOARD, 15],
          ['UrgentTickets', URGENT_TICKETS, 8],
          ['Viewer', VIEWER, 8],
          ['Tags', TAGS, 7],
          ['People', PEOPLE, 7],
        ]
      : [
          ['MyTickets', MY_TICKETS, 35],
          ['Viewer', VIEWER, 15],
          ['Tags', TAGS, 10],
          ['People', PEOPLE, 10],
        ];
    const detailWeight = staff ? 25 : 30;
    const sum = reads.reduce((a, r) => a + r[2], 0) + detailWeight;
    for (const [op, query, w] of reads) {
      entries.push({ op, kind: 'read', headers, body: requestBody(query, op), weight: READ_SHARE * share * (w / sum) });
    }
    const hot = zipf(session.hotTickets.length);
    session.hotTickets.forEach((id, i) => {
      entries.push({
        op: 'TicketDetail',
        kind: 'read',
        headers,
        body: requestBody(TICKET_DETAIL, 'TicketDetail', { id }),
        weight: READ_SHARE * share * (detailWeight / sum) * hot[i]!,
      });
    });
  }

  // Writes: agents only, half on the hot tickets (the ones everybody reads), half elsewhere.
  const agents = sessions.filter((s) => s.role === 'AGENT');
  const agentShare = agents.reduce((a, s) => a + ACCOUNTS.find((x) => x.email === s.email)!.share, 0);
  for (const agent of agents) {
    const share = ACCOUNTS.find((a) => a.email === agent.email)!.share / agentShare;
    const headers = headersOf(agent);
    const target = () => (Math.random() < 0.5 || agent.otherTickets.length === 0 ? pick(agent.hotTickets) : pick(agent.otherTickets));
    const writes: [string, () => string, number][] = [
      ['SetStatus', () => requestBody(UPDATE_STATUS, 'SetStatus', { input: { id: target(), status: pick(['OPEN', 'IN_PROGRESS', 'PENDING']) } }), 40],
      ['SetPriority', () => requestBody(UPDATE_PRIORITY, 'SetPriority', { input: { id: target(), priority: pick(['LOW', 'MEDIUM', 'HIGH', 'URGENT']) } }), 30],
      [
        'AddComment',
        () => requestBody(ADD_COMMENT, 'AddComment', { input: { ticketId: target(), body: `Benchmark note ${Math.random().toString(36).slice(2, 10)}`, internal: Math.random() < 0.3 } }),
        25,
      ],
      [
        'CreateTicket',
        () => requestBody(CREATE_TICKET, 'CreateTicket', { input: { title: `Benchmark ticket ${Math.random().toString(36).slice(2, 8)}`, body: 'Filed by bench/cache-mix.ts.' } }),
        5,
      ],
    ];
    const sum = writes.reduce((a, w) => a + w[2], 0);
    for (const [op, body, w] of writes) entries.push({ op, kind: 'write', headers, body, weight: (1 - READ_SHARE) * share * (w / sum) });
  }

  const cumulative = new Float64Array(entries.length);
  let running = 0;
  entries.forEach((e, i) => (cumulative[i] = running += e.weight));
  const shares: Record<string, number> = {};
  for (const e of entries) shares[e.op] = (shares[e.op] ?? 0) + e.weight / running;
  return { entries, cumulative, totalWeight: running, shares };
}

export function pickEntry(mix: Mix): Entry {
  const x = Math.random() * mix.totalWeight;
  let lo = 0;
  let hi = mix.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (mix.cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return mix.entries[lo]!;
}

export interface OpStats {
  kind: OpKind;
  responses: number;
  non2xx: number;
  graphqlErrors: number;
  /** The first few error bodies, to show what went wrong. */
  samples: string[];
}

export type Stats = Record<string, OpStats>;

/**
 * Checks one response: non-2xx, or a GraphQL `errors` array (looked for as text first, parsed only when
 * it may be there, so the load generator stays cheap).
 */
export function recordResponse(stats: Stats, op: string, kind: OpKind, status: number, body: string): void {
  const s = (stats[op] ??= { kind, responses: 0, non2xx: 0, graphqlErrors: 0, samples: [] });
  s.responses += 1;
  let bad = false;
  if (status < 200 || status >= 300) {
    s.non2xx += 1;
    bad = true;
  }
  if (body.includes('"errors"')) {
    try {
      const parsed = JSON.parse(body) as { errors?: unknown[] };
      if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
        s.graphqlErrors += 1;
        bad = true;
      }
    } catch {
      s.graphqlErrors += 1;
      bad = true;
    }
  } else if (!body.startsWith('{"data":{')) {
    // Every answer of this mix has data; anything else is a failure too.
    s.graphqlErrors += 1;
    bad = true;
  }
  if (bad && s.samples.length < 3) s.samples.push(`HTTP ${status}: ${body.slice(0, 300)}`);
}

export function sumStats(stats: Stats): { responses: number; non2xx: number; graphqlErrors: number; reads: number; writes: number } {
  let responses = 0;
  let non2xx = 0;
  let graphqlErrors = 0;
  let reads = 0;
  let writes = 0;
  for (const s of Object.values(stats)) {
    responses += s.responses;
    non2xx += s.non2xx;
    graphqlErrors += s.graphqlErrors;
    if (s.kind === 'read') reads += s.responses;
    else writes += s.responses;
  }
  return { responses, non2xx, graphqlErrors, reads, writes };
}

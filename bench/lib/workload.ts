// The request mix of bench:cache: 90 % reads of a few hot queries, skewed over users and tickets,
// 10 % mutations by agents. Everything is decided before the load starts (prebuilt bodies, cumulative
// weights), so picking a request costs one random number and a binary search.
import {
  ACCOUNTS,
  ADD_COMMENT,
  CREATE_TICKET,
  DASHBOARD,
  MY_TICKETS,
  PEOPLE,
  TAGS,
  TICKET_DETAIL,
  TICKET_LIST,
  UPDATE_PRIORITY,
  UPDATE_STATUS,
  URGENT_TICKETS,
  VIEWER,
} from './operations.ts';
import type { OpKind } from './response-stats.ts';
import type { Session } from './sessions.ts';

export const READ_SHARE = 0.9;

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
      [
        'SetStatus',
        () => requestBody(UPDATE_STATUS, 'SetStatus', { input: { id: target(), status: pick(['OPEN', 'IN_PROGRESS', 'PENDING']) } }),
        40,
      ],
      [
        'SetPriority',
        () => requestBody(UPDATE_PRIORITY, 'SetPriority', { input: { id: target(), priority: pick(['LOW', 'MEDIUM', 'HIGH', 'URGENT']) } }),
        30,
      ],
      [
        'AddComment',
        () =>
          requestBody(ADD_COMMENT, 'AddComment', {
            input: { ticketId: target(), body: `Benchmark note ${Math.random().toString(36).slice(2, 10)}`, internal: Math.random() < 0.3 },
          }),
        25,
      ],
      [
        'CreateTicket',
        () =>
          requestBody(CREATE_TICKET, 'CreateTicket', {
            input: { title: `Benchmark ticket ${Math.random().toString(36).slice(2, 8)}`, body: 'Filed by bench/cache-mix.ts.' },
          }),
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

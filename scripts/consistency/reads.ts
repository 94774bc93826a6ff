// The reads of the workload: a ticket (`ticket` with its comments, or `node`), a list of the run's
// tickets with a filter (status, assignee, unassigned, or none) and its totalCount, and the dashboard.
// Each is queued to be judged by the model once every write that could have shown in it has ended.
import { OPERATIONS } from './documents.ts';
import type { ListFilter, ObservedComment, ObservedTicket, ReadContext, Transport } from './history.ts';
import type { Random } from './random.ts';
import type { CallResult, Session } from './sessions.ts';
import { dataAt, type Target } from './transport.ts';
import { chooseTransport, type World } from './world.ts';
import type { RawTicket } from './writes.ts';

const STATUSES = ['OPEN', 'IN_PROGRESS', 'PENDING', 'RESOLVED', 'CLOSED', 'CANCELLED'];

function observe(world: World, raw: RawTicket): ObservedTicket {
  return {
    id: raw.id,
    title: raw.title,
    status: raw.status,
    priority: raw.priority,
    assignee: raw.assignee?.id ?? null,
    tagged: raw.tags.some((tag) => tag.name === world.runTag),
  };
}

/** Who may read a ticket: its organization's staff, and its requester. */
function readersOf(world: World, org: string, ticketId: string): Session[] {
  const requester = world.model.latest(ticketId, 'requester');
  return world.sessionsOf(org, ['ADMIN', 'AGENT', 'CUSTOMER']).filter((s) => s.role !== 'CUSTOMER' || s.userId === requester);
}

export async function readTicket(world: World, random: Random, org: string, options: ReadOptions = {}): Promise<string> {
  const ids = world.model.ticketIds(org);
  if (ids.length === 0) return 'ticket';
  const ticketId = options.ticketId ?? random.pick(ids);
  const session = options.session ?? random.pick(readersOf(world, org, ticketId));
  const byNode = options.byNode ?? random.chance(0.25);
  const operation = byNode ? OPERATIONS.node : OPERATIONS.ticket;
  const kind = byNode ? 'node' : 'ticket';
  const result = await world.caller.call(
    random,
    operation,
    options.via ?? chooseTransport(random, true),
    { id: ticketId },
    session.token,
    options.target,
  );
  world.stats.count(kind, result);
  const raw = dataAt<RawTicket & RawDetail>(result.body, byNode ? 'node' : 'ticket') ?? null;
  const notFound = result.body?.errors?.[0]?.extensions?.code === 'NOT_FOUND';
  if (!result.ok && !notFound) return failed(world, kind);
  const context = world.context(kind, session, result, options.phase);
  const comments: ObservedComment[] | undefined = raw?.comments?.edges.map((e) => e.node);
  world.judge(context.end, () =>
    world.model.checkTicket({
      ...context,
      ticketId,
      ticket: raw ? observe(world, raw) : null,
      ...(comments ? { comments, commentCount: raw!.commentCount } : {}),
    }),
  );
  return kind;
}

export async function readList(world: World, random: Random, org: string, options: ReadOptions = {}): Promise<string> {
  const session = options.session ?? random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT', 'CUSTOMER']));
  const filter: ListFilter = options.filter ?? chooseFilter(world, random, org, session);
  const variables = {
    first: 100,
    filter: {
      tag: world.runTag,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.assignee === null ? { unassigned: true } : filter.assignee ? { assigneeId: filter.assignee } : {}),
    },
  };
  const result = await world.caller.call(
    random,
    OPERATIONS.list,
    options.via ?? chooseTransport(random, true),
    variables,
    session.token,
    options.target,
  );
  world.stats.count('list', result);
  const connection = dataAt<{ totalCount: number; edges: { node: RawTicket }[] }>(result.body, 'tickets');
  if (!result.ok || !connection) return failed(world, 'list');
  const context = world.context('list', session, result, options.phase);
  const nodes = connection.edges.map((edge) => observe(world, edge.node));
  world.judge(context.end, () => world.model.checkList({ ...context, org, filter, totalCount: connection.totalCount, nodes }));
  return 'list';
}

function chooseFilter(world: World, random: Random, org: string, session: Session): ListFilter {
  const kind = random.weighted([
    ['none', 2],
    ['status', 4],
    ['assignee', session.role === 'CUSTOMER' ? 0 : 2],
    ['unassigned', session.role === 'CUSTOMER' ? 0 : 1],
  ] as const);
  if (kind === 'status') return { status: random.sample(STATUSES, 1 + random.int(3)) };
  if (kind === 'assignee') return { assignee: random.pick(world.staff.get(org)!) };
  if (kind === 'unassigned') return { assignee: null };
  return {};
}

export async function readDashboard(world: World, random: Random, org: string, options: ReadOptions = {}): Promise<string> {
  const session = options.session ?? random.pick(world.sessionsOf(org, ['ADMIN', 'AGENT']));
  const result = await world.caller.call(
    random,
    OPERATIONS.dashboard,
    options.via ?? chooseTransport(random, true),
    { days: 30 },
    session.token,
  );
  world.stats.count('dashboard', result);
  const stats = dataAt<{ openByPriority: { priority: string; count: number }[] }>(result.body, 'dashboardStats');
  if (!result.ok || !stats) return failed(world, 'dashboard');
  const context = world.context('dashboard', session, result, options.phase);
  const openByPriority = Object.fromEntries(stats.openByPriority.map((p) => [p.priority, p.count]));
  world.judge(context.end, () => world.model.checkDashboard({ ...context, org, openByPriority }));
  return 'dashboard';
}

/** Open tickets per priority now, read before the run creates any: the dashboard's baseline. */
export async function dashboardBaseline(world: World, random: Random, org: string): Promise<Record<string, number>> {
  const session = world.sessionsOf(org, ['ADMIN', 'AGENT'])[0]!;
  const result: CallResult = await world.caller.call(random, OPERATIONS.dashboard, 'plain-post', { days: 30 }, session.token);
  const stats = dataAt<{ openByPriority: { priority: string; count: number }[] }>(result.body, 'dashboardStats');
  if (!stats) throw new Error(`could not read ${org}'s dashboard: ${result.attempts.at(-1)?.error}`);
  return Object.fromEntries(stats.openByPriority.map((p) => [p.priority, p.count]));
}

function failed(world: World, kind: string): string {
  world.stats.readFailures++;
  return kind;
}

export interface ReadOptions {
  session?: Session;
  ticketId?: string;
  byNode?: boolean;
  filter?: ListFilter;
  via?: Transport;
  phase?: ReadContext['phase'];
  target?: Target;
}

interface RawDetail {
  commentCount: number;
  comments?: { edges: { node: ObservedComment }[] };
}

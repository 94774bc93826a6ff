// Graphcache's configuration in one place: schema awareness, keys, pagination, what each mutation does
// to the lists on screen, and the optimistic answers that make changes appear before the server replies.
// Components never touch the cache; they run operations and this module keeps every view consistent.
import type { CacheExchangeOpts, Cache, Data } from '@urql/exchange-graphcache';
import type { IntrospectionQuery } from 'graphql';
import introspection from '../gql/introspection.json' with { type: 'json' };
import { TicketListQuery, TicketRowFragment, ViewerQuery } from '../fragments.ts';
import type {
  AddCommentMutationVariables,
  BulkUpdateTicketsMutationVariables,
  CommentItemFragment as CommentItem,
  TicketListQuery as TicketListData,
  TicketListQueryVariables,
  TicketRowFragment as TicketRow,
  UpdateTicketMutationVariables,
} from '../gql/graphql.ts';
import { forwardPagination } from './pagination.ts';
import { appendComment, placeTicket, removeComment } from './ticket-lists.ts';

const schema = introspection as unknown as IntrospectionQuery;

/** Every object type without an `id` (connections, edges, payloads, counts) is embedded in its parent. */
function embeddedTypes(): Record<string, () => null> {
  const keys: Record<string, () => null> = {};
  for (const type of schema.__schema.types) {
    if (type.kind !== 'OBJECT' || type.name.startsWith('__')) continue;
    if (!type.fields?.some((field) => field.name === 'id')) keys[type.name] = () => null;
  }
  return keys;
}

const ticketOf = (cache: Cache, id: string): TicketRow | null =>
  cache.readFragment(TicketRowFragment, { __typename: 'Ticket', id }) as TicketRow | null;

function userRef(cache: Cache, id: string | null | undefined) {
  if (!id) return null;
  const name = cache.resolve({ __typename: 'User', id }, 'name');
  return { __typename: 'User' as const, id, name: typeof name === 'string' ? name : '…' };
}

// What a ticket looked like before a change still in flight, taken when its optimistic answer is made
// (before anything is written): a list that has not loaded the ticket can then still tell whether its
// total counted it.
const beforeChange = new Map<string, TicketRow>();

/** The ticket as it will be after the change, from what the cache holds now. */
function changedTicket(
  cache: Cache,
  id: string,
  input: { status?: unknown; priority?: unknown; assigneeId?: string | null; title?: string | null },
): TicketRow | null {
  const current = ticketOf(cache, id);
  if (!current) return null;
  if (!beforeChange.has(id)) beforeChange.set(id, current);
  const next = { ...current, updatedAt: new Date().toISOString() };
  if (input.status) next.status = input.status as TicketRow['status'];
  if (input.priority) next.priority = input.priority as TicketRow['priority'];
  if (input.title) next.title = input.title;
  if (input.assigneeId !== undefined) next.assignee = userRef(cache, input.assigneeId);
  return next;
}

function ticketsChanged(cache: Cache, tickets: (TicketRow | null | undefined)[], info: { optimistic?: boolean }, created = false): void {
  for (const ticket of tickets) {
    if (!ticket) continue;
    placeTicket(cache, ticket, { created, previous: beforeChange.get(ticket.id) ?? null });
    if (!info.optimistic) beforeChange.delete(ticket.id);
  }
  // Aggregates are not worth recomputing here: the dashboard asks again when it is next shown.
  cache.invalidate('Query', 'dashboardStats');
}

type Payload<K extends string, T> = { [key in K]?: T | null } | null | undefined;

export const cacheConfig: CacheExchangeOpts = {
  schema,
  keys: embeddedTypes(),
  resolvers: {
    Query: {
      tickets: forwardPagination(),
      users: forwardPagination(),
      // A ticket already in the cache (from a list) opens at once, before its detail query returns.
      ticket: (_parent, args) => ({ __typename: 'Ticket', id: args.id as string }),
    },
    Ticket: { comments: forwardPagination() },
  },
  updates: {
    Subscription: {
      // The live first page of a list (ticket-list.tsx) is what asking for that page again would return:
      // it replaces the page, so tickets that left the list go, new ones come, moved ones move.
      // (ticketChanged needs nothing: its Ticket is normalized by id.)
      ticketsChanged(result, args, cache) {
        const page = (result as Payload<'ticketsChanged', TicketListData['tickets']>)?.ticketsChanged;
        if (!page) return;
        const variables = { ...(args as Omit<TicketListQueryVariables, 'after'>), after: null };
        cache.updateQuery({ query: TicketListQuery, variables }, () => ({ __typename: 'Query', tickets: page }));
      },
    },
    Mutation: {
      createTicket(result, _args, cache, info) {
        const payload = (result as Payload<'createTicket', { ticket: TicketRow }>)?.createTicket;
        if (payload) ticketsChanged(cache, [payload.ticket], info, true);
      },
      updateTicket(result, _args, cache, info) {
        const payload = (result as Payload<'updateTicket', { ticket: TicketRow }>)?.updateTicket;
        if (payload) ticketsChanged(cache, [payload.ticket], info);
      },
      bulkUpdateTickets(result, _args, cache, info) {
        const payload = (result as Payload<'bulkUpdateTickets', { tickets: TicketRow[] }>)?.bulkUpdateTickets;
        if (payload) ticketsChanged(cache, payload.tickets, info);
      },
      addTags(result, _args, cache, info) {
        const payload = (result as Payload<'addTags', { ticket: TicketRow }>)?.addTags;
        if (!payload) return;
        ticketsChanged(cache, [ticketOf(cache, payload.ticket.id)], info);
        cache.invalidate('Query', 'tags'); // a tag may have been created
      },
      removeTags(result, _args, cache, info) {
        const payload = (result as Payload<'removeTags', { ticket: TicketRow }>)?.removeTags;
        if (payload) ticketsChanged(cache, [ticketOf(cache, payload.ticket.id)], info);
      },
      addComment(result, _args, cache) {
        const payload = (result as Payload<'addComment', { comment: CommentItem; ticket: { id: string } }>)?.addComment;
        if (!payload) return;
        appendComment(cache, payload.ticket.id, payload.comment);
        placeTicket(cache, ticketOf(cache, payload.ticket.id)!);
        // A reply may be a ticket's first response, a dashboard figure.
        cache.invalidate('Query', 'dashboardStats');
      },
      deleteComment(result, _args, cache) {
        const payload = (result as Payload<'deleteComment', { deletedCommentId: string; ticket: { id: string } }>)?.deleteComment;
        if (!payload) return;
        removeComment(cache, payload.ticket.id, payload.deletedCommentId);
        cache.invalidate({ __typename: 'Comment', id: payload.deletedCommentId });
        cache.invalidate('Query', 'dashboardStats');
      },
    },
  },
  optimistic: {
    updateTicket(args, cache) {
      const { input } = args as UpdateTicketMutationVariables;
      const ticket = changedTicket(cache, input.id, input);
      return ticket ? { __typename: 'TicketPayload', ticket } : null;
    },
    bulkUpdateTickets(args, cache) {
      const { input } = args as BulkUpdateTicketsMutationVariables;
      const tickets = input.ids.map((id) => changedTicket(cache, id, input));
      if (tickets.some((t) => !t)) return null;
      return { __typename: 'BulkUpdateTicketsPayload', tickets: tickets as Data[] };
    },
    addComment(args, cache) {
      const { input } = args as AddCommentMutationVariables;
      const viewer = cache.readQuery({ query: ViewerQuery })?.viewer;
      const ticket = ticketOf(cache, input.ticketId);
      if (!viewer || !ticket) return null;
      const comment: CommentItem = {
        __typename: 'Comment',
        id: `optimistic-${Date.now()}`,
        body: input.body,
        internal: Boolean(input.internal),
        createdAt: new Date().toISOString(),
        author: { __typename: 'User', id: viewer.id, name: viewer.name, role: viewer.role },
      };
      return {
        __typename: 'AddCommentPayload',
        comment,
        ticket: { __typename: 'Ticket', id: ticket.id, commentCount: ticket.commentCount + 1, updatedAt: comment.createdAt },
      };
    },
  },
};

// Subscriptions: live views of a ticket and of the viewer's ticket list. They carry no event payload:
// the server's live hub (server/live/) re-executes the subscriber's whole selection as the subscriber
// whenever one of the tags its last result holds is invalidated (the response cache's tags, the same
// events that evict cached responses), and sends the new result when it differs. So each field's
// resolver is a query resolver: it reads the current state, with the same authorization as a query.
import { DirectiveLocation, GraphQLDirective, GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { entityTag } from './cache-tags.ts';
import { TicketConnection } from './connections.ts';
import { parseId } from './global-id.ts';
import { TicketRef } from './refs.ts';
import { requireTicket } from './ticket/access.ts';
import { resolveTicketList, TicketFilter, TicketOrder } from './ticket/list.ts';

// The live hub replaces graphql-js's subscribe for every subscription operation; reaching this means
// the schema is served without it (a wiring mistake, never the client's).
function servedByLiveHub(): never {
  throw new GraphQLError('Subscriptions are served by the live hub (server/live/use-live-subscriptions.ts), which is not installed.');
}

/**
 * `query @live { … }`: the query's result, then a new one each time it changes — the same hub and rules
 * as a subscription, for any query (ticket(id), tickets(…), dashboardStats, …).
 */
export const LiveDirective = new GraphQLDirective({
  name: 'live',
  description:
    'On a query sent with Accept: text/event-stream: its result now, then the whole result again each time it changes, as subscriptions are (README, "Live updates").',
  locations: [DirectiveLocation.QUERY],
});

builder.subscriptionType({
  description:
    'Live views over GraphQL-over-SSE (the graphql-sse protocol). The first event is the current result; then one event each time it changes.',
});

builder.subscriptionFields((t) => ({
  ticketChanged: t.field({
    type: TicketRef,
    nullable: true,
    description:
      'One ticket, as a query of the same selection would return it: sent first as it is now, then whenever what you selected changes (its fields, comments, tags). NOT_FOUND when it does not exist or is not yours to see.',
    args: { id: t.arg.id({ required: true, description: 'The ticket ID.' }) },
    subscribe: servedByLiveHub,
    resolve: async (_root, { id }, ctx) => {
      const ticket = await requireTicket(ctx, String(id));
      ctx.cache.tag(entityTag('Ticket', parseId(String(id), 'Ticket')));
      return ticket;
    },
  }),
  ticketsChanged: t.connection(
    {
      type: TicketRef,
      description:
        'Your ticket list (what Query.tickets returns with the same arguments): sent first as it is now, then whenever it changes — a ticket joins, leaves, moves or changes.',
      args: {
        filter: t.arg({ type: TicketFilter, required: false, description: 'Conditions to narrow the list.' }),
        orderBy: t.arg({ type: TicketOrder, required: false, description: 'Sort order; default CREATED_AT DESC.' }),
      },
      subscribe: servedByLiveHub,
      resolve: (_root, args, ctx, info) => resolveTicketList(args, ctx, info),
    },
    TicketConnection,
  ),
}));

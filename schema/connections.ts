// The connection types: one per kind of node, shared by every field that pages through that kind, so
// clients generating types see TicketConnection/TicketEdge wherever tickets are listed, not one look-alike
// pair per field (QueryTicketsConnection, UserAssignedTicketsConnection, ...). Each has totalCount: the
// field resolving a page attaches how to count its whole list (withTotalCount), and the count runs only
// when a client asks for it.
import { builder } from './builder.ts';
import { CommentRef, TicketRef, UserRef } from './refs.ts';

type Counter = () => Promise<number>;

// Keyed by the connection object a field returned: the Relay shape stays exactly Pothos's, no cast.
const counters = new WeakMap<object, Counter>();

/** Returns the connection, remembering how to count every item of its list (all pages, same filter). */
export function withTotalCount<C extends object>(connection: C, count: Counter): C {
  counters.set(connection, count);
  return connection;
}

function totalCount(connection: object): Promise<number> {
  const count = counters.get(connection);
  // A field returned a connection without withTotalCount: a bug in this schema, never the client's doing.
  if (!count) throw new Error('This connection was resolved without a total count (withTotalCount).');
  return count();
}

export const TicketConnection = builder.connectionObject(
  {
    type: TicketRef,
    name: 'TicketConnection',
    description: 'A page of tickets, with cursors to move through the list.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many tickets the whole list holds (every page, with its filter applied).',
        resolve: (connection) => totalCount(connection),
      }),
    }),
  },
  { name: 'TicketEdge', description: 'A ticket in a list, with its cursor.' },
);

export const CommentConnection = builder.connectionObject(
  {
    type: CommentRef,
    name: 'CommentConnection',
    description: 'A page of comments, with cursors to move through the list.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many comments you can read in the whole list (every page).',
        resolve: (connection) => totalCount(connection),
      }),
    }),
  },
  { name: 'CommentEdge', description: 'A comment in a list, with its cursor.' },
);

export const UserConnection = builder.connectionObject(
  {
    type: UserRef,
    name: 'UserConnection',
    description: 'A page of people, with cursors to move through the list.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'How many people you can see in the whole list (every page).',
        resolve: (connection) => totalCount(connection),
      }),
    }),
  },
  { name: 'UserEdge', description: 'A person in a list, with their cursor.' },
);

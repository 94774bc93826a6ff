// The documents the benchmarks send, the seeded accounts they sign in as, and their password: one place,
// so that the mix, bench:persisted's manifest and bench:batching's view ask exactly the same text.

export const PASSWORD = 'deskgraph';

/** The seeded accounts the mix signs in as, and their share of the traffic. */
export const ACCOUNTS = [
  { email: 'agent@acme.test', share: 0.3 },
  { email: 'admin@acme.test', share: 0.15 },
  { email: 'customer@acme.test', share: 0.15 },
  { email: 'agent@globex.test', share: 0.25 },
  { email: 'customer@globex.test', share: 0.15 },
] as const;

/** The hottest read of the mix; also the repeated query of cache-fast-path. */
export const TICKET_LIST = `query OpenTickets {
  tickets(first: 25, filter: { status: [OPEN, IN_PROGRESS] }) {
    totalCount
    edges { node { id number title status priority requester { name } assignee { name } tags { name } commentCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const URGENT_TICKETS = `query UrgentTickets {
  tickets(first: 10, filter: { priority: [URGENT, HIGH], status: [OPEN, IN_PROGRESS, PENDING] }, orderBy: { field: PRIORITY, direction: DESC }) {
    totalCount
    edges { node { id number title priority status assignee { name } updatedAt } }
  }
}`;

export const MY_TICKETS = `query MyTickets {
  tickets(first: 10) {
    totalCount
    edges { node { id number title status updatedAt commentCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const DASHBOARD = `query Dashboard {
  dashboardStats {
    byStatus { status count }
    byPriority { priority count }
    openByAssignee { assignee { name } count }
  }
}`;

export const TICKET_DETAIL = `query TicketDetail($id: ID!) {
  ticket(id: $id) {
    id number title body status priority createdAt updatedAt
    requester { id name } assignee { id name } tags { name } commentCount
    comments(first: 20) { edges { node { id body internal createdAt author { name } } } pageInfo { hasNextPage endCursor } }
  }
}`;

export const VIEWER = `query Viewer { viewer { id name role } }`;
export const TAGS = `query Tags { tags { id name } }`;
export const PEOPLE = `query People {
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

// The agents' writes of the mix.
export const UPDATE_STATUS = `mutation SetStatus($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id status updatedAt } } }`;
export const UPDATE_PRIORITY = `mutation SetPriority($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id priority updatedAt } } }`;
export const ADD_COMMENT = `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { comment { id } ticket { id commentCount updatedAt } } }`;
export const CREATE_TICKET = `mutation CreateTicket($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id number } } }`;

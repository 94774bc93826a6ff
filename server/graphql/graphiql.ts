// GraphiQL on GET /graphql (GRAPHIQL), opened on a query that shows how to sign in and what to ask.
import type { GraphiQLOptions } from 'graphql-yoga';

const exampleQuery = `# Sign in first (mutation below), then add the header
#   { "Authorization": "Bearer <token>" }
# and run MyOpenTickets.

mutation SignIn {
  login(email: "agent@acme.test", password: "deskgraph") { token user { name role } }
}

query MyOpenTickets {
  tickets(first: 10, filter: { status: [OPEN, IN_PROGRESS] }) {
    totalCount
    edges { node { id number title priority requester { name } assignee { name } tags { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export function graphiqlOptions(enabled: boolean): GraphiQLOptions | false {
  return enabled ? { title: 'deskgraph', defaultQuery: exampleQuery } : false;
}

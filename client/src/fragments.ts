// Fragments shared by several views and by the cache's updaters: what a ticket row and a comment show.
// A mutation that changes a ticket selects TicketRow, so every list on screen gets the new values from
// the normalized cache without asking again.
import { graphql } from './gql/index.ts';

export const TicketRowFragment = graphql(`
  fragment TicketRow on Ticket {
    id
    number
    title
    status
    priority
    createdAt
    updatedAt
    commentCount
    requester {
      id
      name
    }
    assignee {
      id
      name
    }
    tags {
      id
      name
    }
  }
`);

// No value to export: codegen inlines this definition into every document that spreads ...CommentItem,
// and its type is generated as CommentItemFragment.
graphql(`
  fragment CommentItem on Comment {
    id
    body
    internal
    createdAt
    author {
      id
      name
      role
    }
  }
`);

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      name
      email
      role
      organization {
        id
        slug
        name
      }
    }
  }
`);

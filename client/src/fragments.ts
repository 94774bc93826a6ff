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

// The ticket list's query: its view asks it page by page; the cache's updater for the live list
// (Subscription.ticketsChanged) writes the first page through it.
export const TicketListQuery = graphql(`
  query TicketList($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!, $after: String) {
    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          ...TicketRow
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
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

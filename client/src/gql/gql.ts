/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment TicketRow on Ticket {\n    id\n    number\n    title\n    status\n    priority\n    createdAt\n    updatedAt\n    commentCount\n    requester {\n      id\n      name\n    }\n    assignee {\n      id\n      name\n    }\n    tags {\n      id\n      name\n    }\n  }\n": typeof types.TicketRowFragmentDoc,
    "\n  fragment CommentItem on Comment {\n    id\n    body\n    internal\n    createdAt\n    author {\n      id\n      name\n      role\n    }\n  }\n": typeof types.CommentItemFragmentDoc,
    "\n  query TicketList($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!, $after: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.TicketListDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      email\n      role\n      organization {\n        id\n        slug\n        name\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation SignOut {\n    logout\n  }\n": typeof types.SignOutDocument,
    "\n  query TicketPageWrite($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      totalCount\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n": typeof types.TicketPageWriteDocument,
    "\n  fragment CommentPageWrite on Ticket {\n    __typename\n    id\n    comments(first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n": typeof types.CommentPageWriteFragmentDoc,
    "\n  query Dashboard($days: Int!) {\n    dashboardStats {\n      openByPriority {\n        priority\n        count\n      }\n      openByAge {\n        age\n        count\n      }\n      openByAssignee {\n        assignee {\n          id\n          name\n        }\n        count\n      }\n      ticketsPerDay(days: $days) {\n        date\n        created\n        resolved\n      }\n      firstResponse(days: $days) {\n        medianSeconds\n        responded\n        awaiting\n      }\n    }\n  }\n": typeof types.DashboardDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        role\n        organization {\n          id\n          slug\n          name\n        }\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      comment {\n        ...CommentItem\n      }\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id) {\n      deletedCommentId\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n": typeof types.DeleteCommentDocument,
    "\n  mutation UpdateTicket($input: UpdateTicketInput!) {\n    updateTicket(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": typeof types.UpdateTicketDocument,
    "\n  query Assignees($after: String) {\n    users(first: 100, after: $after) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.AssigneesDocument,
    "\n  query TicketDetail($id: ID!, $commentsAfter: String) {\n    ticket(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.TicketDetailDocument,
    "\n  subscription TicketDetailLive($id: ID!, $commentsAfter: String) {\n    ticketChanged(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.TicketDetailLiveDocument,
    "\n  mutation AddTags($input: TicketTagsInput!) {\n    addTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": typeof types.AddTagsDocument,
    "\n  mutation RemoveTags($input: TicketTagsInput!) {\n    removeTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": typeof types.RemoveTagsDocument,
    "\n  mutation BulkUpdateTickets($input: BulkUpdateTicketsInput!) {\n    bulkUpdateTickets(input: $input) {\n      tickets {\n        ...TicketRow\n      }\n    }\n  }\n": typeof types.BulkUpdateTicketsDocument,
    "\n  query TagNames {\n    tags {\n      id\n      name\n    }\n  }\n": typeof types.TagNamesDocument,
    "\n  mutation CreateTicket($input: CreateTicketInput!) {\n    createTicket(input: $input) {\n      ticket {\n        ...TicketRow\n        body\n      }\n    }\n  }\n": typeof types.CreateTicketDocument,
    "\n  subscription TicketListLive($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!) {\n    ticketsChanged(filter: $filter, orderBy: $orderBy, first: $first) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": typeof types.TicketListLiveDocument,
};
const documents: Documents = {
    "\n  fragment TicketRow on Ticket {\n    id\n    number\n    title\n    status\n    priority\n    createdAt\n    updatedAt\n    commentCount\n    requester {\n      id\n      name\n    }\n    assignee {\n      id\n      name\n    }\n    tags {\n      id\n      name\n    }\n  }\n": types.TicketRowFragmentDoc,
    "\n  fragment CommentItem on Comment {\n    id\n    body\n    internal\n    createdAt\n    author {\n      id\n      name\n      role\n    }\n  }\n": types.CommentItemFragmentDoc,
    "\n  query TicketList($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!, $after: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.TicketListDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      email\n      role\n      organization {\n        id\n        slug\n        name\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation SignOut {\n    logout\n  }\n": types.SignOutDocument,
    "\n  query TicketPageWrite($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      totalCount\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n": types.TicketPageWriteDocument,
    "\n  fragment CommentPageWrite on Ticket {\n    __typename\n    id\n    comments(first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n": types.CommentPageWriteFragmentDoc,
    "\n  query Dashboard($days: Int!) {\n    dashboardStats {\n      openByPriority {\n        priority\n        count\n      }\n      openByAge {\n        age\n        count\n      }\n      openByAssignee {\n        assignee {\n          id\n          name\n        }\n        count\n      }\n      ticketsPerDay(days: $days) {\n        date\n        created\n        resolved\n      }\n      firstResponse(days: $days) {\n        medianSeconds\n        responded\n        awaiting\n      }\n    }\n  }\n": types.DashboardDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        role\n        organization {\n          id\n          slug\n          name\n        }\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      comment {\n        ...CommentItem\n      }\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n": types.AddCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id) {\n      deletedCommentId\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n": types.DeleteCommentDocument,
    "\n  mutation UpdateTicket($input: UpdateTicketInput!) {\n    updateTicket(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": types.UpdateTicketDocument,
    "\n  query Assignees($after: String) {\n    users(first: 100, after: $after) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.AssigneesDocument,
    "\n  query TicketDetail($id: ID!, $commentsAfter: String) {\n    ticket(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": types.TicketDetailDocument,
    "\n  subscription TicketDetailLive($id: ID!, $commentsAfter: String) {\n    ticketChanged(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n": types.TicketDetailLiveDocument,
    "\n  mutation AddTags($input: TicketTagsInput!) {\n    addTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": types.AddTagsDocument,
    "\n  mutation RemoveTags($input: TicketTagsInput!) {\n    removeTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n": types.RemoveTagsDocument,
    "\n  mutation BulkUpdateTickets($input: BulkUpdateTicketsInput!) {\n    bulkUpdateTickets(input: $input) {\n      tickets {\n        ...TicketRow\n      }\n    }\n  }\n": types.BulkUpdateTicketsDocument,
    "\n  query TagNames {\n    tags {\n      id\n      name\n    }\n  }\n": types.TagNamesDocument,
    "\n  mutation CreateTicket($input: CreateTicketInput!) {\n    createTicket(input: $input) {\n      ticket {\n        ...TicketRow\n        body\n      }\n    }\n  }\n": types.CreateTicketDocument,
    "\n  subscription TicketListLive($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!) {\n    ticketsChanged(filter: $filter, orderBy: $orderBy, first: $first) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n": types.TicketListLiveDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TicketRow on Ticket {\n    id\n    number\n    title\n    status\n    priority\n    createdAt\n    updatedAt\n    commentCount\n    requester {\n      id\n      name\n    }\n    assignee {\n      id\n      name\n    }\n    tags {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment TicketRow on Ticket {\n    id\n    number\n    title\n    status\n    priority\n    createdAt\n    updatedAt\n    commentCount\n    requester {\n      id\n      name\n    }\n    assignee {\n      id\n      name\n    }\n    tags {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CommentItem on Comment {\n    id\n    body\n    internal\n    createdAt\n    author {\n      id\n      name\n      role\n    }\n  }\n"): (typeof documents)["\n  fragment CommentItem on Comment {\n    id\n    body\n    internal\n    createdAt\n    author {\n      id\n      name\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TicketList($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!, $after: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query TicketList($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!, $after: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      name\n      email\n      role\n      organization {\n        id\n        slug\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      name\n      email\n      role\n      organization {\n        id\n        slug\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    logout\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TicketPageWrite($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      totalCount\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TicketPageWrite($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $last: Int, $before: String) {\n    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      totalCount\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CommentPageWrite on Ticket {\n    __typename\n    id\n    comments(first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CommentPageWrite on Ticket {\n    __typename\n    id\n    comments(first: $first, after: $after, last: $last, before: $before) {\n      __typename\n      pageInfo {\n        __typename\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        __typename\n        cursor\n        node {\n          __typename\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Dashboard($days: Int!) {\n    dashboardStats {\n      openByPriority {\n        priority\n        count\n      }\n      openByAge {\n        age\n        count\n      }\n      openByAssignee {\n        assignee {\n          id\n          name\n        }\n        count\n      }\n      ticketsPerDay(days: $days) {\n        date\n        created\n        resolved\n      }\n      firstResponse(days: $days) {\n        medianSeconds\n        responded\n        awaiting\n      }\n    }\n  }\n"): (typeof documents)["\n  query Dashboard($days: Int!) {\n    dashboardStats {\n      openByPriority {\n        priority\n        count\n      }\n      openByAge {\n        age\n        count\n      }\n      openByAssignee {\n        assignee {\n          id\n          name\n        }\n        count\n      }\n      ticketsPerDay(days: $days) {\n        date\n        created\n        resolved\n      }\n      firstResponse(days: $days) {\n        medianSeconds\n        responded\n        awaiting\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        role\n        organization {\n          id\n          slug\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        role\n        organization {\n          id\n          slug\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      comment {\n        ...CommentItem\n      }\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      comment {\n        ...CommentItem\n      }\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id) {\n      deletedCommentId\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id) {\n      deletedCommentId\n      ticket {\n        id\n        commentCount\n        updatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTicket($input: UpdateTicketInput!) {\n    updateTicket(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTicket($input: UpdateTicketInput!) {\n    updateTicket(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Assignees($after: String) {\n    users(first: 100, after: $after) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Assignees($after: String) {\n    users(first: 100, after: $after) {\n      edges {\n        node {\n          id\n          name\n          role\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TicketDetail($id: ID!, $commentsAfter: String) {\n    ticket(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TicketDetail($id: ID!, $commentsAfter: String) {\n    ticket(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TicketDetailLive($id: ID!, $commentsAfter: String) {\n    ticketChanged(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TicketDetailLive($id: ID!, $commentsAfter: String) {\n    ticketChanged(id: $id) {\n      ...TicketRow\n      body\n      comments(first: 100, after: $commentsAfter) {\n        edges {\n          cursor\n          node {\n            ...CommentItem\n          }\n        }\n        pageInfo {\n          hasNextPage\n          hasPreviousPage\n          startCursor\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddTags($input: TicketTagsInput!) {\n    addTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddTags($input: TicketTagsInput!) {\n    addTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveTags($input: TicketTagsInput!) {\n    removeTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveTags($input: TicketTagsInput!) {\n    removeTags(input: $input) {\n      ticket {\n        ...TicketRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BulkUpdateTickets($input: BulkUpdateTicketsInput!) {\n    bulkUpdateTickets(input: $input) {\n      tickets {\n        ...TicketRow\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation BulkUpdateTickets($input: BulkUpdateTicketsInput!) {\n    bulkUpdateTickets(input: $input) {\n      tickets {\n        ...TicketRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TagNames {\n    tags {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query TagNames {\n    tags {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTicket($input: CreateTicketInput!) {\n    createTicket(input: $input) {\n      ticket {\n        ...TicketRow\n        body\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTicket($input: CreateTicketInput!) {\n    createTicket(input: $input) {\n      ticket {\n        ...TicketRow\n        body\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TicketListLive($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!) {\n    ticketsChanged(filter: $filter, orderBy: $orderBy, first: $first) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TicketListLive($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!) {\n    ticketsChanged(filter: $filter, orderBy: $orderBy, first: $first) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...TicketRow\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
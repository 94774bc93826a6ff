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
    "\n  query NestedTickets($n: Int!) {\n    tickets(first: $n) {\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          comments(first: 5) {\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.NestedTicketsDocument,
    "\n  query NestedTicketsWithCounts($n: Int!) {\n    tickets(first: $n) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          commentCount\n          comments(first: 5) {\n            totalCount\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.NestedTicketsWithCountsDocument,
    "\n  query UsersWithTicketCounts($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        totalCount\n        edges {\n          node {\n            name\n            assignedTickets(first: 5, status: [OPEN, IN_PROGRESS]) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n            requestedTickets(first: 5) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.UsersWithTicketCountsDocument,
    "\n  query UsersWithTickets($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        edges {\n          node {\n            name\n            assignedTickets(first: 5) {\n              edges {\n                node {\n                  title\n                  requester {\n                    name\n                  }\n                  tags {\n                    name\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.UsersWithTicketsDocument,
    "\n        query TicketIds {\n          tickets(first: 60) {\n            edges {\n              node {\n                id\n              }\n            }\n          }\n        }\n      ": typeof types.TicketIdsDocument,
    "\n      query TicketsByIds($ids: [ID!]!) {\n        nodes(ids: $ids) {\n          id\n          ... on Ticket {\n            title\n          }\n        }\n      }\n    ": typeof types.TicketsByIdsDocument,
    "\n        query Dashboard {\n          dashboardStats {\n            byStatus {\n              status\n              count\n            }\n            byPriority {\n              priority\n              count\n            }\n            openByAssignee {\n              count\n            }\n          }\n        }\n      ": typeof types.DashboardDocument,
};
const documents: Documents = {
    "\n  query NestedTickets($n: Int!) {\n    tickets(first: $n) {\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          comments(first: 5) {\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.NestedTicketsDocument,
    "\n  query NestedTicketsWithCounts($n: Int!) {\n    tickets(first: $n) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          commentCount\n          comments(first: 5) {\n            totalCount\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.NestedTicketsWithCountsDocument,
    "\n  query UsersWithTicketCounts($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        totalCount\n        edges {\n          node {\n            name\n            assignedTickets(first: 5, status: [OPEN, IN_PROGRESS]) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n            requestedTickets(first: 5) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.UsersWithTicketCountsDocument,
    "\n  query UsersWithTickets($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        edges {\n          node {\n            name\n            assignedTickets(first: 5) {\n              edges {\n                node {\n                  title\n                  requester {\n                    name\n                  }\n                  tags {\n                    name\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.UsersWithTicketsDocument,
    "\n        query TicketIds {\n          tickets(first: 60) {\n            edges {\n              node {\n                id\n              }\n            }\n          }\n        }\n      ": types.TicketIdsDocument,
    "\n      query TicketsByIds($ids: [ID!]!) {\n        nodes(ids: $ids) {\n          id\n          ... on Ticket {\n            title\n          }\n        }\n      }\n    ": types.TicketsByIdsDocument,
    "\n        query Dashboard {\n          dashboardStats {\n            byStatus {\n              status\n              count\n            }\n            byPriority {\n              priority\n              count\n            }\n            openByAssignee {\n              count\n            }\n          }\n        }\n      ": types.DashboardDocument,
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
export function graphql(source: "\n  query NestedTickets($n: Int!) {\n    tickets(first: $n) {\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          comments(first: 5) {\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NestedTickets($n: Int!) {\n    tickets(first: $n) {\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          comments(first: 5) {\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NestedTicketsWithCounts($n: Int!) {\n    tickets(first: $n) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          commentCount\n          comments(first: 5) {\n            totalCount\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NestedTicketsWithCounts($n: Int!) {\n    tickets(first: $n) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          requester {\n            name\n          }\n          assignee {\n            name\n          }\n          tags {\n            name\n          }\n          commentCount\n          comments(first: 5) {\n            totalCount\n            edges {\n              node {\n                body\n                author {\n                  name\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsersWithTicketCounts($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        totalCount\n        edges {\n          node {\n            name\n            assignedTickets(first: 5, status: [OPEN, IN_PROGRESS]) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n            requestedTickets(first: 5) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UsersWithTicketCounts($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        totalCount\n        edges {\n          node {\n            name\n            assignedTickets(first: 5, status: [OPEN, IN_PROGRESS]) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n            requestedTickets(first: 5) {\n              totalCount\n              edges {\n                node {\n                  title\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsersWithTickets($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        edges {\n          node {\n            name\n            assignedTickets(first: 5) {\n              edges {\n                node {\n                  title\n                  requester {\n                    name\n                  }\n                  tags {\n                    name\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UsersWithTickets($n: Int!) {\n    organization(slug: \"acme\") {\n      users(first: $n) {\n        edges {\n          node {\n            name\n            assignedTickets(first: 5) {\n              edges {\n                node {\n                  title\n                  requester {\n                    name\n                  }\n                  tags {\n                    name\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query TicketIds {\n          tickets(first: 60) {\n            edges {\n              node {\n                id\n              }\n            }\n          }\n        }\n      "): (typeof documents)["\n        query TicketIds {\n          tickets(first: 60) {\n            edges {\n              node {\n                id\n              }\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      query TicketsByIds($ids: [ID!]!) {\n        nodes(ids: $ids) {\n          id\n          ... on Ticket {\n            title\n          }\n        }\n      }\n    "): (typeof documents)["\n      query TicketsByIds($ids: [ID!]!) {\n        nodes(ids: $ids) {\n          id\n          ... on Ticket {\n            title\n          }\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query Dashboard {\n          dashboardStats {\n            byStatus {\n              status\n              count\n            }\n            byPriority {\n              priority\n              count\n            }\n            openByAssignee {\n              count\n            }\n          }\n        }\n      "): (typeof documents)["\n        query Dashboard {\n          dashboardStats {\n            byStatus {\n              status\n              count\n            }\n            byPriority {\n              priority\n              count\n            }\n            openByAssignee {\n              count\n            }\n          }\n        }\n      "];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
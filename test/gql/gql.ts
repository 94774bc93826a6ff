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
    "query NestedTickets($n: Int!) {\n  tickets(first: $n) {\n    edges { node {\n      id title\n      requester { name }\n      assignee { name }\n      tags { name }\n      comments(first: 5) { edges { node { body author { name } } } }\n    } }\n  }\n}": typeof types.NestedTicketsDocument,
    "query UsersWithTickets($n: Int!) {\n  organization(slug: \"acme\") {\n    users(first: $n) { edges { node {\n      name\n      assignedTickets(first: 5) { edges { node { title requester { name } tags { name } } } }\n    } } }\n  }\n}": typeof types.UsersWithTicketsDocument,
    "query TicketIds { tickets(first: 60) { edges { node { id } } } }": typeof types.TicketIdsDocument,
    "query TicketsByIds($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ticket { title } } }": typeof types.TicketsByIdsDocument,
    "query Dashboard { dashboardStats { byStatus { status count } byPriority { priority count } openByAssignee { count } } }": typeof types.DashboardDocument,
};
const documents: Documents = {
    "query NestedTickets($n: Int!) {\n  tickets(first: $n) {\n    edges { node {\n      id title\n      requester { name }\n      assignee { name }\n      tags { name }\n      comments(first: 5) { edges { node { body author { name } } } }\n    } }\n  }\n}": types.NestedTicketsDocument,
    "query UsersWithTickets($n: Int!) {\n  organization(slug: \"acme\") {\n    users(first: $n) { edges { node {\n      name\n      assignedTickets(first: 5) { edges { node { title requester { name } tags { name } } } }\n    } } }\n  }\n}": types.UsersWithTicketsDocument,
    "query TicketIds { tickets(first: 60) { edges { node { id } } } }": types.TicketIdsDocument,
    "query TicketsByIds($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ticket { title } } }": types.TicketsByIdsDocument,
    "query Dashboard { dashboardStats { byStatus { status count } byPriority { priority count } openByAssignee { count } } }": types.DashboardDocument,
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
export function graphql(source: "query NestedTickets($n: Int!) {\n  tickets(first: $n) {\n    edges { node {\n      id title\n      requester { name }\n      assignee { name }\n      tags { name }\n      comments(first: 5) { edges { node { body author { name } } } }\n    } }\n  }\n}"): (typeof documents)["query NestedTickets($n: Int!) {\n  tickets(first: $n) {\n    edges { node {\n      id title\n      requester { name }\n      assignee { name }\n      tags { name }\n      comments(first: 5) { edges { node { body author { name } } } }\n    } }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query UsersWithTickets($n: Int!) {\n  organization(slug: \"acme\") {\n    users(first: $n) { edges { node {\n      name\n      assignedTickets(first: 5) { edges { node { title requester { name } tags { name } } } }\n    } } }\n  }\n}"): (typeof documents)["query UsersWithTickets($n: Int!) {\n  organization(slug: \"acme\") {\n    users(first: $n) { edges { node {\n      name\n      assignedTickets(first: 5) { edges { node { title requester { name } tags { name } } } }\n    } } }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketIds { tickets(first: 60) { edges { node { id } } } }"): (typeof documents)["query TicketIds { tickets(first: 60) { edges { node { id } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketsByIds($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ticket { title } } }"): (typeof documents)["query TicketsByIds($ids: [ID!]!) { nodes(ids: $ids) { id ... on Ticket { title } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard { dashboardStats { byStatus { status count } byPriority { priority count } openByAssignee { count } } }"): (typeof documents)["query Dashboard { dashboardStats { byStatus { status count } byPriority { priority count } openByAssignee { count } } }"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
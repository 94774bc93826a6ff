// The performance contract: a query costs a bounded number of SQL statements, whatever the page size.
// Counts come from the driver adapter (every statement Prisma sends), reported per operation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
import { startTestServer, type TestServer } from './harness.ts';

const nestedTickets = graphql(`
  query NestedTickets($n: Int!) {
    tickets(first: $n) {
      edges {
        node {
          id
          title
          requester {
            name
          }
          assignee {
            name
          }
          tags {
            name
          }
          comments(first: 5) {
            edges {
              node {
                body
                author {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`);

// The same list with every count a client may show: the whole list's, and each ticket's comments (twice:
// commentCount and the connection's totalCount, which share one loader).
const nestedTicketsWithCounts = graphql(`
  query NestedTicketsWithCounts($n: Int!) {
    tickets(first: $n) {
      totalCount
      edges {
        node {
          id
          title
          requester {
            name
          }
          assignee {
            name
          }
          tags {
            name
          }
          commentCount
          comments(first: 5) {
            totalCount
            edges {
              node {
                body
                author {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`);

const usersWithTicketCounts = graphql(`
  query UsersWithTicketCounts($n: Int!) {
    organization(slug: "acme") {
      users(first: $n) {
        totalCount
        edges {
          node {
            name
            assignedTickets(first: 5, status: [OPEN, IN_PROGRESS]) {
              totalCount
              edges {
                node {
                  title
                }
              }
            }
            requestedTickets(first: 5) {
              totalCount
              edges {
                node {
                  title
                }
              }
            }
          }
        }
      }
    }
  }
`);

const usersWithTickets = graphql(`
  query UsersWithTickets($n: Int!) {
    organization(slug: "acme") {
      users(first: $n) {
        edges {
          node {
            name
            assignedTickets(first: 5) {
              edges {
                node {
                  title
                  requester {
                    name
                  }
                  tags {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`);

// Statements outside the resolvers: looking up the bearer token. These tests measure what executing an
// operation costs, so the response cache and the token → viewer cache are off here; test/cache-*.test.ts
// count what it saves.
const AUTH = 1;
const executeEveryTime = { enabled: false, viewerCache: false };

async function statements<T, V extends Record<string, unknown>>(
  server: TestServer,
  token: string,
  query: TypedDocumentNode<T, V> | string,
  variables: V,
) {
  const result = await server.gql<T>(query, variables, token);
  expect(result.body.errors).toBeUndefined();
  return { count: result.body.extensions?.sqlStatements as number, data: result.body.data! };
}

describe('SQL statements per operation', () => {
  let server: TestServer;
  let naive: TestServer;
  let agent: string;
  let naiveAgent: string;

  beforeAll(async () => {
    [server, naive] = await Promise.all([
      startTestServer({ cache: executeEveryTime }),
      startTestServer({ cache: executeEveryTime, loaderOptions: { batch: false } }),
    ]);
    [agent, naiveAgent] = await Promise.all([server.login('agent@acme.test'), naive.login('agent@acme.test')]);
  });
  afterAll(() => Promise.all([server?.close(), naive?.close()]));

  it('the nested ticket list is one statement for 10 and 100 tickets: the relations it asks come with the page', async () => {
    const ten = await statements(server, agent, nestedTickets, { n: 10 });
    const hundred = await statements(server, agent, nestedTickets, { n: 100 });
    expect(hundred.data.tickets.edges).toHaveLength(100);
    expect(hundred.data.tickets.edges[0]?.node.comments.edges[0]?.node.author.name).toEqual(expect.any(String));
    // tickets with requester, assignee, tags, and each one's first comments with their authors
    expect(ten.count).toBe(AUTH + 1);
    expect(hundred.count).toBe(AUTH + 1);
  });

  it('relations the page cannot bring along are still one statement per relation, whatever the page size', async () => {
    // Two different comment windows: the page brings the people and tags, each window is a statement.
    const query = `query ($n: Int!) { tickets(first: $n) { edges { node { id requester { name } tags { name }
      oldest: comments(first: 2) { edges { node { body author { name } } } }
      newest: comments(last: 3) { edges { node { body author { name } } } } } } } }`;
    const ten = await statements(server, agent, query, { n: 10 });
    const hundred = await statements(server, agent, query, { n: 100 });
    // page with people and tags, two comment windows, and the authors not met as requesters (at most one)
    expect(ten.count).toBeGreaterThanOrEqual(AUTH + 3);
    expect(ten.count).toBeLessThanOrEqual(AUTH + 4);
    expect(hundred.count).toBeLessThanOrEqual(ten.count);
    expect(hundred.data).toEqual((await statements(naive, naiveAgent, query, { n: 100 })).data);
  });

  it("a customer's list brings along only the comments a customer may read, as the comment loader does", async () => {
    const [customer, naiveCustomer] = await Promise.all([server.login('customer@acme.test'), naive.login('customer@acme.test')]);
    const query = `{ tickets(first: 40) { edges { node { id comments(last: 20) { edges { node { id internal } } } } } } }`;
    const mine = await statements<any, Record<string, never>>(server, customer, query, {});
    expect(mine.count).toBe(AUTH + 1);
    const comments = (data: any): { internal: boolean }[] =>
      data.tickets.edges.flatMap((edge: any) => edge.node.comments.edges.map((c: any) => c.node));
    expect(comments(mine.data).length).toBeGreaterThan(0);
    expect(comments(mine.data).every((comment: { internal: boolean }) => !comment.internal)).toBe(true);
    // The same tickets as staff see them do carry internal notes: the filter above had something to remove.
    const ids = mine.data.tickets.edges.map((edge: any) => edge.node.id);
    const asStaff = await statements<any, { ids: string[] }>(
      server,
      agent,
      `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Ticket { comments(last: 20) { edges { node { internal } } } } } }`,
      { ids },
    );
    expect(asStaff.data.nodes.some((t: any) => t.comments.edges.some((c: any) => c.node.internal))).toBe(true);
    // And the loaders one by one (no page read along) answer the customer the same.
    expect(mine.data).toEqual((await statements(naive, naiveCustomer, query, {})).data);
  });

  it('organization → users → assigned tickets costs the same for 5 and 50 users', async () => {
    const five = await statements(server, agent, usersWithTickets, { n: 5 });
    const fifty = await statements(server, agent, usersWithTickets, { n: 50 });
    expect(fifty.data.organization!.users.edges.length).toBeGreaterThan(five.data.organization!.users.edges.length);
    expect(fifty.count).toBe(five.count);
    // organization, users page, ticket pages, requesters, tags
    expect(fifty.count).toBeLessThanOrEqual(AUTH + 5);
  });

  it("totalCount costs one grouped COUNT per list level: +1 for the tickets, +1 for every ticket's comments", async () => {
    const plain = await statements(server, agent, nestedTickets, { n: 100 });
    const ten = await statements(server, agent, nestedTicketsWithCounts, { n: 10 });
    const hundred = await statements(server, agent, nestedTicketsWithCounts, { n: 100 });
    const edges = hundred.data.tickets.edges;
    expect(edges).toHaveLength(100);
    expect(hundred.data.tickets.totalCount).toBeGreaterThan(100);
    // the count is of the whole list, not of the page of 5, and agrees with commentCount
    expect(edges.some((edge) => edge.node.comments.totalCount > edge.node.comments.edges.length)).toBe(true);
    for (const { node } of edges) {
      expect(node.comments.totalCount).toBe(node.commentCount);
      expect(node.comments.edges.length).toBe(Math.min(5, node.commentCount));
    }
    // tickets.totalCount (1) + one COUNT ... GROUP BY "ticketId" for all 100 tickets (1), not one per ticket
    expect(hundred.count).toBe(plain.count + 2);
    expect(hundred.count).toBeLessThanOrEqual(ten.count);
  });

  it('users, their assigned and requested tickets, each with totalCount, cost the same for 5 and 50 users', async () => {
    const five = await statements(server, agent, usersWithTicketCounts, { n: 5 });
    const fifty = await statements(server, agent, usersWithTicketCounts, { n: 50 });
    const users = fifty.data.organization!.users;
    expect(users.edges.length).toBeGreaterThan(five.data.organization!.users.edges.length);
    expect(users.totalCount).toBeGreaterThanOrEqual(users.edges.length);
    expect(users.edges.some((edge) => edge.node.requestedTickets.totalCount > 5)).toBe(true);
    for (const { node } of users.edges) {
      expect(node.assignedTickets.edges.length).toBe(Math.min(5, node.assignedTickets.totalCount));
      expect(node.requestedTickets.edges.length).toBe(Math.min(5, node.requestedTickets.totalCount));
    }
    expect(fifty.count).toBe(five.count);
    // organization, users page, users count, two ticket pages, two ticket counts
    expect(fifty.count).toBe(AUTH + 7);
  });

  it('a ticket by id with its requester and assignee is one statement (the users come with the ticket)', async () => {
    const first = await statements(server, agent, '{ tickets(first: 30) { edges { node { id assignee { id } } } } }', {});
    const edges = (first.data as { tickets: { edges: { node: { id: string; assignee: { id: string } | null } }[] } }).tickets.edges;
    const assigned = edges.find((edge) => edge.node.assignee)!.node.id;
    const query = 'query ($id: ID!) { ticket(id: $id) { title requester { name } assignee { name } } }';
    const one = await statements(server, agent, query, { id: assigned });
    expect((one.data as { ticket: { assignee: { name: string } | null } }).ticket.assignee?.name).toEqual(expect.any(String));
    expect(one.count).toBe(AUTH + 1);
    // Without batching (the N+1 baseline) every relation stays a statement of its own.
    expect((await statements(naive, naiveAgent, query, { id: assigned })).count).toBe(AUTH + 3);
  });

  it('nodes(ids) loads any number of tickets in one statement', async () => {
    const list = await statements(
      server,
      agent,
      graphql(`
        query TicketIds {
          tickets(first: 60) {
            edges {
              node {
                id
              }
            }
          }
        }
      `),
      {},
    );
    const ids = list.data.tickets.edges.map((edge) => edge.node.id);
    const query = graphql(`
      query TicketsByIds($ids: [ID!]!) {
        nodes(ids: $ids) {
          id
          ... on Ticket {
            title
          }
        }
      }
    `);
    const three = await statements(server, agent, query, { ids: ids.slice(0, 3) });
    const sixty = await statements(server, agent, query, { ids });
    expect(sixty.data.nodes).toHaveLength(60);
    expect(sixty.data.nodes.every((node) => node !== null)).toBe(true);
    expect(sixty.count).toBe(three.count);
    expect(sixty.count).toBe(AUTH + 1);
  });

  it('the whole dashboardStats, assignee names included, is 3 aggregate statements', async () => {
    const stats = await statements(
      server,
      agent,
      graphql(`
        query DashboardStatements {
          dashboardStats {
            byStatus {
              status
              count
            }
            byPriority {
              priority
              count
            }
            openByPriority {
              priority
              count
            }
            openByAge {
              age
              count
            }
            openByAssignee {
              assignee {
                id
                name
              }
              count
            }
            ticketsPerDay(days: 30) {
              date
              created
              resolved
            }
            firstResponse(days: 30) {
              medianSeconds
              responded
            }
          }
        }
      `),
      {},
    );
    expect(stats.data.dashboardStats.byStatus).toHaveLength(6);
    expect(stats.data.dashboardStats.ticketsPerDay).toHaveLength(30);
    expect(stats.data.dashboardStats.openByAssignee.some((row) => row.assignee?.name)).toBe(true);
    // every count and the assignees' rows; the daily series; the first-response median
    expect(stats.count).toBe(AUTH + 3);
  });

  it('with loaders off the same query grows with the page size (the counter sees every statement)', async () => {
    const ten = await statements(naive, naiveAgent, nestedTickets, { n: 10 });
    const hundred = await statements(naive, naiveAgent, nestedTickets, { n: 100 });
    // at least one statement per ticket for its tags and one for its comments
    expect(ten.count).toBeGreaterThan(2 * 10);
    expect(hundred.count).toBeGreaterThan(2 * 100);
    expect(hundred.data).toEqual((await statements(server, agent, nestedTickets, { n: 100 })).data);
  });
});

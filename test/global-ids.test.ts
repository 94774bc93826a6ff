// Every node type's id (resolved synchronously, schema/sync-node-ids.ts) is its global ID: it names the
// type and the row, and node(id) reads the same object back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalId } from '../schema/global-id.ts';
import { startTestServer, type TestServer } from './harness.ts';

describe('global IDs', () => {
  let server: TestServer;
  let agent: string;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.login('agent@acme.test');
  });
  afterAll(() => server?.close());

  it('names the type and the row of every node type, and node(id) returns that object', async () => {
    const { body } = await server.gql(
      `{ viewer { id organization { id }
           tickets: assignedTickets(first: 3) { edges { node { id number tags { id name } comments(first: 2) { edges { node { id body } } } } } } } }`,
      {},
      agent,
    );
    expect(body.errors).toBeUndefined();
    const viewer = body.data!.viewer;
    const tickets = viewer.tickets.edges.map((e: any) => e.node);
    const tags = tickets.flatMap((t: any) => t.tags);
    const comments = tickets.flatMap((t: any) => t.comments.edges.map((e: any) => e.node));
    expect(tags.length).toBeGreaterThan(0);
    expect(comments.length).toBeGreaterThan(0);
    const expected: [string, string][] = [
      [viewer.id, 'User'],
      [viewer.organization.id, 'Organization'],
      ...tickets.map((t: any): [string, string] => [t.id, 'Ticket']),
      [tags[0].id, 'Tag'],
      [comments[0].id, 'Comment'],
    ];
    for (const [id, type] of expected) {
      expect(decodeGlobalId(id).typename).toBe(type);
      const back = await server.gql('query ($id: ID!) { node(id: $id) { __typename id } }', { id }, agent);
      expect(back.body.data).toEqual({ node: { __typename: type, id } });
    }
    const first = tickets[0];
    const again = await server.gql('query ($id: ID!) { node(id: $id) { ... on Ticket { number } } }', { id: first.id }, agent);
    expect(again.body.data!.node.number).toBe(first.number);
  });
});

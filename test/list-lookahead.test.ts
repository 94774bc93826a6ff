// The ticket list reads the relations its query asks along with the page (schema/ticket/list-lookahead.ts):
// however the query spells them (fragments, aliases, variables, directives) the answer is the one the
// loaders give one relation at a time (the N+1 server, which reads nothing along), in one statement
// when every comments selection asks the same first page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const AUTH = 1;
const executeEveryTime = { enabled: false, viewerCache: false };

describe('a ticket list with the relations its query asks', () => {
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

  /** The response, the naive server's (which must be the same), and the statements it cost. */
  async function both(query: string, variables: Record<string, unknown> = {}) {
    const [mine, reference] = await Promise.all([server.gql(query, variables, agent), naive.gql(query, variables, naiveAgent)]);
    expect(mine.status).toBe(reference.status);
    const { extensions: _mine, ...body } = mine.body as Record<string, unknown>;
    const { extensions: _reference, ...expected } = reference.body as Record<string, unknown>;
    expect(body).toEqual(expected);
    return { body: mine.body as any, count: mine.body.extensions?.sqlStatements as number };
  }

  it('through fragment spreads, inline fragments and a variable page size: one statement', async () => {
    const { body, count } = await both(
      `query ($n: Int!, $c: Int!) { tickets(first: $n) { edges { ... on TicketEdge { node { ...T } } } } }
       fragment T on Ticket { id requester { name } ... on Ticket { assignee { name } tags { name } }
         comments(last: $c) { edges { node { body author { name } } } } }`,
      { n: 30, c: 4 },
    );
    expect(body.data.tickets.edges).toHaveLength(30);
    expect(body.data.tickets.edges.some((e: any) => e.node.comments.edges.length === 4)).toBe(true);
    expect(count).toBe(AUTH + 1);
  });

  it('aliases of the same comments page share what was read along', async () => {
    const { count } = await both(`{ tickets(first: 20) { edges { node { id
      a: comments(first: 3) { edges { node { body } } } b: comments(first: 3) { edges { node { author { name } } } } } } } }`);
    expect(count).toBe(AUTH + 1);
  });

  it('a skipped relation is not answered, whatever was read along', async () => {
    const { body } = await both(
      `query ($skip: Boolean!) { tickets(first: 10) { edges { node { id tags @skip(if: $skip) { name }
        comments(first: 2) @include(if: false) { edges { node { body } } } } } } }`,
      { skip: true },
    );
    expect(Object.keys(body.data.tickets.edges[0].node)).toEqual(['id']);
  });

  it('a comments page size out of range is the comments field’s own error, as without reading along', async () => {
    const { body } = await both(`{ tickets(first: 3) { edges { node { id comments(first: 500) { edges { node { body } } } } } } }`);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages after a cursor and filtered lists stay with the loaders, with the same answers', async () => {
    const first = await both(`{ tickets(first: 5) { pageInfo { endCursor } edges { node { id } } } }`);
    const after = first.body.data.tickets.pageInfo.endCursor;
    const { count } = await both(
      `query ($after: String) { tickets(first: 10, after: $after, filter: { unassigned: false }) { edges { node { id requester { name }
        tags { name } comments(first: 2) { edges { node { body author { name } } } } } } } }`,
      { after },
    );
    // page, people, tags, comments; the authors may all be known already
    expect(count).toBeGreaterThanOrEqual(AUTH + 4);
    expect(count).toBeLessThanOrEqual(AUTH + 5);
  });
});

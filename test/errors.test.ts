// Client mistakes get a GraphQL error with a stable extensions.code and a message a person can act on;
// never a stack trace, never an HTTP 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type GraphQLResponse, type TestServer } from './harness.ts';

function expectClientError(result: GraphQLResponse, code: string, message: RegExp) {
  expect(result.status).toBeLessThan(500);
  expect(result.body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
  expect(result.body.errors?.[0]?.message).toMatch(message);
  expect(JSON.stringify(result.body)).not.toMatch(/\bat .+\.(ts|js):\d+|"stack"|originalError/);
}

describe('bad input', () => {
  let server: TestServer;
  let agent: string;
  let customer: string;

  beforeAll(async () => {
    server = await startTestServer();
    [agent, customer] = await Promise.all([server.login('agent@acme.test'), server.login('customer@acme.test')]);
  });
  afterAll(() => server?.close());

  it('a malformed global ID is BAD_USER_INPUT', async () => {
    const result = await server.gql('{ ticket(id: "not-an-id") { id } }', {}, agent);
    expectClientError(result, 'BAD_USER_INPUT', /is not a deskgraph ID/);
  });

  it('an ID of the wrong type is BAD_USER_INPUT', async () => {
    const me = await server.gql('{ viewer { id } }', {}, agent);
    const result = await server.gql('query ($id: ID!) { ticket(id: $id) { id } }', { id: me.body.data!.viewer.id }, agent);
    expectClientError(result, 'BAD_USER_INPUT', /is a User ID; a Ticket ID is expected/);
  });

  it('an unknown ID is NOT_FOUND', async () => {
    const id = Buffer.from('Ticket:999999').toString('base64');
    expectClientError(await server.gql('query ($id: ID!) { ticket(id: $id) { id } }', { id }, agent), 'NOT_FOUND', /does not exist/);
  });

  it('a page size over the maximum is BAD_USER_INPUT, not a silent clamp', async () => {
    const result = await server.gql('{ tickets(first: 101) { edges { node { id } } } }', {}, agent);
    expectClientError(result, 'BAD_USER_INPUT', /"first" must be between 0 and 100/);
  });

  it('a cursor that was never issued is BAD_USER_INPUT', async () => {
    const result = await server.gql('{ tickets(first: 5, after: "garbage") { edges { node { id } } } }', {}, agent);
    expectClientError(result, 'BAD_USER_INPUT', /is not a cursor/);
  });

  it('an invalid enum in variables is BAD_USER_INPUT with HTTP 400', async () => {
    const result = await server.gql(
      'query ($s: [TicketStatus!]) { tickets(filter: { status: $s }) { edges { node { id } } } }',
      { s: ['DONE'] },
      agent,
    );
    expect(result.status).toBe(400);
    expectClientError(result, 'BAD_USER_INPUT', /Value "DONE" does not exist in "TicketStatus" enum/);
  });

  it('an invalid enum literal fails validation with HTTP 400', async () => {
    const result = await server.gql('{ tickets(filter: { status: [DONE] }) { edges { node { id } } } }', {}, agent);
    expect(result.status).toBe(400);
    expectClientError(result, 'GRAPHQL_VALIDATION_FAILED', /DONE/);
  });

  it('a syntax error is GRAPHQL_PARSE_FAILED with HTTP 400', async () => {
    const result = await server.gql('{ tickets(first: 1) { edges { node { id }', {}, agent);
    expect(result.status).toBe(400);
    expectClientError(result, 'GRAPHQL_PARSE_FAILED', /Syntax Error/);
  });

  it('an empty title is BAD_USER_INPUT naming the field', async () => {
    const result = await server.gql('mutation { createTicket(input: { title: "   ", body: "x" }) { ticket { id } } }', {}, agent);
    expectClientError(result, 'BAD_USER_INPUT', /title must not be empty/);
  });

  it('an unknown token is UNAUTHENTICATED, with HTTP 401 rather than 500', async () => {
    const result = await server.gql('{ viewer { id } }', {}, 'dg_not-a-token');
    expect(result.status).toBe(401);
    expectClientError(result, 'UNAUTHENTICATED', /unknown or was revoked/);
  });

  it('an expired token is UNAUTHENTICATED', async () => {
    await server.database.prisma.apiToken.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const result = await server.gql('{ viewer { id } }', {}, customer);
    expectClientError(result, 'UNAUTHENTICATED', /expired/);
    agent = await server.login('agent@acme.test');
  });

  it('a malformed Authorization header is UNAUTHENTICATED', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Token abc' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a wrong password is UNAUTHENTICATED without saying which part was wrong', async () => {
    const wrong = await server.gql('mutation { login(email: "agent@acme.test", password: "nope") { token } }');
    expectClientError(wrong, 'UNAUTHENTICATED', /^Email or password is incorrect\.$/);
    const unknown = await server.gql('mutation { login(email: "nobody@acme.test", password: "nope") { token } }');
    expectClientError(unknown, 'UNAUTHENTICATED', /^Email or password is incorrect\.$/);
  });

  it('a body that is not JSON is a 400, not a 500', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
  });
});

// Subscriptions are answered as event streams only (server/live/); graphql-jit, which also replaces
// subscribe, must not take them over: the answer is the same with and without it.
describe.each([
  ['with graphql-jit', true],
  ['with graphql-js', false],
] as const)('a subscription asked for as a single JSON response (%s)', (_name, jit) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { jit } });
  });
  afterAll(() => server?.close());

  it('is refused with HTTP 406 and EVENT_STREAM_REQUIRED, and opens nothing', async () => {
    const token = await server.login('agent@acme.test');
    const result = await server.gql('subscription { ticketsChanged(first: 1) { totalCount } }', {}, token);
    expect(result.status, JSON.stringify(result.body)).toBe(406);
    expectClientError(result, 'EVENT_STREAM_REQUIRED', /text\/event-stream/);
    expect(result.body).not.toHaveProperty('data');
    expect(server.live!.counts).toMatchObject({ subscribers: 0, groups: 0, runs: 0 });
  });

  it('an introspection field at the root of a subscription fails validation with HTTP 400', async () => {
    const result = await server.gql('subscription { __typename }');
    expect(result.status, JSON.stringify(result.body)).toBe(400);
    expectClientError(result, 'GRAPHQL_VALIDATION_FAILED', /introspection top level field/);
  });
});

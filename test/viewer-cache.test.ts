// The token → viewer cache without a response cache: a single instance without Redis hears every logout
// (it runs them), so it remembers who a token belongs to and a request costs only its resolvers'
// statements. With Redis and no response cache there is no bus to hear other instances' logouts, so
// every request looks its token up (test/viewer-cache.pg.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const TICKETS = 'query FirstTicket { tickets(first: 1) { edges { node { id title } } } }';

async function statements(server: TestServer, token: string): Promise<number> {
  const result = await server.gql(TICKETS, {}, token);
  expect(result.body.errors).toBeUndefined();
  return result.body.extensions?.sqlStatements as number;
}

describe('token → viewer cache with the response cache off', () => {
  let single: TestServer;

  beforeAll(async () => {
    single = await startTestServer({ cache: { enabled: false, redis: null } });
  });
  afterAll(() => single?.close());

  it('a single instance without Redis looks a token up once, and forgets it at logout', async () => {
    const token = await single.login('agent@acme.test');
    const first = await statements(single, token);
    const second = await statements(single, token);
    // The first request looked the token up; the second asked only for the ticket page.
    expect([first, second]).toEqual([2, 1]);
    expect(await statements(single, token)).toBe(second);

    const logout = await single.gql<{ logout: boolean }>('mutation { logout }', {}, token);
    expect(logout.body.data?.logout).toBe(true);
    const after = await single.gql(TICKETS, {}, token);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

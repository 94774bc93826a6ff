// With Redis but no response cache there is no invalidation bus, so no instance could hear another's
// logout: the token → viewer cache stays off and every request looks its token up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

let server: TestServer;

async function statementsFor(token: string): Promise<number> {
  const result = await server.gql('query FirstTicket { tickets(first: 1) { edges { node { id } } } }', {}, token);
  expect(result.body.errors).toBeUndefined();
  return result.body.extensions?.sqlStatements as number;
}
beforeAll(async () => {
  server = await startTestServer({
    cache: { enabled: false, redis: process.env.TEST_REDIS_URL ? { kind: 'single', url: process.env.TEST_REDIS_URL } : null },
  });
});
afterAll(() => server?.close());

it('with Redis but no response cache, every request looks its token up', async () => {
  expect(process.env.TEST_REDIS_URL, 'the postgres project runs with TEST_REDIS_URL').toBeTruthy();
  const token = await server.login('agent@acme.test');
  const first = await statementsFor(token);
  // tickets page + the token lookup, every time
  expect(first).toBe(2);
  expect(await statementsFor(token)).toBe(first);
});

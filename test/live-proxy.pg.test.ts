// Live updates through a real reverse proxy: nginx with its defaults (HTTP/1.1 upstream, responses
// buffered) and a client that asks for gzip, as browsers do. Each event must pass as it happens: neither
// our compression nor the proxy may hold a stream's bytes back. (The server also sends
// X-Accel-Buffering: no for proxies configured to buffer harder; nginx 1.22's defaults pass events on
// either way.) Runs with the real servers: CI installs nginx next to PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { startNginx, type Nginx } from './nginx.ts';
import { fresh, ok } from './processes.ts';
import { subscribe, type SseSubscription } from './sse.ts';

const DETAIL = 'subscription Detail($id: ID!) { ticketChanged(id: $id) { id title } }';
const UPDATE = 'mutation Update($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }';

describe('live updates through nginx', () => {
  let server: TestServer;
  let nginx: Nginx;
  let token: string;
  let id: string;
  const open: SseSubscription[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    nginx = await startNginx(new URL(server.url));
    token = await server.login('agent@acme.test');
    const list = await server.gql<any>('{ tickets(first: 1) { edges { node { id } } } }', {}, token);
    id = list.body.data!.tickets.edges[0].node.id as string;
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await nginx?.stop();
    await server?.close();
  });

  it('each event passes the proxy as it happens: the current result, then the change', async () => {
    const s = await subscribe(`${nginx.base}/graphql`, DETAIL, { id }, token, { 'accept-encoding': 'gzip, br' });
    open.push(s);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(s.headers.get('content-encoding') ?? 'none').toBe('none');
    expect((await s.next(5000)).data!.ticketChanged.id).toBe(id);
    const title = fresh('Through nginx');
    ok(await server.gql(UPDATE, { input: { id, title } }, token), 'update');
    expect((await s.next(5000)).data!.ticketChanged.title).toBe(title);
  });
});

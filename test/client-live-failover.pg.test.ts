// The web client's live updates when an instance shuts down: its streams end with SERVICE_UNAVAILABLE,
// and the client (client/src/urql/live-transport.ts) subscribes again, which the balancer (here a relay
// switched to the other instance) sends elsewhere. Nothing of the shutdown reaches the view: no error
// result, and the change made on the other instance arrives on the new stream.
import { createServer, connect, type Socket } from 'node:net';
import { Client, type OperationResult } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { cacheConfig } from '../client/src/urql/cache-config.ts';
import { apiExchanges, CSRF_HEADERS } from '../client/src/urql/client.ts';
import { liveExchange } from '../client/src/urql/live-exchange.ts';
import { liveStatus } from '../client/src/urql/live-status.ts';
import { TicketDetailLiveDocument, type TicketDetailLiveSubscription } from '../client/src/gql/graphql.ts';
import { deletePrefix, fresh, ok, startServer, stopAll, uniquePrefix, type ServerProcess } from './processes.ts';
import { copyTemplate } from './template-db.ts';

let drop: (() => Promise<void>) | null = null;
let redisUrl: string;
let keyPrefix: string;
let a: ServerProcess;
let b: ServerProcess;
/** A balancer in front of both: new connections go to `target`'s port. */
let target = 0;
const sockets = new Set<Socket>();
const balancer = createServer((client) => {
  const upstream = connect(target, '127.0.0.1');
  for (const socket of [client, upstream]) {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  }
  client.pipe(upstream).pipe(client);
});

beforeAll(async () => {
  const copy = await copyTemplate(inject('template'));
  drop = copy.drop;
  if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
  if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
  redisUrl = process.env.TEST_REDIS_URL;
  keyPrefix = uniquePrefix('live-client');
  const common = { databaseUrl: copy.config.url, redisUrl, keyPrefix };
  [a, b] = await Promise.all([startServer({ ...common, name: 'A' }), startServer({ ...common, name: 'B' })]);
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  balancer.close();
  await stopAll();
  if (keyPrefix) await deletePrefix(redisUrl, keyPrefix);
  await drop?.();
});

it("an instance's shutdown is invisible to the view: the client subscribes again and the next change arrives", async () => {
  target = a.port;
  const origin = `http://127.0.0.1:${(balancer.address() as { port: number }).port}`;
  const token = await a.login('agent@acme.test');
  const list = ok(await a.gql<any>('{ tickets(first: 1) { edges { node { id } } } }', {}, token), 'list');
  const id = list.tickets.edges[0].node.id as string;

  const realFetch = globalThis.fetch;
  let streams = 0;
  globalThis.fetch = (input, init) => {
    if (new Headers(init?.headers).get('accept') === 'text/event-stream') streams++;
    return realFetch(input, init);
  };
  const headers = () => ({ ...CSRF_HEADERS, authorization: `Bearer ${token}` });
  let unauthenticated = 0;
  const client = new Client({
    url: `${origin}/graphql`,
    exchanges: apiExchanges(cacheExchange(cacheConfig), () => unauthenticated++, liveExchange(headers, origin)),
  });
  const results: OperationResult<TicketDetailLiveSubscription>[] = [];
  const subscription = client
    .subscription(TicketDetailLiveDocument, { id, commentsAfter: null })
    .subscribe((result) => results.push(result));
  try {
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    expect(liveStatus.get()).toBe('live');

    // A goes away; the balancer sends what comes next to B.
    target = b.port;
    a.signal('SIGTERM');
    await a.exited();
    await expect.poll(() => streams, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => liveStatus.get(), { timeout: 10_000 }).toBe('live');

    const title = fresh('Changed on B');
    ok(
      await b.gql(
        'mutation ($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id } } }',
        { input: { id, title } },
        token,
      ),
      'update',
    );
    await expect.poll(() => results.at(-1)?.data?.ticketChanged?.title, { timeout: 10_000 }).toBe(title);
    expect(results.map((result) => result.error?.message)).toEqual(results.map(() => undefined));
    expect(unauthenticated).toBe(0);
  } finally {
    subscription.unsubscribe();
    globalThis.fetch = realFetch;
  }
});

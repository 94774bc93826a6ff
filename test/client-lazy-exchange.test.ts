// The web client loads its cache exchange after the shell (client/src/urql/lazy-exchange.ts): what the
// views send before it arrives must wait, reach the network in the order sent, and get its answer; once
// loaded, the exchange is the one in use (a cached query does not reach the network again).
import { cacheExchange, Client, fetchExchange, type Exchange } from '@urql/core';
import { expect, test } from 'vitest';
import { lazyExchange } from '../client/src/urql/lazy-exchange.ts';

// Plain strings, not gql tags: codegen would check them against our schema, and these fields are not in it.
const First = 'query First { first }';
const Second = 'query Second { second }';
const Change = 'mutation Change { change }';

test('operations sent before the exchange is loaded wait for it, in order, and get their results', async () => {
  const sent: string[] = [];
  let load!: (exchange: Exchange) => void;
  const client = new Client({
    url: 'http://deskgraph.test/graphql',
    exchanges: [lazyExchange(new Promise<Exchange>((resolve) => (load = resolve))), fetchExchange],
    // The network: answers every operation with its own name as the field's value.
    fetch: async (input, init) => {
      const name = new URL(String(input)).searchParams.get('operationName') ?? JSON.parse(String(init?.body)).operationName;
      sent.push(name);
      const field = name === 'Change' ? 'change' : name === 'First' ? 'first' : 'second';
      return new Response(JSON.stringify({ data: { [field]: name } }), { headers: { 'content-type': 'application/json' } });
    },
  });

  const results = Promise.all([
    client.query(First, {}).toPromise(),
    client.mutation(Change, {}).toPromise(),
    client.query(Second, {}).toPromise(),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(sent, 'nothing reaches the network before the exchange is there').toEqual([]);

  load(cacheExchange);
  const [first, change, second] = await results;
  expect([first.data, change.data, second.data]).toEqual([{ first: 'First' }, { change: 'Change' }, { second: 'Second' }]);
  expect(sent).toEqual(['First', 'Change', 'Second']);

  // The loaded exchange is in the pipeline: its cache answers, the network is not asked again.
  const again = await client.query(First, {}).toPromise();
  expect(again.data).toEqual({ first: 'First' });
  expect(sent).toEqual(['First', 'Change', 'Second']);
});

// Peer: Mercurius on Fastify 5 with graphql-jit (`jit: 1`), no cache.
// node --import tsx bench/peers/mercurius-jit.ts — contract in bench/peers/lib/runtime.ts.
import { serveMercurius } from './lib/mercurius.ts';
import { runPeer } from './lib/runtime.ts';

runPeer('mercurius-jit', (runtime) => serveMercurius(runtime, { jit: true, cache: false }));

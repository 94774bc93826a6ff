// Peer: Mercurius on Fastify 5, no JIT, no cache, on deskgraph's schema, context and database.
// node --import tsx bench/peers/mercurius.ts — contract in bench/peers/lib/runtime.ts.
import { serveMercurius } from './lib/mercurius.ts';
import { runPeer } from './lib/runtime.ts';

runPeer('mercurius', (runtime) => serveMercurius(runtime, { jit: false, cache: false }));

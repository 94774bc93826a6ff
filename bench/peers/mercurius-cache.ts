// Peer: Mercurius with graphql-jit and mercurius-cache (in memory, per Query field, keyed per viewer,
// invalidated through deskgraph's resolver hooks) — setup and limits in bench/peers/lib/mercurius.ts.
// node --import tsx bench/peers/mercurius-cache.ts — contract in bench/peers/lib/runtime.ts.
import { serveMercurius } from './lib/mercurius.ts';
import { runPeer } from './lib/runtime.ts';

runPeer('mercurius-cache', (runtime) => serveMercurius(runtime, { jit: true, cache: true }));

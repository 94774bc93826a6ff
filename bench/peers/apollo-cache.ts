// Peer: Apollo Server 4 with @apollo/server-plugin-response-cache (in-memory, private per token,
// deskgraph's cacheMaxAge hints mapped to Apollo's) — setup and limits in bench/peers/lib/apollo.ts.
// node --import tsx bench/peers/apollo-cache.ts — contract in bench/peers/lib/runtime.ts.
import { serveApollo } from './lib/apollo.ts';
import { runPeer } from './lib/runtime.ts';

runPeer('apollo-cache', (runtime) => serveApollo(runtime, { cache: true }));

// Peer: Apollo Server 4 (no response cache) on deskgraph's schema, context and database.
// node --import tsx bench/peers/apollo.ts — contract in bench/peers/lib/runtime.ts.
import { serveApollo } from './lib/apollo.ts';
import { runPeer } from './lib/runtime.ts';

runPeer('apollo', (runtime) => serveApollo(runtime, { cache: false }));

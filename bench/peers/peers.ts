// The peer servers of `npm run bench` (issue 6, scenario 5): each is bench/peers/<name>.ts, started as
// `node --import tsx bench/peers/<name>.ts` with PORT, HOST, DATABASE_URL (contract: lib/runtime.ts).

export interface Peer {
  name: string;
  label: string;
  /** The peer answers repeated reads from a cache of its own. */
  cached: boolean;
  /** Its cache is invalidated by writes: a stale read after one is a defect (bench/peers/check.ts fails). */
  invalidates?: boolean;
  /** What its cache does and cannot do (for the results table's notes). */
  note: string;
}

export const PEERS: readonly Peer[] = [
  { name: 'apollo', label: 'Apollo Server 4', cached: false, note: 'integration API on node:http, default plugins' },
  {
    name: 'apollo-cache',
    label: 'Apollo Server 4 + response cache',
    cached: true,
    note: 'whole responses in memory, private per token; no invalidation (stale until maxAge after a write), no sharing between users, context (token lookup) still runs on a hit',
  },
  { name: 'mercurius', label: 'Mercurius', cached: false, note: 'Fastify 5, no JIT' },
  { name: 'mercurius-jit', label: 'Mercurius + JIT', cached: false, note: 'graphql-jit after the first request of a document' },
  {
    name: 'mercurius-cache',
    label: 'Mercurius + JIT + mercurius-cache',
    cached: true,
    invalidates: true,
    note: "Query resolvers' results in memory, per viewer, invalidated by deskgraph's tags; nested fields still hit the database",
  },
];

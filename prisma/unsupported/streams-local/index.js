// Only `prisma dev` (Prisma's own local Postgres server) imports this module. deskgraph does not use
// `prisma dev`: `npm start` runs an embedded PostgreSQL (PGlite) and `npm run db:migrate` migrates.
export async function startLocalDurableStreamsServer() {
  throw new Error('`prisma dev` is not supported in deskgraph (its streams server needs Node 22 and Bun). Use `npm start`.');
}

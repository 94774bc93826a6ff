// deskgraph with loader batching off: the N+1 baseline of `npm run bench` (scenario 2, "naive").
// Same schema, same resolvers, same configuration from the environment as server/main.ts; the only
// difference is createApp's `loaderOptions: { batch: false }` (schema/loaders.ts), so every relation a
// resolver loads is its own SQL statement per parent — what resolvers calling Prisma per parent do.
// (The per-request memo of DataLoader stays: the same user asked twice in one request is read once.)
// Run as a child: node --import tsx bench/lib/deskgraph-naive.ts, with the same env as server/main.ts.
import { createApp, loadPersistedDocuments } from '../../server/app.ts';
import { prepareDatabase } from '../../server/platform/prepare-database.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { openDatabase } from '../../server/platform/database.ts';
import { createLogger } from '../../server/platform/logger.ts';

const config = loadConfig();
const logger = createLogger(config);
const database = await openDatabase(config.database);
await prepareDatabase(database, config, logger);
const app = createApp({
  config,
  database,
  logger,
  loaderOptions: { batch: false },
  persistedDocuments: await loadPersistedDocuments(config),
});
const url = await app.listen();
logger.info({ url }, `deskgraph (loader batching off) listening on ${url}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

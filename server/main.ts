// npm start: read the configuration, open the database, prepare it, serve. Stops cleanly on SIGINT/SIGTERM.
import { createApp, loadPersistedDocuments } from './app.ts';
import { schema } from '../schema/index.ts';
import { watchManifest } from './persisted/watch-manifest.ts';
import { prepareDatabase } from './platform/prepare-database.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { openDatabase } from './platform/database.ts';
import { createLogger } from './platform/logger.ts';
import { startupLine, startupSummary } from './platform/startup-summary.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);
  const database = await openDatabase(config.database, { readReplicas: true, logger });
  const persistedDocuments = await loadPersistedDocuments(config);
  // Before the database work (a first start seeds for a while): a missing client build stops us at once.
  const app = createApp({ config, database, logger, persistedDocuments });
  await prepareDatabase(database, config, logger);
  const manifest = config.persisted.manifest;
  if (config.web.mode === 'vite' && manifest && !/^https?:\/\//.test(manifest)) watchManifest(manifest, persistedDocuments, schema, logger);
  // Start serving even when Redis is not there yet: the cache stays bypassed until it is.
  if (app.store?.redis && !(await app.store.redis.whenHealthy(3000))) {
    logger.warn('Redis is not reachable yet: answering from the database until it is');
  }
  const url = await app.listen();
  if (app.warmer) {
    app.warmer.startSharing();
    void app.warmer.warmFromShared().then((ran) => ran > 0 && logger.info({ ran }, 'cache warmed from the shared hot list'));
  }
  const summary = startupSummary(config, url);
  logger.info({ url, nodeEnv: config.nodeEnv, ...summary }, startupLine(config, url, summary));

  // Shutdown. On SIGTERM (what an orchestrator sends) with SHUTDOWN_DELAY_MS, first stay in service while
  // /ready answers 503, so a load balancer takes the instance out meanwhile; Ctrl-C (SIGINT) skips that.
  // Then stop accepting, let requests in flight finish for up to SHUTDOWN_TIMEOUT_MS, and close the cache
  // and the database. Exit code 0 when every request finished; 1 when some had to be cut off at the
  // deadline or closing hung (a hard stop 1 s past the deadline: a database that does not answer must not
  // keep a stopping process alive).
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const delay = signal === 'SIGTERM' ? config.shutdownDelayMs : 0;
    const deadline = config.shutdownTimeoutMs;
    const hardStop = () => {
      logger.warn({ shutdownTimeoutMs: deadline }, 'shutdown did not complete in time: exiting anyway');
      process.exit(1);
    };
    setTimeout(hardStop, delay + deadline + 1000).unref();
    if (delay > 0) {
      logger.info({ signal, shutdownDelayMs: delay }, 'leaving the rotation: /ready answers 503, requests are still served');
      await app.leaveRotation(delay);
    }
    logger.info({ signal, shutdownTimeoutMs: deadline }, 'shutting down: no new connections, finishing requests in flight');
    const { cutOff } = await app.close(deadline);
    await database.close();
    logger.info({ cutOff }, cutOff ? `stopped; ${cutOff} requests were cut off at the deadline` : 'stopped; every request finished');
    process.exit(cutOff ? 1 : 0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`deskgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

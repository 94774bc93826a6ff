// What every peer server shares: deskgraph's configuration and database (server/platform/config.ts,
// server/platform/database.ts), the process-wide SQL statement tally behind GET /bench-stats, GET /ready, and a
// clean stop on SIGINT/SIGTERM. Each peer only adds its framework on top (bench/peers/<name>.ts).
//
// Contract (what `npm run bench` relies on): started as `node --import tsx bench/peers/<name>.ts` with
// PORT, HOST (default 127.0.0.1), DATABASE_URL (a seeded PostgreSQL; without it the embedded PGlite of
// DATA_DIR, like deskgraph), optional REDIS_URL; serves POST /graphql (JSON {query, variables,
// operationName}, "Authorization: Bearer <token>" from the login mutation), GET /ready (200 once it
// can serve, 503 while the database is unreachable) and GET /bench-stats ({"sqlStatements": n}, every
// statement the process sent to the database so far, /ready's own probes excluded).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { prepareDatabase } from '../../../server/platform/prepare-database.ts';
import { ConfigError, loadConfig, type Config } from '../../../server/platform/config.ts';
import { openDatabase, type Database } from '../../../server/platform/database.ts';
import { createLogger, type Logger } from '../../../server/platform/logger.ts';
import { statementsSent } from '../../../server/platform/sql-statements.ts';
import type { SchemaSettings } from '../../../schema/context.ts';

/**
 * /ready's probes, left out of /bench-stats: the statements a peer sent are the process's total at the
 * driver adapter (server/platform/sql-statements.ts's statementsSent) less these.
 */
let probeStatements = 0;

export interface PeerRuntime {
  name: string;
  config: Config;
  database: Database;
  logger: Logger;
  settings: SchemaSettings;
  /** true when the database answers; its probe is not counted in /bench-stats. */
  ready(): Promise<boolean>;
  stats(): { sqlStatements: number };
}

export interface RunningPeer {
  /** Stops accepting requests and lets those in flight finish. */
  close(): Promise<void>;
}

/** Answers GET /ready and GET /bench-stats on a node:http server; false for any other request. */
export function serveSideRoutes(runtime: PeerRuntime, req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/bench-stats') {
    sendJson(res, 200, runtime.stats());
    return true;
  }
  if (path === '/ready') {
    return runtime.ready().then((ok) => {
      sendJson(res, ok ? 200 : 503, ok ? { status: 'ready', peer: runtime.name } : { status: 'unavailable', database: 'unreachable' });
      return true;
    });
  }
  return false;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

/**
 * Reads the configuration (deskgraph's, with HOST defaulting to 127.0.0.1 and documents accepted as
 * text), opens and prepares the database, starts the peer, and stops it on SIGINT/SIGTERM.
 */
export function runPeer(name: string, start: (runtime: PeerRuntime) => Promise<RunningPeer>): void {
  let config: Config;
  try {
    config = loadConfig({
      ...process.env,
      HOST: process.env.HOST || '127.0.0.1',
      // Peers take documents as text (POST {query}); production's default, `require`, would refuse them.
      PERSISTED_OPERATIONS: process.env.PERSISTED_OPERATIONS || 'allow',
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config).child({ peer: name });

  const main = async () => {
    const database = await openDatabase(config.database);
    await prepareDatabase(database, config, logger);
    const runtime: PeerRuntime = {
      name,
      config,
      database,
      logger,
      settings: { maxPageSize: config.maxPageSize, tokenTtlHours: config.tokenTtlHours },
      ready: () => {
        probeStatements += 1;
        return database.prisma.$queryRaw`SELECT 1`.then(
          () => true,
          () => false,
        );
      },
      stats: () => ({ sqlStatements: statementsSent() - probeStatements }),
    };
    const running = await start(runtime);
    logger.info(
      { port: config.port, host: config.host, database: database.label },
      `peer ${name} listening on http://${config.host}:${config.port}/graphql`,
    );

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const forced = setTimeout(() => process.exit(0), config.shutdownTimeoutMs);
      forced.unref();
      await running.close().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
      await database.close().catch(() => {});
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  };

  main().catch((error: unknown) => {
    console.error(`${name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}

// Composes the request path: HTTP routes, then yoga with its plugins in order, then the schema.
// Reads like a table of contents; each concern lives in its own module.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { schema } from '../schema/index.ts';
import type { Context } from '../schema/context.ts';
import type { LoaderOptions } from '../schema/loaders.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import { maskedErrors } from './errors.ts';
import type { Logger } from './logger.ts';
import { withStatementTally, type StatementTally } from './sql-statements.ts';
import { useErrorCodes } from './use-error-codes.ts';
import { useStatementCount, type StatementServerContext } from './use-statement-count.ts';
import { useViewer } from './use-viewer.ts';

export interface AppOptions {
  config: Config;
  database: Database;
  logger: Logger;
  /** For tests and benchmarks: turn loader batching off to measure the N+1 baseline. */
  loaderOptions?: LoaderOptions;
}

const exampleQuery = `# Sign in first (mutation below), then add the header
#   { "Authorization": "Bearer <token>" }
# and run MyOpenTickets.

mutation SignIn {
  login(email: "agent@acme.test", password: "deskgraph") { token user { name role } }
}

query MyOpenTickets {
  tickets(first: 10, filter: { status: [OPEN, IN_PROGRESS] }) {
    totalCount
    edges { node { id number title priority requester { name } assignee { name } tags { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export function createApp({ config, database, logger, loaderOptions }: AppOptions) {
  const yoga = createYoga<StatementServerContext, Context>({
    schema,
    logging: logger.child({ component: 'yoga' }),
    maskedErrors,
    graphiql: config.graphiql ? { title: 'deskgraph', defaultQuery: exampleQuery } : false,
    landingPage: false,
    plugins: [
      useErrorCodes(),
      useViewer({
        prisma: database.prisma,
        settings: { maxPageSize: config.maxPageSize, tokenTtlHours: config.tokenTtlHours },
        loaderOptions,
      }),
      ...(config.exposeStatementCount ? [useStatementCount()] : []),
    ],
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') {
      try {
        await database.prisma.$queryRaw`SELECT 1`;
        return sendJson(res, 200, { status: 'ready', database: 'ok' });
      } catch {
        return sendJson(res, 503, { status: 'unavailable', database: 'unreachable' });
      }
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    const statementTally: StatementTally = { count: 0 };
    await withStatementTally(statementTally, () => yoga.handle(req, res, { statementTally }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed outside GraphQL');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  return {
    yoga,
    server,
    /** Starts listening; resolves with the URL of the GraphQL endpoint. */
    async listen(port = config.port, host = config.host): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === 'localhost' ? 'localhost' : shownHost}:${address.port}/graphql`;
    },
    async close(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await yoga.dispose();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

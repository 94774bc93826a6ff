// Which handler answers a path: the API at /graphql (GraphiQL for browsers), the operational endpoints, and everything else
// is the web client (or, with WEB_CLIENT=off, a redirect to the API and 404s).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GRAPHIQL_ASSETS_PATH, isPageRequest, type GraphiQLRoute } from '../graphiql/graphiql-route.ts';
import type { Metrics } from '../platform/metrics.ts';
import type { WebClient } from '../web/web-client-interface.ts';
import { handleVitals } from '../web/vitals.ts';
import { STREAM_ENDPOINT } from '../live/use-single-connection.ts';
import { serveMetrics } from './metrics-endpoint.ts';
import { sendError, sendJson } from '../protocol/send-json.ts';

export interface Routes {
  /** Synchronous (undefined) when a cache hit was answered at once. */
  graphql(req: IncomingMessage, res: ServerResponse, query: string | undefined): Promise<void> | undefined;
  /** The graphql-sse protocol's endpoint for single-connection streams (server/http/stream-route.ts). */
  stream(req: IncomingMessage, res: ServerResponse, query: string | undefined): Promise<void>;
  /** What a browser opening /graphql gets (GraphiQL, or a page saying it is off), and GraphiQL's files. */
  graphiql: GraphiQLRoute;
  ready(res: ServerResponse): Promise<void>;
  metrics: Metrics;
  /** Called before /metrics is rendered, for gauges read on demand. */
  beforeScrape(): void;
  web: WebClient | null;
}

export function createRouter(routes: Routes) {
  return function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/graphql') {
      // Before the cache-hit stage and yoga alike, so both see only requests for the API.
      if (isPageRequest(req)) return routes.graphiql.page(req, res);
      return routes.graphql(req, res, q < 0 ? undefined : url.slice(q + 1));
    }
    if (path === STREAM_ENDPOINT) return routes.stream(req, res, q < 0 ? undefined : url.slice(q + 1));
    if (path.startsWith(GRAPHIQL_ASSETS_PATH)) return routes.graphiql.asset(req, res, path);
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (path === '/ready') return routes.ready(res);
    if (path === '/metrics') {
      routes.beforeScrape();
      return serveMetrics(req, res, routes.metrics.registry);
    }
    if (path === '/vitals') return handleVitals(req, res, routes.metrics);
    if (routes.web) return routes.web.handle(req, res);
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    return sendError(res, 404, `Nothing at ${path}: the API is at /graphql (the web client is off, WEB_CLIENT=off).`, 'NOT_FOUND');
  };
}

// A browser opening /graphql gets a page: GraphiQL when it is on, a page saying it is off otherwise.
// Decided before the cache-hit stage and yoga (routes.ts), with one rule for both (isPageRequest), so a
// cached answer never stands in for the page and yoga's own GraphiQL is never asked (it is off there).
// Both pages are sent with 200: they are the HTML representation of /graphql a browser asked for (the
// Accept header ranks text/html first), and a 406 would show as a failure to people and link checkers
// for a request that got exactly what it can use. Vary: Accept, as other clients get JSON at this URL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PersistedDocuments } from '../persisted/persisted-documents.ts';
import { etagFor, ifNoneMatchHits } from '../protocol/caching-headers.ts';
import { compressNodeResponse } from '../protocol/compression.ts';
import { contentCoding, prefersHtml } from '../protocol/negotiation.ts';
import { sendError } from '../protocol/send-json.ts';
import { loadAssets, type GraphiQLAssets } from './graphiql-assets.ts';
import { offPageHtml, OFF_PAGE_POLICY, type OffPageSettings } from './graphiql-off-page.ts';
import { graphiqlOptions, type GraphiQLSettings } from './graphiql-options.ts';
import { CONTENT_SECURITY_POLICY, graphiqlPageHtml } from './graphiql-page.ts';

export { ASSETS_PATH as GRAPHIQL_ASSETS_PATH } from './graphiql-assets.ts';

export interface GraphiQLRouteOptions extends GraphiQLSettings, OffPageSettings {
  enabled: boolean;
  /** The trusted manifest's documents become example tabs. */
  documents: PersistedDocuments;
}

export interface GraphiQLRoute {
  /** Answers a request isPageRequest() said yes to. */
  page(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** GET /graphql/graphiql/<file>: GraphiQL's files; 404 when GraphiQL is off. */
  asset(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

/** A browser navigating to /graphql: a GET ranking text/html above JSON. Everything else is the API's. */
export function isPageRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' && prefersHtml(req.headers.accept);
}

export function createGraphiQLRoute(options: GraphiQLRouteOptions): GraphiQLRoute {
  let assets: Promise<GraphiQLAssets> | undefined;
  const loaded = (): Promise<GraphiQLAssets> => {
    if (!assets) {
      assets = loadAssets();
      // A failed load (a broken install) is retried by the next request rather than remembered.
      assets.catch(() => (assets = undefined));
    }
    return assets;
  };
  const offPage = offPageHtml(options);

  async function page(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.enabled) return sendPage(req, res, offPage, OFF_PAGE_POLICY);
    const files = await loaded();
    files.prepare(contentCoding(req.headers['accept-encoding']));
    // Rendered per request (a few kB): the tabs follow the manifest, which `npm run dev` may extend.
    const html = graphiqlPageHtml(files.urls, graphiqlOptions(options, options.documents.trustedDocuments.values()));
    return sendPage(req, res, html, CONTENT_SECURITY_POLICY);
  }

  async function asset(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!options.enabled) return sendError(res, 404, `Nothing at ${path}: GraphiQL is off (GRAPHIQL).`, 'NOT_FOUND');
    return (await loaded()).serve(req, res, path);
  }

  return { page, asset };
}

function sendPage(req: IncomingMessage, res: ServerResponse, html: string, policy: string): void {
  const body = Buffer.from(html);
  const etag = etagFor(body, false);
  // Revalidated on every load: a deploy or a new manifest changes the page; the files it names do not.
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    vary: 'Accept',
    etag,
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
  };
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  compressNodeResponse(req, res);
  res.writeHead(200, headers).end(body);
}

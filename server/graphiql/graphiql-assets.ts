// The GraphiQL that @graphql-yoga/render-graphiql bundles (React, GraphiQL, Monaco and its three workers,
// the styles with their fonts inlined), served by this server as files named by their content's hash, so
// a browser fetches each once (cached for a year) and nothing from anywhere else. Yoga's own renderer
// inlines all of it into every page load instead: 9 MB, too large for our response compression and never
// cached. Loaded on the first page view (half a second, ~10 MB of strings), never when GraphiQL is off.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { etagForEncoded, ifNoneMatchHits } from '../protocol/caching-headers.ts';
import { contentCoding, type ContentCoding } from '../protocol/negotiation.ts';
import { sendError } from '../protocol/send-json.ts';
import { BOOT_SCRIPT } from './graphiql-boot.ts';

/** Where the files are served; under the API's path, so a proxy that forwards /graphql forwards them too. */
export const ASSETS_PATH = '/graphql/graphiql/';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const JS = 'text/javascript; charset=utf-8';

interface Asset {
  type: string;
  bytes: Buffer;
  etag: string;
  /** Text is sent compressed, each coding made once on first use (the bundle: 5 MB → 1.3 MB with br). */
  compressible: boolean;
  encoded: Partial<Record<ContentCoding, Promise<Buffer>>>;
}

/** The URL of each file the page loads. */
export interface AssetUrls {
  boot: string;
  js: string;
  css: string;
  favicon: string;
  /** By the label Monaco asks getWorkerUrl for. */
  workers: { editorWorkerService: string; json: string; graphql: string };
}

export interface GraphiQLAssets {
  urls: AssetUrls;
  /** Starts compressing every file for this coding, for the requests the page is about to make. */
  prepare(coding: ContentCoding | null): void;
  /** Answers GET or HEAD of a file under ASSETS_PATH; 404 for any other name. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

export async function loadAssets(): Promise<GraphiQLAssets> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const files = new Map<string, Asset>();
  const add = (name: string, extension: string, type: string, content: string | Buffer): string => {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
    const file = `${name}.${hash}.${extension}`;
    files.set(file, { type, bytes, etag: `"${hash}"`, compressible: !type.startsWith('image/'), encoded: {} });
    return `${ASSETS_PATH}${file}`;
  };
  const urls: AssetUrls = {
    boot: add('boot', 'js', JS, BOOT_SCRIPT),
    js: add('graphiql', 'js', JS, bundle.js),
    css: add('graphiql', 'css', 'text/css; charset=utf-8', bundle.css),
    favicon: add('favicon', 'ico', 'image/x-icon', faviconBytes(bundle.favicon)),
    workers: {
      editorWorkerService: add('editor.worker', 'js', JS, bundle.editorWorkerService),
      json: add('json.worker', 'js', JS, bundle.jsonWorker),
      graphql: add('graphql.worker', 'js', JS, bundle.graphqlWorker),
    },
  };
  return {
    urls,
    prepare(coding) {
      if (!coding) return;
      // Failures surface (and are retried) when the file itself is asked for.
      for (const asset of files.values()) if (asset.compressible) encodedOf(asset, coding).catch(() => undefined);
    },
    async serve(req, res, path) {
      const asset = files.get(path.slice(ASSETS_PATH.length));
      if (!asset)
        return sendError(res, 404, `Nothing at ${path}: GraphiQL's files change names when they change; reload /graphql.`, 'NOT_FOUND');
      return send(req, res, asset);
    },
  };
}

/** The bundle carries its favicon as a data: URL; served as a file, the page makes no data: request either. */
function faviconBytes(dataUrl: string): Buffer {
  const comma = dataUrl.indexOf(',');
  return Buffer.from(dataUrl.slice(comma + 1), 'base64');
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function encodedOf(asset: Asset, coding: ContentCoding): Promise<Buffer> {
  const existing = asset.encoded[coding];
  if (existing) return existing;
  // In zlib's thread pool, not on the event loop: the bundle takes most of a second at brotli quality 5.
  const made =
    coding === 'gzip'
      ? gzipAsync(asset.bytes, { level: 6 })
      : brotli(asset.bytes, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 5,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: asset.bytes.length,
          },
        });
  asset.encoded[coding] = made;
  made.catch(() => delete asset.encoded[coding]);
  return made;
}

async function send(req: IncomingMessage, res: ServerResponse, asset: Asset): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, 405, `${req.method} is not allowed here: GraphiQL's files are read with GET or HEAD.`, 'METHOD_NOT_ALLOWED', {
      allow: 'GET, HEAD',
    });
  }
  const coding = asset.compressible ? contentCoding(req.headers['accept-encoding']) : null;
  const etag = coding ? etagForEncoded(asset.etag) : asset.etag;
  const headers = {
    'content-type': asset.type,
    'cache-control': IMMUTABLE,
    etag,
    'x-content-type-options': 'nosniff',
    ...(asset.compressible ? { vary: 'Accept-Encoding' } : {}),
  };
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  const body = coding ? await encodedOf(asset, coding) : asset.bytes;
  res.writeHead(200, { ...headers, 'content-length': body.length, ...(coding ? { 'content-encoding': coding } : {}) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

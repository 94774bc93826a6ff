// The built web client (client/dist) at /, served by sirv. Hashed files under /assets/ are cached for a
// year; everything else (index.html, /sw.js, public/ files) is revalidated on every use, so a deploy is
// visible on the next load. Browser navigations to client routes (/tickets/…) get index.html; a missing
// file is a 404, never index.html, so a stale chunk fails loudly instead of being parsed as HTML.
import { existsSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv, { type RequestHandler } from 'sirv';
import { contentCoding } from '../protocol/negotiation.ts';
import { sendError } from '../protocol/send-json.ts';
import type { WebClient } from './web-client-interface.ts';

/** What the built index.html may load: only our own origin (the build emits no inline script or style). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Throws, naming the fix, when `dir` holds no built client. */
function assertClientBuilt(dir: string): void {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `the web client is not built: ${existsSync(dir) ? `${index} is missing` : `${dir} does not exist`}. Run \`npm run client:build\` (npm start does it when the sources changed), set WEB_CLIENT_DIR to a built client, or WEB_CLIENT=off to serve the API only.`,
    );
  }
}

export function createStaticClient(dir: string): WebClient {
  assertClientBuilt(dir);
  // sirv lists the directory once; a rebuild (npm run client:build while the server runs) swaps in
  // new files, so the listing is redone when the build's stamp changes. Polling, because the stamp's
  // directory itself is replaced.
  const stamp = path.join(dir, '.build-hash');
  let files = listing(dir);
  const onRebuild = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs) return;
    try {
      files = listing(dir);
    } catch {
      // Polled between the build's two renames (no dist/ for a moment): keep the old listing; the next
      // poll sees the new stamp and lists again.
    }
  };
  watchFile(stamp, { interval: 1000, persistent: false }, onRebuild);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, `${req.method} is not allowed here: the web client is read with GET or HEAD.`, 'METHOD_NOT_ALLOWED', {
        allow: 'GET, HEAD',
      });
    }
    const pathname = pathOf(req);
    // Dotfiles (.vite/manifest.json, .build-hash) are build bookkeeping; sirv skips them too.
    if (pathname === null || /(^|\/)\./.test(pathname)) return notFound(res, pathname);
    // sirv picks the .br/.gz sibling by substring ("br" anywhere); negotiate properly (q=0 means no)
    // and hand it only the coding chosen.
    req.headers['accept-encoding'] = contentCoding(req.headers['accept-encoding']) ?? '';
    res.setHeader('x-content-type-options', 'nosniff');
    await new Promise<void>((resolve) => {
      res.once('close', resolve);
      // A file removed since the listing (a rebuild in progress) must not take the process down.
      res.once('pipe', (source) => source.once('error', () => res.destroy()));
      serve(req, res, pathname, () => {
        if (!isNavigation(req, pathname)) return notFound(res, pathname);
        req.url = '/index.html';
        serve(req, res, '/index.html', () => notFound(res, pathname));
      });
    });
  }

  // Headers are set before sirv runs so its 304s carry them too (RFC 9110 §15.4.5), and taken back
  // when there is no such file.
  function serve(req: IncomingMessage, res: ServerResponse, pathname: string, missing: () => void): void {
    const headers = headersFor(pathname);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    files(req, res, () => {
      for (const name of Object.keys(headers)) res.removeHeader(name);
      missing();
    });
  }

  return {
    ready: Promise.resolve(),
    handle,
    async close() {
      unwatchFile(stamp, onRebuild);
    },
  };
}

function listing(dir: string): RequestHandler {
  // etag: sirv's weak validator (size and mtime of the variant sent), so no-cache revalidates with a 304.
  // extensions: `/` resolves to index.html; nothing else relies on implied extensions.
  return sirv(dir, { etag: true, brotli: true, gzip: true, dotfiles: false, extensions: ['html'] });
}

function headersFor(pathname: string): Record<string, string> {
  const cacheControl = pathname.startsWith('/assets/') ? IMMUTABLE : REVALIDATE;
  const headers: Record<string, string> = { 'cache-control': cacheControl, vary: 'Accept-Encoding' };
  if (pathname === '/' || pathname === '/index.html' || pathname === '/index') headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}

/** A browser asking for a page of the app: no file extension, and HTML accepted. */
function isNavigation(req: IncomingMessage, pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.') && (req.headers.accept ?? '').includes('text/html');
}

function pathOf(req: IncomingMessage): string | null {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return null; // malformed percent-encoding names no file
  }
}

function notFound(res: ServerResponse, pathname: string | null): void {
  // Not cached: the file may exist after the deploy that is under way.
  sendError(res, 404, `Nothing at ${pathname ?? 'this path'}.`, 'NOT_FOUND', { 'cache-control': 'no-store' });
}

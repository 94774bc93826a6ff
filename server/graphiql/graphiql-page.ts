// The HTML of GraphiQL's page: the bundle's files from this server, and the options as JSON for the boot
// script. Its policy (CONTENT_SECURITY_POLICY) lets the page load and connect to this origin only, so
// the browser itself holds GraphiQL to "no network but the server".
import type { AssetUrls } from './graphiql-assets.ts';
import { CONFIG_ELEMENT_ID } from './graphiql-boot.ts';
import type { PageOptions } from './graphiql-options.ts';

/**
 * Scripts from this origin only, none inline. Styles may be inline: Monaco and GraphiQL insert theirs at
 * run time, and what a style can load is still held to img-src and font-src (the bundle's fonts and icons
 * are data: URLs in its stylesheet).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** JSON inside <script>: `<` escaped, so no text of the options can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function graphiqlPageHtml(urls: AssetUrls, options: PageOptions): string {
  const config = { workers: urls.workers, options };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>deskgraph · GraphiQL</title>
    <link rel="icon" href="${urls.favicon}" />
    <link rel="stylesheet" href="${urls.css}" />
    <script id="${CONFIG_ELEMENT_ID}" type="application/json">${scriptJson(config)}</script>
    <script src="${urls.boot}"></script>
    <script src="${urls.js}" defer></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript. Without it, send queries to this URL with POST and a JSON body (see the README).</noscript>
    <div id="root"></div>
  </body>
</html>
`;
}

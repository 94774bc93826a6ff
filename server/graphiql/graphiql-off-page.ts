// What a browser opening /graphql sees when GraphiQL is off (production's default, or GRAPHIQL=false):
// a short page saying so and how to query the API instead, not an error in JSON. Only what this server
// accepts is shown: documents or hashes only (persisted operations), and the CSRF header a GET needs.
import type { PersistedConfig } from '../persisted/persisted-config.ts';
import { CSRF_HEADER } from '../protocol/csrf.ts';

export interface OffPageSettings {
  persistedMode: PersistedConfig['mode'];
  csrfPrevention: boolean;
  /** The web client is served at / (WEB_CLIENT is not off). */
  webClient: boolean;
}

/** No script, no request: inline styles only. */
export const OFF_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function offPageHtml(settings: OffPageSettings): string {
  const persistedOnly = settings.persistedMode === 'require';
  const body = persistedOnly
    ? '{"documentId": "sha256:<hash of a shipped document>", "variables": {}}'
    : '{"query": "{ viewer { name } }", "variables": {}}';
  const getParameters = persistedOnly ? 'documentId=sha256:<hash>' : 'query=%7B__typename%7D';
  const getHeader = settings.csrfPrevention ? ` -H '${CSRF_HEADER}: 1'` : '';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>deskgraph API · GraphiQL is off</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
      pre { background: #f6f8fa; padding: 0.75rem 1rem; overflow-x: auto; border-radius: 6px; }
      code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
    </style>
  </head>
  <body>
    <h1>GraphiQL is off here</h1>
    <p>
      This is the deskgraph GraphQL API. Its in-browser IDE, GraphiQL, is turned off on this server (the <code>GRAPHIQL</code> setting,
      off in production along with introspection).
    </p>
    <h2>How to query the API</h2>
    <p>Send GraphQL over HTTP to this URL: a POST with a JSON body, or a GET with the same parameters in the query string.</p>
    ${
      persistedOnly
        ? `<p>This server runs only the persisted operations its client was built with: send the SHA-256 of a shipped document as
      <code>documentId</code> instead of <code>query</code>.</p>`
        : ''
    }
    <pre>URL=&lt;the address of this page&gt;
curl -X POST "$URL" -H 'content-type: application/json' \\
  -d '${escape(body)}'
curl${escape(getHeader)} "$URL?${escape(getParameters)}"</pre>
    <p>
      To act as a user, sign in with the <code>login</code> mutation and send its token as
      <code>Authorization: Bearer &lt;token&gt;</code>.${settings.csrfPrevention ? ` A GET needs the <code>${CSRF_HEADER}</code> header (any value).` : ''}
    </p>
    <p>
      More in the project's README: "A first query", and "Configuration" for <code>GRAPHIQL</code> and <code>INTROSPECTION</code>.${
        settings.webClient ? ' The web client is at <a href="/">/</a>.' : ''
      }
    </p>
  </body>
</html>
`;
}

// Everything that is not the API (/graphql, /health, /ready, /metrics, /vitals) is the web client:
// the built files (WEB_CLIENT=dist, npm start), Vite's dev server with HMR (WEB_CLIENT=vite, npm run
// dev), or nothing (off).
import type { Server } from 'node:http';
import type { WebConfig } from './web-config.ts';
import { createStaticClient } from './static-client.ts';
import type { WebClient } from './web-client-interface.ts';

/** null when WEB_CLIENT=off. `server` carries Vite's HMR websocket in vite mode. */
export function createWebClient(config: WebConfig, server: Server): WebClient | null {
  if (config.mode === 'off') return null;
  if (config.mode === 'dist') return createStaticClient(config.dir);
  // Imported only in vite mode, so production never loads Vite (or its dependencies).
  const vite = import('./vite-dev.ts').then(({ createViteClient }) => createViteClient(server));
  return {
    ready: vite.then(() => undefined),
    async handle(req, res) {
      return (await vite).handle(req, res);
    },
    async close() {
      await (await vite.catch(() => null))?.close();
    },
  };
}

// WEB_CLIENT=vite (npm run dev): Vite in middleware mode inside the API server, so the client and the
// API share one origin (no proxy, no CORS) and HMR's websocket rides on the same port.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { createServer } from 'vite';
import { projectRoot } from '../../prisma/project-root.ts';
import { sendError } from '../protocol/send-json.ts';
import type { WebClient } from './web-client-interface.ts';

const CONFIG_FILE = path.join(projectRoot, 'client/vite.config.ts');

export async function createViteClient(server: Server): Promise<WebClient> {
  const vite = await createServer({
    configFile: CONFIG_FILE,
    server: { middlewareMode: true, ws: { server } }, // ws.server: Vite 8's name for hmr.server
    appType: 'spa',
  });
  return {
    ready: Promise.resolve(),
    handle(req: IncomingMessage, res: ServerResponse) {
      return new Promise<void>((resolve) => {
        res.once('close', resolve);
        vite.middlewares(req, res, () => sendError(res, 404, `Nothing at ${req.url}.`, 'NOT_FOUND'));
      });
    },
    close: () => vite.close(),
  };
}

// What each way of serving the web client (static-client.ts, vite-dev.ts) gives the server. In a module
// of its own because web-client.ts, which picks one, imports them.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface WebClient {
  /** Settles when the client can be served; rejects with what stopped it (listen() waits for it). */
  ready: Promise<void>;
  /** Resolves when the response is finished. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

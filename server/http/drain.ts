// Serving and stopping. Optionally first leaving a load balancer's rotation: /ready answers 503 while every
// other request is still served, each on a connection closed after its response, so the balancer stops
// sending before we stop accepting and never writes to a connection we are closing. Then the drain:
// requests still running finish (a mutation that committed must get to invalidate, and nothing may touch
// the database after it is closed), requests that arrive on open connections meanwhile are refused with
// 503, and past the deadline the rest are cut off.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../platform/logger.ts';
import { sendError, sendJson } from '../protocol/send-json.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Drain {
  /** Answers /ready with 503 and closes each connection after its response, for leaveMs; then resolves. */
  leave(leaveMs: number): Promise<void>;
  /**
   * Stops accepting connections, answers requests on open ones with 503, waits up to drainTimeoutMs
   * for those in flight, then closes every connection. Resolves with how many were cut off.
   */
  close(drainTimeoutMs: number, beforeClosed?: () => Promise<void>): Promise<{ cutOff: number }>;
}

export function serveWithDrain(server: Server, handle: Handler, logger: Logger): Drain {
  let inFlight = 0;
  let drained: (() => void) | null = null;
  // Set by leave(): still serving, but no longer ready, and no connection kept alive.
  let leaving = false;
  // Set by close(): the listener is closed, so only requests on connections already open get here.
  let draining = false;
  let refused = 0;

  // A request on a kept-alive connection while we drain: answered at once, and the connection closed
  // so the client's next attempt opens a new one (on another instance). /ready says so to the balancer.
  function refuse(req: IncomingMessage, res: ServerResponse): void {
    // The first one is logged, the rest counted (close() logs the total): a busy drain must not flood the log.
    if (refused++ === 0) logger.info({ path: req.url }, 'refused a request while draining (503, connection closed)');
    const headers = { connection: 'close', 'retry-after': '1' };
    if (req.url === '/health') return sendJson(res, 200, { status: 'ok' }, headers);
    if (req.url === '/ready') return sendJson(res, 503, { status: 'draining' }, headers);
    return sendError(res, 503, 'This server is shutting down; retry the request.', 'SERVICE_UNAVAILABLE', headers);
  }

  function failed(res: ServerResponse, error: unknown): void {
    logger.error({ err: error }, 'request failed outside GraphQL');
    if (!res.headersSent) sendError(res, 500, 'Unexpected error.', 'INTERNAL_SERVER_ERROR');
    else res.destroy();
  }

  // A response emits 'close' once: one listener shared by every request, nothing allocated per request.
  const responseClosed = () => {
    inFlight -= 1;
    if (inFlight === 0) drained?.();
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Counted until the response is written out ('close'), not until the handler returns: closing the
    // connections after the drain must not drop bytes still queued, nor a 503 queued behind them.
    inFlight += 1;
    res.on('close', responseClosed);
    if (draining) return refuse(req, res);
    if (leaving) {
      res.setHeader('connection', 'close');
      if (req.url === '/ready') return sendJson(res, 503, { status: 'stopping' });
    }
    try {
      const pending = handle(req, res);
      if (pending) pending.catch((error: unknown) => failed(res, error));
    } catch (error) {
      failed(res, error);
    }
  });

  return {
    async leave(leaveMs) {
      // Idle connections stay open: closing one now could race the balancer's next request on it. Each
      // closes after its next response, and the rest are closed by close(), once nothing is sent to us.
      leaving = true;
      await new Promise<void>((resolve) => setTimeout(resolve, leaveMs));
    },
    async close(drainTimeoutMs, beforeClosed) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inFlight > 0) {
        logger.info({ inFlight, drainTimeoutMs }, 'draining: waiting for requests in flight');
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, drainTimeoutMs).unref();
        });
      }
      const cutOff = inFlight;
      if (cutOff > 0) logger.warn({ cutOff, drainTimeoutMs }, 'drain deadline passed: cutting off the requests still running');
      if (refused > 0) logger.info({ refused }, 'requests refused while draining');
      server.closeAllConnections();
      await beforeClosed?.();
      await closed;
      return { cutOff };
    },
  };
}

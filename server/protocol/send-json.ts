// JSON answers outside GraphQL (health, readiness, the web client's endpoints), errors in the same
// shape GraphQL errors have, so a client reads every failure the same way.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** `{ errors: [{ message, extensions: { code } }] }` */
export function sendError(res: ServerResponse, status: number, message: string, code: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

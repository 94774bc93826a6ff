// The ceiling both npm run bench and bench:fast-path measure against: bench/lib/bare-server.mjs started
// with the bytes and headers of a deskgraph response, so that the only difference left is the server.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startInstance, type Instance } from './server.ts';
import type { Cleanup } from './util.ts';

/** Headers node:http writes itself (or that describe one connection): replaying them would be wrong. */
const NOT_REPLAYED = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'];

export interface Answer {
  body: Buffer;
  headers: Record<string, string>;
}

/** Starts the bare server answering `answer`'s body and headers (the body goes to a file in `dir`). */
export async function startBareServer(options: {
  name: string;
  root: string;
  cleanup: Cleanup;
  dir: string;
  answer: Answer;
}): Promise<Instance> {
  const { name, root, cleanup, dir, answer } = options;
  const bodyFile = path.join(dir, `${name}.body`);
  writeFileSync(bodyFile, answer.body);
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !NOT_REPLAYED.includes(k)));
  return startInstance({
    name,
    root,
    cleanup,
    args: ['bench/lib/bare-server.mjs'],
    readyPath: '/',
    env: { BARE_BODY_FILE: bodyFile, BARE_HEADERS: JSON.stringify(headers) },
  });
}

/** A ceiling that answers other bytes than deskgraph would make every ratio to it meaningless. */
export function assertSameAnswer(got: Answer, expected: Answer): void {
  if (!got.body.equals(expected.body) || got.headers['content-type'] !== expected.headers['content-type']) {
    throw new Error('the bare server does not answer the same bytes and content-type as deskgraph');
  }
}

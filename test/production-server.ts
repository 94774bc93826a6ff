// A deskgraph server started as production starts it (NODE_ENV=production, the embedded PGlite in a
// data directory of its own, the shipped persisted-operations manifest), from the sources through tsx or
// from the build in dist/, plus the commands an operator runs next to it. The client speaks only what
// production accepts: the web client's persisted documents, sent by hash.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './processes.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How the server is run: from the sources (as `npm start` does) or from the build (`npm run start:prod`). */
export type Entry = 'tsx' | 'dist';

const ENTRY_ARGS: Record<Entry, string[]> = { tsx: ['--import', 'tsx', 'server/main.ts'], dist: ['dist/server/main.js'] };

/** Nothing from the test's own environment (TEST_DATABASE_URL, REDIS_URL…): only what is given. */
function productionEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', HOST: '127.0.0.1', ...env };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript command through tsx (as `npm run …` does), to its end. */
export function runCommand(script: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CommandResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: productionEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, timeoutMs);
}

function collect(child: ChildProcess, timeoutMs: number): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'client/src/gql/persisted-documents.json'), 'utf8')) as Record<string, string>;

/** The hash of the web client's document for this operation (e.g. "mutation SignIn"). */
function documentId(operation: string): string {
  const found = Object.entries(manifest).find(([, document]) => document.includes(`${operation}(`) || document.includes(`${operation} {`));
  if (!found) throw new Error(`no "${operation}" in the client's persisted documents`);
  return found[0];
}

export interface ProductionServer {
  readonly base: string;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** The `msg` of every JSON log line so far. */
  messages(): string[];
  /** SignIn by hash: the token, or null with the error code. */
  signIn(email: string, password: string): Promise<{ token: string | null; code: string | null; status: number }>;
  /** The Viewer query by hash, with a token. */
  viewer(token: string): Promise<{ email: string; role: string; organization: { slug: string } } | null>;
  stop(): Promise<number | null>;
}

/** Starts the server and waits for GET /ready to answer 200. */
export async function startProduction(entry: Entry, env: Record<string, string>, timeoutMs = 180_000): Promise<ProductionServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ENTRY_ARGS[entry], {
    cwd: ROOT,
    env: productionEnv({ PORT: String(port), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += String(chunk)));
  child.stderr!.on('data', (chunk) => (text += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const base = `http://127.0.0.1:${port}`;
  const post = async (id: string, variables: Record<string, unknown>, token?: string) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ documentId: id, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
  };
  const server: ProductionServer = {
    base,
    output: () => text,
    messages: () =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg ?? '')),
    async signIn(email, password) {
      const { status, body } = await post(documentId('mutation SignIn'), { email, password });
      return { token: body.data?.login?.token ?? null, code: body.errors?.[0]?.extensions?.code ?? null, status };
    },
    async viewer(token) {
      return (await post(documentId('query Viewer'), {}, token)).body.data?.viewer ?? null;
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    // An exit ends the wait too (waitFor retries what throws): it is reported below.
    await waitFor(
      async () => exitCode !== undefined || (await fetch(`${base}/ready`)).status === 200,
      timeoutMs,
      () => `the production server (${entry}) did not become ready; its output:\n${text}`,
      200,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (exitCode !== undefined) throw new Error(`the production server (${entry}) exited with ${exitCode}; its output:\n${text}`);
  return server;
}

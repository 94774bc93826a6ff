// Starts deskgraph (server/main.ts) as a child process on a free port, waits for GET /ready, stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { CONFIG_VARIABLES } from '../../server/platform/config.ts';
import { deskgraphArgs } from './server-build.ts';
import { freePort, log, sleep, type Cleanup } from './util.ts';

export interface Instance {
  name: string;
  port: number;
  /** http://127.0.0.1:port */
  origin: string;
  graphqlUrl: string;
  child: ChildProcess;
  /** The last lines the process wrote (for failures). */
  output(): string;
  stop(): Promise<void>;
}

const BASE_ENV = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  GRAPHIQL: 'false',
  EXPOSE_SQL_STATEMENT_COUNT: 'false',
  // The benchmark's own documents are not in a shipped manifest: let them run as text.
  PERSISTED_OPERATIONS: 'allow',
  // Benchmarks measure the API; they must not need (or wait for) a client build.
  WEB_CLIENT: 'off',
  // One token sends thousands of requests a second here. The limiter still counts every request (its
  // cost is part of what is measured, in Redis when the instance uses Redis); it just never refuses.
  RATE_LIMIT_TOKEN_PER_MINUTE: '10000000',
};

export interface StartOptions {
  name: string;
  root: string;
  /** Added to (and overriding) the base environment; undefined values are removed. */
  env: Record<string, string | undefined>;
  cleanup: Cleanup;
  readyTimeoutMs?: number;
  /** Node arguments; default deskgraph's entry point in the BENCH_SERVER build (server-build.ts). */
  args?: string[];
  /** Polled until it answers 200; default /ready. */
  readyPath?: string;
}

export async function startInstance({
  name,
  root,
  env,
  cleanup,
  readyTimeoutMs = 60_000,
  args,
  readyPath = '/ready',
}: StartOptions): Promise<Instance> {
  const port = await freePort();
  const childEnv: Record<string, string> = {};
  // Nothing deskgraph reads may leak in from the caller's environment (DATABASE_URL, REDIS_URL, …).
  const deskgraphVars = new Set(CONFIG_VARIABLES);
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !deskgraphVars.has(key)) childEnv[key] = value;
  Object.assign(childEnv, BASE_ENV, { PORT: String(port) });
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child = spawn(process.execPath, args ?? deskgraphArgs(root), { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const state: { exited: { code: number | null; signal: NodeJS.Signals | null } | null } = { exited: null };
  const collect = (stream: NodeJS.ReadableStream | null) =>
    stream?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 50) lines.shift();
        // warn/error log lines matter in a benchmark (Redis degraded, request failures): show them.
        if (/"level":(40|50|60)/.test(line) || !line.startsWith('{')) process.stdout.write(`    [${name}] ${line.slice(0, 400)}\n`);
      }
    });
  collect(child.stdout);
  collect(child.stderr);
  const exitPromise = new Promise<void>((resolve) => child.once('exit', (code, signal) => ((state.exited = { code, signal }), resolve())));

  const stop = async () => {
    removeCleanup();
    if (state.exited) return;
    child.kill('SIGTERM');
    const timeout = sleep(5000).then(() => 'timeout' as const);
    if ((await Promise.race([exitPromise, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await exitPromise;
    }
  };
  const removeCleanup = cleanup.add(`stop ${name}`, stop);

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (state.exited) {
      throw new Error(`${name} exited during start (code ${state.exited.code}, signal ${state.exited.signal}):\n${lines.join('\n')}`);
    }
    try {
      const response = await fetch(`${origin}${readyPath}`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready after ${readyTimeoutMs} ms:\n${lines.join('\n')}`);
    }
    await sleep(100);
  }
  return { name, port, origin, graphqlUrl: `${origin}/graphql`, child, output: () => lines.join('\n'), stop };
}

/** Starts several instances in parallel. */
export async function startInstances(count: number, options: Omit<StartOptions, 'name'> & { name: string }): Promise<Instance[]> {
  const started = performance.now();
  const instances = await Promise.all(
    Array.from({ length: count }, (_, i) => startInstance({ ...options, name: count > 1 ? `${options.name}#${i + 1}` : options.name })),
  );
  log(
    `  ${count} instance(s) ready in ${((performance.now() - started) / 1000).toFixed(1)} s on port(s) ${instances.map((i) => i.port).join(', ')}`,
  );
  return instances;
}

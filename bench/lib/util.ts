// Small helpers shared by the benchmark scripts: progress lines, sleeping, free ports, env knobs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { serverBuild } from './server-build.ts';

const started = performance.now();

/** A progress line with the seconds since the script started. */
export function log(message: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${seconds}s] ${message}\n`);
}

export function warn(message: string): void {
  process.stdout.write(`\n!!! ${message}\n\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tries `attempt` up to `times` times, pausing between failures: a response cache fills asynchronously,
 * so the request after a miss is not always the hit yet. True once an attempt succeeded.
 */
export async function retryUntil(attempt: () => Promise<boolean>, times = 50, pauseMs = 20): Promise<boolean> {
  for (let i = 0; i < times; i++) {
    if (await attempt()) return true;
    await sleep(pauseMs);
  }
  return false;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function envNumber(name: string, fallback: number, { min = 0, integer = false } = {}): number {
  const raw = process.env[name];
  if (raw == null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${integer ? 'a whole number' : 'a number'} ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Runs cleanups (last registered first) once, on normal exit, failure, Ctrl-C or SIGTERM. */
export class Cleanup {
  private readonly tasks: { name: string; run: () => Promise<void> | void }[] = [];
  private done: Promise<void> | null = null;

  constructor() {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stdout.write(`\n${signal}: cleaning up…\n`);
      void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  add(name: string, run: () => Promise<void> | void): () => void {
    const task = { name, run };
    this.tasks.push(task);
    return () => {
      const index = this.tasks.indexOf(task);
      if (index >= 0) this.tasks.splice(index, 1);
    };
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      while (this.tasks.length) {
        const task = this.tasks.pop()!;
        try {
          await task.run();
        } catch (error) {
          process.stdout.write(`cleanup "${task.name}" failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    })();
    return this.done;
  }
}

export function fmt(value: number | null | undefined, digits = 1): string {
  if (value == null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table with right-aligned numeric columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The code measured: HEAD, and the files under server/, schema/ and prisma/ that differ from it. */
export function codeState(root: string): { head: string | null; uncommitted: string[] } {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'server', 'schema', 'prisma'], { cwd: root, encoding: 'utf8' });
    return {
      head,
      uncommitted: status
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    };
  } catch {
    return { head: null, uncommitted: [] };
  }
}

export function describeCode(state: ReturnType<typeof codeState>): string {
  const build = serverBuild() === 'dist' ? ', run from dist/ (BENCH_SERVER=dist)' : '';
  if (!state.head) return `code: not a git checkout${build}`;
  return `code: ${state.head}${state.uncommitted.length ? ` + uncommitted changes in ${state.uncommitted.join(', ')}` : ' (clean server/, schema/, prisma/)'}${build}`;
}

/** Writes `data` as indented JSON to bench/results/<file> (ignored by git) and returns the path. */
export function writeResults(root: string, file: string, data: unknown): string {
  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, file);
  writeFileSync(outFile, JSON.stringify(data, null, 2) + '\n');
  return outFile;
}

/**
 * Runs a script's main and exits with its code. Exiting explicitly matters: a Redis client or a timer
 * left by a failed step would otherwise keep the process alive after the cleanup.
 */
export function exitWith(main: () => Promise<number>, failedPrefix: string | null): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(failedPrefix ? `\n${failedPrefix} failed: ${text}` : text);
      process.exit(1);
    },
  );
}

// The topology's long-running processes (PostgreSQL, Redis, deskgraph, HAProxy) are started detached
// from this command, with their output in a log file, so they outlive it; `down` finds them again by
// the pid recorded in .topology/state.json. A recorded pid is only ever signalled after its command line
// has been checked: after a reboot the number may belong to someone else's process.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A process we started: its pid and a string its command line must contain for it to be ours. */
export interface Owned {
  pid: number;
  /** e.g. "redis-server", "server/main.ts": checked against /proc/<pid>/cmdline before any signal. */
  command: string;
}

/** The uid and gid a process runs as (PostgreSQL refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

export class TopologyError extends Error {
  override name = 'TopologyError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts `file args` detached, its stdout and stderr appended to `logFile`; returns its pid. */
export function spawnDetached(
  file: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; as?: RunAs | null },
): number {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
      ...(options.as ?? {}),
    });
    child.unref();
    if (!child.pid) throw new TopologyError(`could not start ${file}`);
    return child.pid;
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(file: string, args: string[], options: SpawnSyncOptions & { as?: RunAs | null } = {}): string {
  const { as, ...rest } = options;
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000, ...rest, ...(as ?? {}) });
  if (result.error) throw new TopologyError(`${file} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new TopologyError(
      `${file} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${String(result.stderr || result.stdout).trim()}`,
    );
  }
  return String(result.stdout);
}

/**
 * Whether the pid is running and is ours. A zombie counts as gone: nobody may reap our detached
 * children (PID 1 of a container often does not), and it no longer does anything.
 */
export function isRunning(owned: Owned | null | undefined): owned is Owned {
  if (!owned) return false;
  try {
    const stat = readFileSync(`/proc/${owned.pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z /s.test(stat)) return false;
    const cmdline = readFileSync(`/proc/${owned.pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(owned.command);
  } catch {
    return false;
  }
}

/** Sends `signal`, waits until the process is gone, and after `graceMs` sends SIGKILL. */
export async function stopProcess(owned: Owned | null | undefined, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  if (!isRunning(owned)) return false;
  process.kill(owned.pid, signal);
  const until = Date.now() + graceMs;
  while (isRunning(owned)) {
    if (Date.now() > until) {
      process.kill(owned.pid, 'SIGKILL');
      await sleep(100);
      break;
    }
    await sleep(50);
  }
  return true;
}

/** Polls `check` until it returns true; throws `describe()` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new TopologyError(`${describe()}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(100);
  }
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

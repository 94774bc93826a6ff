// The web client build's lock (build-client.ts): several processes may ask for a build at once (the
// global setups of several vitest projects), and only one may build. A directory, because mkdir is
// atomic.
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

const RETRY_MS = 250;

/**
 * Runs fn holding the lock directory. The holder touches it while it works; a lock whose holder is
 * gone (its pid is not running on this host) or that was not touched for staleMs is taken over. fn
 * learns whether it had to wait.
 */
export async function withLock<T>(
  lock: string,
  staleMs: number,
  log: (line: string) => void,
  fn: (waited: boolean) => Promise<T>,
): Promise<T> {
  const waited = await acquire(lock, staleMs, log);
  const heartbeat = keepFresh(lock, staleMs);
  try {
    return await fn(waited);
  } finally {
    clearInterval(heartbeat);
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Resolves once this process holds the lock; true when it had to wait for another holder. */
async function acquire(lock: string, staleMs: number, log: (line: string) => void): Promise<boolean> {
  mkdirSync(path.dirname(lock), { recursive: true });
  let waited = false;
  while (!tryCreate(lock)) {
    if (lockIsStale(lock, staleMs)) {
      await breakLock(lock);
      continue;
    }
    if (!waited) log('waiting for another build of the web client…');
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: process.pid, host: hostname() }));
  return waited;
}

function tryCreate(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

// Moved aside first: of several waiters that judged it stale, only one rename succeeds.
async function breakLock(lock: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(lock, aside);
    rmSync(aside, { recursive: true, force: true });
  } catch {}
}

/** Touches the lock a few times per staleMs, so waiters can tell a slow holder from a dead one. */
function keepFresh(lock: string, staleMs: number): NodeJS.Timeout {
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      try {
        utimesSync(lock, now, now);
      } catch {}
    },
    Math.max(50, Math.floor(staleMs / 4)),
  );
  heartbeat.unref();
  return heartbeat;
}

function lockIsStale(lock: string, staleMs: number): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(lock).mtimeMs;
  } catch {
    return false; // gone already: the next mkdir will tell
  }
  try {
    const owner = JSON.parse(readFileSync(path.join(lock, 'owner'), 'utf8')) as { pid: number; host: string };
    if (owner.host === hostname() && !isRunning(owner.pid)) return true;
  } catch {
    // No owner yet: it was created a moment ago, or its holder died before writing one; the age decides.
  }
  return Date.now() - mtimeMs > staleMs;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

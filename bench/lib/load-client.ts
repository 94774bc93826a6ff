// The orchestrator's side of the load generator: forks bench/lib/load-worker.ts once and sends it one
// job at a time (warm-up and measurement are separate jobs, so /metrics can be read between them).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Cleanup } from './util.ts';
import type { FixedJob, Job, LoadStats, MixJob, WorkerReply } from './load-jobs.ts';

export type { FixedRequest, LoadStats } from './load-jobs.ts';

export class LoadGenerator {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (s: LoadStats) => void; reject: (e: Error) => void }>();
  private exited: string | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: WorkerReply | { ready: true }) => {
      if (!('id' in message)) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.stats);
      else waiter.reject(new Error(`load generator: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = `load generator exited (code ${code}, signal ${signal})`;
      for (const waiter of this.pending.values()) waiter.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  /** Forks the worker and waits until it is listening for jobs. */
  static async start(root: string, cleanup: Cleanup): Promise<LoadGenerator> {
    const child = fork(path.join(root, 'bench/lib/load-worker.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const generator = new LoadGenerator(child);
    cleanup.add('stop the load generator', () => generator.stop());
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message && typeof message === 'object' && 'ready' in message) {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the load generator exited during start (code ${code})`)));
    });
    return generator;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private send(job: Job): Promise<LoadStats> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
  }

  fixed(job: Omit<FixedJob, 'kind'>): Promise<LoadStats> {
    return this.send({ kind: 'fixed', ...job });
  }

  mix(job: Omit<MixJob, 'kind'>): Promise<LoadStats> {
    return this.send({ kind: 'mix', ...job });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  }
}

/** Failed responses of a run (every kind), 0 when all passed the check. */
export function failures(stats: LoadStats): number {
  return stats.connectionErrors + stats.timeouts + stats.badStatus + stats.badBody;
}

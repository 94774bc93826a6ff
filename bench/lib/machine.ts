// What a benchmark ran on, for the report: CPU (lscpu), cores (nproc), memory, Node, OS, the database
// and Redis versions, and the exact commit (with uncommitted changes listed).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';

export interface Machine {
  cpu: string;
  nproc: number;
  /** lscpu lines that matter for a benchmark. */
  lscpu: Record<string, string>;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
  postgres: string | null;
  redis: string | null;
}

export interface Commit {
  sha: string | null;
  subject: string | null;
  /** Files under version control that differ from the commit (git status --porcelain), untracked ones excluded. */
  dirty: string[];
}

function run(cmd: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return null;
  }
}

export async function describeMachine(databaseUrl: string | null, redisUrl: string | null): Promise<Machine> {
  const lscpu: Record<string, string> = {};
  for (const line of (run('lscpu', []) ?? '').split('\n')) {
    const m = /^([^:]+):\s+(.*)$/.exec(line);
    if (
      m &&
      ['Model name', 'CPU(s)', 'Thread(s) per core', 'Core(s) per socket', 'CPU max MHz', 'Hypervisor vendor', 'L3 cache'].includes(
        m[1]!.trim(),
      )
    ) {
      lscpu[m[1]!.trim()] = m[2]!.trim();
    }
  }
  let postgres: string | null = null;
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    try {
      await client.connect();
      postgres = ((await client.query('SHOW server_version')).rows[0]?.server_version as string) ?? null;
    } catch {
      postgres = null;
    } finally {
      await client.end().catch(() => {});
    }
  }
  let redis: string | null = null;
  if (redisUrl) {
    const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      redis = /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? null;
    } catch {
      redis = null;
    } finally {
      client.disconnect();
    }
  }
  return {
    cpu: lscpu['Model name'] ?? os.cpus()[0]?.model ?? 'unknown',
    nproc: Number(run('nproc', [])) || os.availableParallelism(),
    lscpu,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    postgres,
    redis,
  };
}

export function describeCommit(root: string): Commit {
  const sha = run('git', ['rev-parse', 'HEAD'], root)?.trim() ?? null;
  const subject = run('git', ['log', '-1', '--format=%s'], root);
  const status = run('git', ['status', '--porcelain', '--untracked-files=no'], root) ?? '';
  return {
    sha,
    subject,
    dirty: status
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.nproc} CPUs (nproc), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; PostgreSQL ${m.postgres ?? '?'}, Redis ${m.redis ?? 'none'}; load average at start ${m.loadAverage.join(' ')}`;
}

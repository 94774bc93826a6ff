// Where the benchmark's PostgreSQL and Redis are: BENCH_* URLs, else TEST_* URLs, else throwaway
// servers started with scripts/test-services.sh on ports of their own (stopped at the end).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { log, type Cleanup } from './util.ts';

const run = promisify(execFile);

export interface Services {
  databaseUrl: string;
  redisUrl: string | null;
  /** Where the URLs came from, for the report. */
  source: 'BENCH_*' | 'TEST_*' | 'throwaway';
}

const THROWAWAY_ENV = {
  PG_PORT: '55442',
  REDIS_PORT: '56389',
  SERVICES_DIR: '/tmp/deskgraph-bench-services',
};

export async function resolveServices(root: string, cleanup: Cleanup): Promise<Services> {
  const env = process.env;
  if (env.BENCH_DATABASE_URL) {
    return { databaseUrl: env.BENCH_DATABASE_URL, redisUrl: env.BENCH_REDIS_URL ?? env.TEST_REDIS_URL ?? null, source: 'BENCH_*' };
  }
  if (env.TEST_DATABASE_URL) {
    return { databaseUrl: env.TEST_DATABASE_URL, redisUrl: env.BENCH_REDIS_URL ?? env.TEST_REDIS_URL ?? null, source: 'TEST_*' };
  }
  const script = path.join(root, 'scripts/test-services.sh');
  const childEnv = { ...env, ...THROWAWAY_ENV };
  log(
    `no BENCH_DATABASE_URL/TEST_DATABASE_URL: starting throwaway PostgreSQL and Redis (${script} start, ports ${THROWAWAY_ENV.PG_PORT}/${THROWAWAY_ENV.REDIS_PORT})`,
  );
  cleanup.add('stop throwaway services', async () => {
    log('stopping throwaway PostgreSQL and Redis');
    await run('bash', [script, 'stop'], { env: childEnv });
  });
  const { stdout } = await run('bash', [script, 'start'], { env: childEnv });
  const vars = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^(TEST_DATABASE_URL|TEST_REDIS_URL)=(\S+)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  if (!vars.TEST_DATABASE_URL) throw new Error(`scripts/test-services.sh start printed no TEST_DATABASE_URL:\n${stdout}`);
  return { databaseUrl: vars.TEST_DATABASE_URL, redisUrl: vars.TEST_REDIS_URL ?? null, source: 'throwaway' };
}

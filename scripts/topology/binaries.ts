// The Debian binaries the topology runs, found up front: a missing one is named with the package that
// provides it before anything is started.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { TopologyError, type RunAs } from './processes.ts';

export interface Binaries {
  /** /usr/lib/postgresql/<version>/bin (initdb, postgres, pg_basebackup). */
  postgresBin: string;
  redisServer: string;
  redisCli: string;
  haproxy: string;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's binary directory, or null. */
export function findPostgresBin(): string | null {
  if (!existsSync(POSTGRES_ROOT)) return null;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((version) => existsSync(path.join(POSTGRES_ROOT, version, 'bin', 'pg_basebackup')))
    .sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  return latest ? path.join(POSTGRES_ROOT, latest, 'bin') : null;
}

/** An executable on PATH (or the sbin directories, where Debian puts haproxy), or null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** Every binary the topology needs; throws one error naming each missing one and its package. */
export function requireBinaries(needs: { haproxy: boolean }): Binaries {
  const postgresBin = findPostgresBin();
  const redisServer = findExecutable('redis-server');
  const redisCli = findExecutable('redis-cli');
  const haproxy = needs.haproxy ? findExecutable('haproxy') : '';
  const missing: string[] = [];
  if (!postgresBin) missing.push(`PostgreSQL's server binaries (no ${POSTGRES_ROOT}/*/bin/pg_basebackup): apt-get install postgresql`);
  if (!redisServer || !redisCli) missing.push('redis-server and redis-cli: apt-get install redis-server (Redis 7 or later)');
  if (haproxy === null) missing.push('haproxy: apt-get install haproxy');
  if (missing.length) throw new TopologyError(`missing binaries:\n${missing.map((line) => `  - ${line}`).join('\n')}`);
  return { postgresBin: postgresBin!, redisServer: redisServer!, redisCli: redisCli!, haproxy: haproxy ?? '' };
}

/** PostgreSQL refuses to run as root: then it runs as the postgres user (Debian's package creates it). */
export function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim() || NaN);
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new TopologyError(
      'running as root, and PostgreSQL must not: there is no postgres user to run it as (apt-get install postgresql creates one)',
    );
  }
  return { uid, gid };
}

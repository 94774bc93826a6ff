// The registry across instances: two deskgraph processes in `require` mode on one PostgreSQL and one
// Redis, and the real CLI (`npm run operations`) run as its own process with the same environment.
// The instances' periodic check is off (TEST_SERVER_ENV), so only the cache bus can tell them of a push.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256Hex } from '../server/persisted/persisted-documents.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { copyTemplate } from './template-db.ts';
import { deletePrefix, startServer, stopAll, uniquePrefix, type ServerProcess } from './processes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT = 'pg-consumer';
const PROBE = 'query RegistryProbe { __typename viewer { id } }';

/** Runs `npm run operations -- …` as a process of its own, as an operator or a CI job would. */
function operations(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/operations.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

async function probe(server: ServerProcess): Promise<{ status: number; code?: string; typename?: string }> {
  const url = `${server.base}/graphql?documentId=sha256:${sha256Hex(PROBE)}`;
  const response = await fetch(url, { headers: { 'graphql-client-name': CLIENT, [CSRF_HEADER]: '1', accept: 'application/json' } });
  const body = (await response.json()) as { data?: { __typename: string }; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, typename: body.data?.__typename };
}

describe('a push reaches every running instance through the cache bus', () => {
  let drop: (() => Promise<void>) | null = null;
  let redisUrl: string;
  let keyPrefix: string;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    const copy = await copyTemplate(inject('template'));
    drop = copy.drop;
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    redisUrl = process.env.TEST_REDIS_URL;
    keyPrefix = uniquePrefix('registry');
    env = { DATABASE_URL: copy.config.url, REDIS_URL: redisUrl, CACHE_KEY_PREFIX: keyPrefix };
    const common = { databaseUrl: copy.config.url, redisUrl, keyPrefix, env: { PERSISTED_OPERATIONS: 'require' } };
    [a, b] = await Promise.all([startServer({ ...common, name: 'A' }), startServer({ ...common, name: 'B' })]);
  });

  afterAll(async () => {
    await stopAll();
    if (keyPrefix) await deletePrefix(redisUrl, keyPrefix);
    await drop?.();
  });

  it('both instances serve a document once the CLI registers it, and refuse it once the CLI removes it', async () => {
    for (const server of [a, b]) expect(await probe(server)).toMatchObject({ status: 404, code: 'PERSISTED_QUERY_NOT_FOUND' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'deskgraph-pg-consumer-')), 'persisted-documents.json');
    writeFileSync(file, JSON.stringify({ [`sha256:${sha256Hex(PROBE)}`]: PROBE }));

    const push = await operations(['push', '--client', CLIENT, file], env);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/Registered for "pg-consumer": 1 new/);
    expect(push.stdout).toMatch(/2 running instance\(s\) told on Redis/);
    for (const server of [a, b]) {
      await expect.poll(() => probe(server), { timeout: 10_000, interval: 50 }).toEqual({ status: 200, typename: 'Query' });
    }

    const removal = await operations(['remove', '--client', CLIENT, '--all'], env);
    expect(removal.status, removal.stderr).toBe(0);
    expect(removal.stdout).toMatch(/Removed 1 document\(s\) of "pg-consumer"/);
    for (const server of [a, b]) {
      await expect.poll(async () => (await probe(server)).code, { timeout: 10_000, interval: 50 }).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });
});

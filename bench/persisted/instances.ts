// Two deskgraph instances on one database (memory response cache, the manifest of the run), signed in
// by hash on the require one: the tokens and the data are the same for both.
//   require  PERSISTED_OPERATIONS=require: hashes only, what production runs (login goes by hash too)
//   allow    PERSISTED_OPERATIONS=allow, same manifest: takes the full documents the client sends today
import { cpSync } from 'node:fs';
import path from 'node:path';
import { pgliteEnv, seededDatabaseEnv, seedPglite } from '../lib/database.ts';
import { startInstance, type Instance } from '../lib/server.ts';
import { fmt, log, type Cleanup } from '../lib/util.ts';
import { Client, loginByHash } from './client.ts';
import type { Manifest } from './manifest.ts';
import { AGENT, CUSTOMER, type Findings } from './model.ts';

export interface Setup {
  root: string;
  cleanup: Cleanup;
  /** A temporary directory (the PGlite copies). */
  work: string;
  scale: number;
  manifest: Manifest;
  findings: Findings;
}

type Env = Record<string, string | undefined>;

/** The instances, signed in, and where their data lives (for the report). */
export async function startInstances(setup: Setup): Promise<{ client: Client; databaseSource: string }> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? null;
  return serverUrl ? onPostgres(setup, serverUrl) : onPglite(setup);
}

function modes(manifestFile: string): { requireEnv: Env; allowEnv: Env } {
  const common = {
    RESPONSE_CACHE: 'true',
    REDIS_URL: undefined,
    PERSISTED_OPERATIONS_MANIFEST: manifestFile,
    PERSISTED_OPERATIONS_APQ: undefined,
  };
  return { requireEnv: { ...common, PERSISTED_OPERATIONS: 'require' }, allowEnv: { ...common, PERSISTED_OPERATIONS: 'allow' } };
}

async function signIn(setup: Setup, instance: Instance): Promise<Record<string, string>> {
  const { findings, manifest } = setup;
  return {
    [AGENT]: await loginByHash(findings, instance, manifest.loginHash, AGENT),
    [CUSTOMER]: await loginByHash(findings, instance, manifest.loginHash, CUSTOMER),
  };
}

async function onPostgres(setup: Setup, serverUrl: string) {
  const { root, cleanup, scale } = setup;
  const { requireEnv, allowEnv } = modes(setup.manifest.file);
  const databaseEnv = await seededDatabaseEnv(serverUrl, scale, cleanup);
  log('starting deskgraph: require and allow instances on one database');
  const [requireInstance, allowInstance] = await Promise.all([
    startInstance({ name: 'require', root, cleanup, env: { ...databaseEnv, ...requireEnv } }),
    startInstance({ name: 'allow', root, cleanup, env: { ...databaseEnv, ...allowEnv } }),
  ]);
  const tokens = await signIn(setup, requireInstance);
  return {
    client: new Client(requireInstance, allowInstance, tokens),
    databaseSource: `PostgreSQL on ${new URL(serverUrl).host} (seeded at scale ${scale})`,
  };
}

// PGlite is one process' database: the first instance seeds it and signs in (so the tokens are in it),
// stops, and the directory is copied, so both instances start from the same rows and tokens.
async function onPglite(setup: Setup) {
  const { root, cleanup, scale, work } = setup;
  const { requireEnv, allowEnv } = modes(setup.manifest.file);
  log(`no BENCH_DATABASE_URL/TEST_DATABASE_URL: embedded PGlite, seeded at scale ${scale}`);
  const requireDir = path.join(work, 'data-require');
  const allowDir = path.join(work, 'data-allow');
  const seeding = performance.now();
  await seedPglite(requireDir, scale);
  const first = await startInstance({
    name: 'require',
    root,
    cleanup,
    env: { ...pgliteEnv(requireDir), ...requireEnv },
    readyTimeoutMs: 180_000,
  });
  log(`  seeded and ready in ${fmt((performance.now() - seeding) / 1000, 1)} s`);
  const tokens = await signIn(setup, first);
  await first.stop();
  cpSync(requireDir, allowDir, { recursive: true });
  log('starting deskgraph: require and allow instances, each on its copy of the database');
  const [requireInstance, allowInstance] = await Promise.all([
    startInstance({ name: 'require', root, cleanup, env: { ...pgliteEnv(requireDir), ...requireEnv }, readyTimeoutMs: 120_000 }),
    startInstance({ name: 'allow', root, cleanup, env: { ...pgliteEnv(allowDir), ...allowEnv }, readyTimeoutMs: 120_000 }),
  ]);
  return {
    client: new Client(requireInstance, allowInstance, tokens),
    databaseSource: `embedded PGlite (seeded at scale ${scale}, one copy per instance made after login)`,
  };
}

// The seeded database every integration test file starts from, built once per run (vitest globalSetup)
// and copied per file: a PGlite data-directory dump for the embedded default, a PostgreSQL template
// database for the real server. Copying is far cheaper than migrating and seeding per file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations } from '../prisma/migrations.ts';
import { seedDatabase } from '../prisma/seed/seed-database.ts';
import type { DatabaseConfig } from '../server/platform/platform-config.ts';
import { openDatabase, type Database, type EmbeddedOptions } from '../server/platform/database.ts';
import { adminQuery, withDatabase } from '../scripts/postgres-admin.ts';

/** Small enough to seed in seconds, large enough for pages of 100 in one organization. */
export const TEST_SEED_SCALE = 0.05;
/** The seeded world's "now" for tests: fixed, so the template's rows are the same whatever day the tests
 *  run (the seed dates tickets in the 90 days before it). Tests of date windows make their own rows. */
const TEST_SEED_NOW = new Date('2026-11-30T16:00:00.000Z');

export type TemplateRef = { kind: 'embedded'; dumpPath: string } | { kind: 'postgres'; url: string; name: string };

async function migrateAndSeed(database: Database): Promise<void> {
  await applyMigrations(database.adapterFactory);
  await seedDatabase(database.prisma, { scale: TEST_SEED_SCALE, seed: 1, now: TEST_SEED_NOW });
}

export async function buildEmbeddedTemplate(): Promise<TemplateRef> {
  const database = await openDatabase({ kind: 'embedded', dataDir: null });
  await migrateAndSeed(database);
  const dump = await database.pglite!.dumpDataDir('none');
  const dumpPath = path.join(mkdtempSync(path.join(tmpdir(), 'deskgraph-template-')), 'pglite.tar');
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  return { kind: 'embedded', dumpPath };
}

export async function buildPostgresTemplate(serverUrl: string): Promise<TemplateRef> {
  const name = `deskgraph_template_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const database = await openDatabase({ kind: 'postgres', url: withDatabase(serverUrl, name), poolSize: 4, connectTimeoutMs: 5000 });
  await migrateAndSeed(database);
  await database.close();
  return { kind: 'postgres', url: serverUrl, name };
}

export async function dropPostgresTemplate(template: TemplateRef): Promise<void> {
  if (template.kind === 'postgres') await adminQuery(template.url, `DROP DATABASE IF EXISTS ${template.name} WITH (FORCE)`);
}

/** A fresh copy of the template, and how to open it. */
export async function copyTemplate(template: TemplateRef): Promise<{
  config: DatabaseConfig;
  options: EmbeddedOptions;
  drop(): Promise<void>;
}> {
  if (template.kind === 'embedded') {
    return {
      config: { kind: 'embedded', dataDir: null },
      options: { loadDataDir: new Blob([readFileSync(template.dumpPath)]) },
      drop: async () => {},
    };
  }
  const name = `deskgraph_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(template.url, `CREATE DATABASE ${name} TEMPLATE ${template.name}`);
  return {
    config: { kind: 'postgres', url: withDatabase(template.url, name), poolSize: 5, connectTimeoutMs: 5000 },
    options: {},
    drop: () => adminQuery(template.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

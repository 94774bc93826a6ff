// `npm run operations` as a process: usage errors, exit statuses, what it prints, and the embedded
// database's one rule — never opened while a server has it (PGlite serves one process at a time).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../prisma/migrations.ts';
import { sha256Hex } from '../server/persisted/persisted-documents.ts';
import { openDatabase, type Database } from '../server/platform/database.ts';

const root = path.resolve(import.meta.dirname, '..');

function operations(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/operations.ts', ...args], {
      cwd: root,
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

function manifest(...documents: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'deskgraph-cli-manifest-')), 'persisted-documents.json');
  writeFileSync(file, JSON.stringify(Object.fromEntries(documents.map((d) => [`sha256:${sha256Hex(d)}`, d]))));
  return file;
}

// Each case starts a process (tsx, then the schema and the database driver): seconds each on a busy machine.
describe('npm run operations', { timeout: 120_000 }, () => {
  it('answers a usage mistake with exit status 2 and what to write instead, touching no database', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Name a command: push, list or remove/],
      [['push', '--client', 'app'], /push needs the manifest FILE/],
      [['remove', '--client', 'app'], /remove needs either --hash HASH or --all/],
      [['publish'], /Unknown command "publish"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => operations(args, { DATA_DIR: '/nonexistent/deskgraph' })));
    runs.forEach((run, i) => {
      expect(run.status, cases[i]![0].join(' ')).toBe(2);
      expect(run.stderr).toMatch(cases[i]![1]);
      expect(run.stderr).toMatch(/npm run operations -- --help/);
    });
  });

  describe('on the embedded database', () => {
    const dataRoot = mkdtempSync(path.join(tmpdir(), 'deskgraph-cli-data-'));
    const env = { DATA_DIR: dataRoot };
    let database: Database | null = null;

    beforeAll(async () => {
      database = await openDatabase({ kind: 'embedded', dataDir: path.join(dataRoot, 'pglite') });
      await applyMigrations(database.adapterFactory);
    });
    afterAll(() => database?.close());

    it('refuses to open it while a server has it open, and says how to go on', async () => {
      const run = await operations(['push', '--client', 'app', manifest('query A { viewer { id } }')], env);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/open in a running deskgraph, and PGlite serves one process at a time\. Stop the server/);
      expect(await database!.prisma.trustedDocument.count()).toBe(0);
    });

    it('pushes, refuses an invalid push listing its problems, and lists, once the server is stopped', async () => {
      await database!.close();
      database = null;
      expect(existsSync(path.join(dataRoot, 'pglite', 'postmaster.pid'))).toBe(false);
      const good = await operations(['push', '--client', 'app', manifest('query A { viewer { id } }', 'query B { viewer { name } }')], env);
      expect(good.status, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/Registered for "app": 2 new, 0 already registered; 2 in all \(revision 1\)/);
      expect(good.stdout).toMatch(/No REDIS_URL: a running instance sees the change within 30 s/);

      const bad = await operations(
        ['push', '--client', 'app', manifest('query C { viewer { id } }', 'query D { viewer { shoeSize } }')],
        env,
      );
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(
        /Nothing was registered for "app": 1 problem\(s\) in the manifest\.\n {2}- D \(sha256:[0-9a-f]{64}\): Cannot query field "shoeSize"/,
      );

      const list = await operations(['list'], env);
      expect(list.status, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^app {2}2 document\(s\) {2}revision 1 /m);
    });
  });

  it('says when there is no embedded database yet', async () => {
    const run = await operations(['list'], { DATA_DIR: path.join(tmpdir(), 'deskgraph-cli-none', String(process.pid)) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/There is no embedded database in .* yet: start the server once/);
  });
});

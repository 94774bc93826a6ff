// A production start the documented way, on a fresh machine: the embedded database, NODE_ENV=production.
// Nobody can sign in with the README's demo password: the demo seed runs only with SEED_DEMO=1, and then
// with random passwords printed once; the first admin comes from `npm run admin:create`. The start log
// says what runs. One data directory, in order: first start (empty), SEED_DEMO start, admin:create.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { runCommand, startProduction, type ProductionServer } from './production-server.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'deskgraph-prod-'));
const env = { DATA_DIR: dataDir, WEB_CLIENT: 'off', SEED_SCALE: '0.001' };
let server: ProductionServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The start log's message (there is exactly one). */
function startLine(messages: string[]): string {
  const lines = messages.filter((m) => m.includes(' listening on '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('production start (embedded PGlite)', { timeout: 240_000 }, () => {
  it('db:seed refuses without SEED_DEMO=1, saying how, before it opens any database', async () => {
    const elsewhere = path.join(dataDir, 'untouched');
    const result = await runCommand('prisma/scripts/seed.ts', [], { DATA_DIR: elsewhere });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Set SEED_DEMO=1');
    expect(result.stderr).toContain('npm run admin:create -- --email');
    expect(result.stdout).not.toContain(DEMO_PASSWORD);
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('with AUTO_MIGRATE=false an unmigrated database fails the start, naming the command that fixes it', async () => {
    const unmigrated = path.join(dataDir, 'unmigrated');
    const result = await runCommand('server/main.ts', [], { ...env, DATA_DIR: unmigrated, AUTO_MIGRATE: 'false', PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^deskgraph failed to start: the database lacks \d+ migration\(s\) \(\d+_init, /m);
    expect(result.stderr).toContain('Apply them with `npm run db:migrate` (same DATABASE_URL), or start with AUTO_MIGRATE=true.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a first start migrates but does not seed, says how to, and logs what runs (GraphiQL off)', async () => {
    server = await startProduction('tsx', env);
    const messages = server.messages();
    expect(messages.filter((m) => m.startsWith('empty database left empty:') && m.includes('Set SEED_DEMO=1'))).toHaveLength(1);
    expect(messages.filter((m) => /^(seeded|empty database: seeding|demo accounts seeded)/.test(m))).toEqual([]);
    const line = startLine(messages);
    expect(line).toContain(`deskgraph (production) listening on ${server.base}/graphql; GraphiQL: off; web client: off;`);
    expect(line).toContain(`database: embedded PGlite in ${path.join(dataDir, 'pglite')};`);
    expect(line).toContain('cache: memory L1; Redis: none;');
    expect(line).toContain('persisted operations: require (manifest client/src/gql/persisted-documents.json)');
    expect(line).not.toMatch(/GraphiQL there too|GraphiQL: on/);
    expect((await server.signIn('admin@acme.test', DEMO_PASSWORD)).token).toBeNull();
    expect(await server.stop()).toBe(0);
  });

  it('with SEED_DEMO=1 the demo accounts get random passwords, printed once: the README password fails, the printed one signs in', async () => {
    server = await startProduction('tsx', { ...env, SEED_DEMO: '1' });
    const printed = server.messages().filter((m) => m.startsWith('demo accounts seeded with random passwords, shown only this once:'));
    expect(printed).toHaveLength(1);
    const passwords = new Map([...printed[0]!.matchAll(/^ {2}(\S+) \((\w+), (\w+)\): (\S+)$/gm)].map((m) => [m[1]!, m[4]!]));
    expect([...passwords.keys()]).toEqual(DEMO_ACCOUNTS.map((a) => a.email));
    expect(new Set(passwords.values()).size).toBe(DEMO_ACCOUNTS.length);
    for (const password of passwords.values()) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(server.output().split(passwords.get('admin@acme.test')!)).toHaveLength(2); // printed once

    for (const email of ['admin@acme.test', 'customer@globex.test']) {
      const refused = await server.signIn(email, DEMO_PASSWORD);
      expect(refused.token).toBeNull();
      expect(refused.code).not.toBeNull();
      const { token } = await server.signIn(email, passwords.get(email)!);
      expect(token).toMatch(/^dg_/);
      expect((await server.viewer(token!))?.email).toBe(email);
    }
    expect(await server.stop()).toBe(0);
  });

  it('admin:create makes an admin who can sign in, prints a generated password once, and refuses an existing email', async () => {
    const args = ['--email', 'Owner@Example.com', '--name', 'Olga Owner', '--organization', 'Example Co', '--generate-password'];
    const created = await runCommand('prisma/scripts/admin-create.ts', args, { DATA_DIR: dataDir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created admin owner@example.com in Example Co (example-co), created now');
    const password = /^Generated password, shown only this once: (\S+)$/m.exec(created.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const again = await runCommand(
      'prisma/scripts/admin-create.ts',
      [...args.slice(0, 4), '--organization', 'acme', '--generate-password'],
      {
        DATA_DIR: dataDir,
      },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'A user with the email owner@example.com already exists (organization example-co); nothing was changed.',
    );
    expect(again.stdout).not.toContain('Generated password');

    server = await startProduction('tsx', env);
    expect(server.messages().filter((m) => /seed/i.test(m))).toEqual([]);
    const { token } = await server.signIn('owner@example.com', password!);
    expect(token).toMatch(/^dg_/);
    expect(await server.viewer(token!)).toMatchObject({ email: 'owner@example.com', role: 'ADMIN', organization: { slug: 'example-co' } });
    expect(await server.stop()).toBe(0);
  });
});

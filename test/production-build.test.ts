// `npm run build && npm run start:prod`: the server compiled to dist/ runs on plain node, with no
// TypeScript loader, from a fresh data directory, and answers the smoke checks an operator would run.
// The server part of the build runs here (tsc, incremental: cheap when dist/ is current); the web
// client was built by the global setup when its sources changed (scripts/build-client.ts --if-stale).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { ROOT, startProduction, type ProductionServer } from './production-server.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'deskgraph-dist-'));
let server: ProductionServer;

beforeAll(async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  expect(build.stdout + build.stderr).toBe('');
  expect(build.status).toBe(0);
  expect(existsSync(path.join(ROOT, 'dist/server/main.js'))).toBe(true);
  server = await startProduction('dist', { DATA_DIR: dataDir, SEED_DEMO: '1', SEED_SCALE: '0.001' });
}, 480_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the production build (node dist/server/main.js)', () => {
  it('migrated and seeded from dist/ (the SQL migrations are read from the source tree) and says so', () => {
    const messages = server.messages();
    // Every migration of the source tree, read from there by the compiled code.
    const migrations = readdirSync(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(migrations.length).toBeGreaterThan(0);
    expect(messages).toContain(`applied ${migrations.length} migration(s)`);
    expect(messages.filter((m) => m.startsWith('demo accounts seeded with random passwords'))).toHaveLength(1);
    const line = messages.find((m) => m.includes(' listening on '));
    expect(line).toContain(
      `deskgraph (production) listening on ${server.base}/graphql; GraphiQL: off; web client: built client at ${server.base}/;`,
    );
  });

  it('answers /health and /ready, and serves the built web client', async () => {
    const health = await fetch(`${server.base}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
    const page = await fetch(`${server.base}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
  });

  it('signs in with the printed password (not the README one) and runs a persisted query', async () => {
    const printed = server.messages().find((m) => m.startsWith('demo accounts seeded with random passwords'))!;
    const password = /^ {2}agent@acme\.test \(AGENT, acme\): (\S+)$/m.exec(printed)?.[1];
    expect(password).toBeDefined();
    expect((await server.signIn('agent@acme.test', DEMO_PASSWORD)).token).toBeNull();
    const { token } = await server.signIn('agent@acme.test', password!);
    expect(token).toMatch(/^dg_/);
    expect(await server.viewer(token!)).toMatchObject({ email: 'agent@acme.test', role: 'AGENT', organization: { slug: 'acme' } });
  });
});

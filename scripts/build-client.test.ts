// The client build's bookkeeping, on a throwaway repository layout: what counts as a source, when a
// build is skipped, the lock several processes share; and, on the real client/dist the global setup
// built, the precompressed siblings client/vite.config.ts writes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientPaths, clientSourceHash, ensureClientBuilt } from './build-client.ts';
import { withLock } from './client-build-lock.ts';

let root: string;

function write(file: string, content: string | Buffer): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'deskgraph-client-build-'));
  write('package-lock.json', '{"lockfileVersion":3}');
  write('client/index.html', '<!doctype html><div id="root"></div>');
  write('client/vite.config.ts', 'export default {};');
  write('client/src/main.tsx', 'console.log(1);');
  write('client/dist/index.html', 'built');
  write('client/node_modules/x/index.js', 'dependency');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('clientSourceHash', () => {
  it('changes with the sources and the lock file, not with dist/ or node_modules/', async () => {
    const before = await clientSourceHash(root);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(await clientSourceHash(root)).toBe(before);

    write('client/dist/assets/new.js', 'output');
    write('client/dist/.build-hash', 'whatever');
    write('client/node_modules/x/index.js', 'another version');
    expect(await clientSourceHash(root)).toBe(before);

    write('client/src/main.tsx', 'console.log(2);');
    const edited = await clientSourceHash(root);
    expect(edited).not.toBe(before);

    write('client/src/new-view.tsx', '');
    const added = await clientSourceHash(root);
    expect(added).not.toBe(edited);

    // A file moved keeps its bytes but not its path.
    rmSync(path.join(root, 'client/src/new-view.tsx'));
    write('client/src/views/new-view.tsx', '');
    expect(await clientSourceHash(root)).not.toBe(added);

    const moved = await clientSourceHash(root);
    write('package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    expect(await clientSourceHash(root)).not.toBe(moved);
  });
});

describe('ensureClientBuilt({ ifStale: true })', () => {
  const quiet = { log: () => {}, viteLogLevel: 'silent' as const };

  beforeEach(() => {
    // A real (tiny) Vite project, so the whole path runs: child build, compression, stamp, swap.
    write('package.json', '{"type":"module"}');
    write(
      'client/vite.config.ts',
      `export default { root: ${JSON.stringify(path.join(root, 'client'))}, logLevel: 'silent', build: { outDir: 'dist', manifest: true } };`,
    );
    write('client/index.html', '<!doctype html><div id="root"></div><script type="module" src="/src/main.ts"></script>');
    write('client/src/main.ts', `document.body.append(${JSON.stringify('deskgraph '.repeat(300))});`);
    rmSync(path.join(root, 'client/src/main.tsx'));
  });

  it('skips the build while the stamp matches the sources, and builds once they change', async () => {
    const lines: string[] = [];
    write('client/dist/.build-hash', `${await clientSourceHash(root)}\n`);
    expect(await ensureClientBuilt({ root, ifStale: true, ...quiet, log: (l) => lines.push(l) })).toMatchObject({ built: false });
    expect(lines).toEqual(['web client up to date']);

    write('client/src/main.ts', `document.body.append(${JSON.stringify('changed '.repeat(300))});`);
    lines.length = 0;
    const result = await ensureClientBuilt({ root, ifStale: true, ...quiet, log: (l) => lines.push(l) });
    expect(result.built).toBe(true);
    expect(lines[0]).toBe('building the web client (sources changed)…');
    const dist = clientPaths(root).dist;
    expect(readFileSync(path.join(dist, '.build-hash'), 'utf8').trim()).toBe(result.hash);
    expect(result.hash).toBe(await clientSourceHash(root));
    const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
    expect(existsSync(path.join(dist, manifest['index.html'].file))).toBe(true); // (its .br/.gz: the real build's test below)
    expect(readFileSync(path.join(dist, 'index.html'), 'utf8')).not.toBe('built'); // replaced, not merged

    expect(await ensureClientBuilt({ root, ifStale: true, ...quiet })).toMatchObject({ built: false, hash: result.hash });
  }, 60_000);

  it('keeps the last good build when the build fails, and says why', async () => {
    write('client/src/main.ts', 'document.body.append(');
    const failed = ensureClientBuilt({ root, ifStale: true, ...quiet });
    await expect(failed).rejects.toThrow(/the web client build failed \(client\/vite\.config\.ts\):\n[^]*main\.ts/);
    expect(readFileSync(path.join(root, 'client/dist/index.html'), 'utf8')).toBe('built');
    expect(existsSync(path.join(root, 'client/dist/.build-hash'))).toBe(false);
    expect(existsSync(clientPaths(root).lock)).toBe(false);
    expect(readdirSync(clientPaths(root).work)).toEqual([]); // no staging left behind
  }, 60_000);
});

describe('withLock', () => {
  it('runs holders one at a time; a waiter learns that it waited', async () => {
    const lock = clientPaths(root).lock;
    const events: string[] = [];
    const holder = (name: string, ms: number) =>
      withLock(
        lock,
        10_000,
        () => {},
        async (waited) => {
          events.push(`${name} in${waited ? ' (waited)' : ''}`);
          await new Promise((resolve) => setTimeout(resolve, ms));
          events.push(`${name} out`);
        },
      );
    await Promise.all([holder('a', 300), new Promise((resolve) => setTimeout(resolve, 50)).then(() => holder('b', 10))]);
    expect(events).toEqual(['a in', 'a out', 'b in (waited)', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose holder is no longer running', async () => {
    const lock = clientPaths(root).lock;
    mkdirSync(lock, { recursive: true });
    writeFileSync(path.join(lock, 'owner'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    const started = Date.now();
    expect(
      await withLock(
        lock,
        60_000,
        () => {},
        async () => 'ran',
      ),
    ).toBe('ran');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('takes over a lock nobody refreshed for staleMs', async () => {
    const lock = clientPaths(root).lock;
    mkdirSync(lock, { recursive: true }); // no owner file: its holder died before writing one
    expect(
      await withLock(
        lock,
        300,
        () => {},
        async () => 'ran',
      ),
    ).toBe('ran');
  });
});

describe('the precompressed siblings in client/dist', () => {
  const dist = clientPaths(path.resolve(import.meta.dirname, '..')).dist;
  const files = (readdirSync(dist, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => statSync(path.join(dist, f)).isFile());
  const originals = files.filter((f) => !f.endsWith('.br') && !f.endsWith('.gz'));
  const compressible = (f: string) => !f.startsWith('.vite/') && /\.(js|css|html|svg|json|webmanifest)$/.test(f);

  it('exist for every text file of 1 KB or more outside .vite/, and decode to it', () => {
    const due = originals.filter((f) => compressible(f) && statSync(path.join(dist, f)).size >= 1024);
    expect(due.length).toBeGreaterThan(2); // the entry chunk, its CSS and sw.js at least
    for (const file of due) {
      const original = readFileSync(path.join(dist, file));
      expect(brotliDecompressSync(readFileSync(path.join(dist, `${file}.br`))).equals(original), `${file}.br`).toBe(true);
      expect(gunzipSync(readFileSync(path.join(dist, `${file}.gz`))).equals(original), `${file}.gz`).toBe(true);
    }
  });

  it('are not written for small files, binaries or the manifest', () => {
    const skipped = originals.filter((f) => !compressible(f) || statSync(path.join(dist, f)).size < 1024);
    expect(skipped).toContain('.vite/manifest.json');
    for (const file of skipped) expect(files, file).not.toContain(`${file}.br`);
    for (const file of skipped) expect(files, file).not.toContain(`${file}.gz`);
  });
});

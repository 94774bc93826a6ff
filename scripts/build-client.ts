// npm run client:build: builds the web client (client/vite.config.ts, which also writes the .br and .gz
// siblings the server sends as they are) into client/dist, and stamps the build with a hash of its sources.
// `--if-stale` (npm start's prestart, the tests' global setup) skips the build when that hash is
// unchanged, so only the first start after a change pays for it.
//
// Several processes may ask at once (the global setups of several vitest projects), so a build holds
// a lock directory, and one that waited re-checks the stamp before building again. The build goes to
// a staging directory and replaces client/dist by renames, with its stamp already inside: a
// client/dist with a .build-hash is always complete, and a failed build leaves the last good one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withLock } from './client-build-lock.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THIS_SCRIPT = fileURLToPath(import.meta.url);

export interface ClientBuildOptions {
  /** Skip the build when client/dist's stamp matches the sources. */
  ifStale?: boolean;
  /** The repository (default: this one); tests point it elsewhere. */
  root?: string;
  /** Where the one-line progress messages go. */
  log?: (line: string) => void;
  /** Vite's own output: `info` lists every file, `warn` keeps it to problems. */
  viteLogLevel?: 'info' | 'warn' | 'error' | 'silent';
  /** A lock not refreshed for this long belongs to a build that died. */
  lockStaleMs?: number;
}

export interface ClientBuildResult {
  built: boolean;
  hash: string;
}

export class ClientBuildError extends Error {
  override name = 'ClientBuildError';
}

export function clientPaths(root = ROOT) {
  const client = path.join(root, 'client');
  const dist = path.join(client, 'dist');
  // Work files live outside client/, so they never count as sources.
  const work = path.join(root, 'node_modules', '.cache', 'deskgraph-client');
  return { client, dist, stamp: path.join(dist, '.build-hash'), work, lock: path.join(work, 'build.lock') };
}

/**
 * SHA-256 over everything the build reads: client/ except dist/ and node_modules/, package-lock.json
 * (dependency versions) and this script (how the build is done), by path and content.
 */
export async function clientSourceHash(root = ROOT): Promise<string> {
  const { client } = clientPaths(root);
  const files = (await listFiles(client, client)).sort();
  const hash = createHash('sha256');
  const add = async (label: string, file: string) => {
    const content = await readFile(file).catch(() => null);
    if (content === null) return; // removed while we listed: the next check sees the change
    hash.update(`${label}\0${content.length}\0`).update(content);
  };
  for (const file of files) await add(`client/${file}`, path.join(client, file));
  await add('package-lock.json', path.join(root, 'package-lock.json'));
  await add('scripts/build-client.ts', THIS_SCRIPT);
  return hash.digest('hex');
}

async function listFiles(dir: string, base: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || (dir === base && entry.name === 'dist')) continue;
      out.push(...(await listFiles(full, base)));
    } else if (entry.isFile()) {
      out.push(path.relative(base, full).split(path.sep).join('/'));
    }
  }
  return out;
}

export function readBuildHash(root = ROOT): string | null {
  try {
    return readFileSync(clientPaths(root).stamp, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Builds client/dist unless (with ifStale) it is already built from the current sources. */
export async function ensureClientBuilt(options: ClientBuildOptions = {}): Promise<ClientBuildResult> {
  const { root = ROOT, ifStale = false, log = (line: string) => console.log(line), viteLogLevel = 'warn', lockStaleMs = 30_000 } = options;
  const paths = clientPaths(root);
  if (ifStale) {
    const hash = await clientSourceHash(root);
    if (readBuildHash(root) === hash) return upToDate(hash, log);
  }
  return withLock(paths.lock, lockStaleMs, log, async () => {
    // Whoever held the lock before us may just have built these very sources.
    const hash = await clientSourceHash(root);
    const previous = readBuildHash(root);
    if (ifStale && previous === hash) return upToDate(hash, log);
    const reason = !ifStale ? '' : previous === null ? ' (no build yet)' : ' (sources changed)';
    log(`building the web client${reason}…`);
    const started = Date.now();
    await build(paths, hash, viteLogLevel);
    log(`web client built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { built: true, hash };
  });
}

function upToDate(hash: string, log: (line: string) => void): ClientBuildResult {
  log('web client up to date');
  return { built: false, hash };
}

async function build(paths: ReturnType<typeof clientPaths>, hash: string, logLevel: ClientBuildOptions['viteLogLevel']): Promise<void> {
  const staging = path.join(paths.work, `dist-${process.pid}-${Date.now()}`);
  try {
    await viteBuildInChild(path.join(paths.client, 'vite.config.ts'), staging, logLevel ?? 'warn');
    await writeFile(path.join(staging, '.build-hash'), `${hash}\n`);
    await replaceDir(staging, paths.dist, paths.work);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Vite runs in a child process because the build depends on NODE_ENV (React's production or
 * development build, JSX runtime) and must not use the caller's: vitest runs with NODE_ENV=test, and a
 * development bundle stamped with the same hash would then be served by npm start. The child's entry
 * point (main, --vite-build) sets it before Vite loads.
 */
function viteBuildInChild(configFile: string, outDir: string, logLevel: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', THIS_SCRIPT, '--vite-build', configFile, outDir, logLevel], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) {
        process.stderr.write(stderr); // held back for a failure's message; on success, Vite's warnings
        resolve();
      } else {
        const why = stderr.trim() || `vite exited with ${signal ?? code}`;
        reject(new ClientBuildError(`the web client build failed (client/vite.config.ts):\n${why}`));
      }
    });
  });
}

/** The child's side: vite's build() into outDir; a failure prints vite's message alone and exits 1. */
async function viteBuild(configFile: string, outDir: string, logLevel: string): Promise<void> {
  const { build } = await import('vite');
  try {
    await build({
      configFile,
      logLevel: logLevel as 'info' | 'warn' | 'error' | 'silent',
      clearScreen: false,
      build: { outDir, emptyOutDir: true },
    });
  } catch (error) {
    console.error(describe(error));
    process.exitCode = 1;
  }
}

// Two renames: the old build moves aside, the new one takes its place, so client/dist is missing only
// between them and never half written.
async function replaceDir(from: string, to: string, work: string): Promise<void> {
  const aside = path.join(work, `old-${process.pid}-${Date.now()}`);
  const hadOld = existsSync(to);
  if (hadOld) await move(to, aside);
  await move(from, to);
  if (hadOld) await rm(aside, { recursive: true, force: true });
}

async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // node_modules on another file system: copy, then remove.
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Rolldown reports several problems at once in `errors`; their messages carry file and position.
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length) return nested.map((e) => (e instanceof Error ? e.message : String(e))).join('\n');
  return error.message;
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--vite-build') {
    process.env.NODE_ENV = 'production';
    return viteBuild(args[1]!, args[2]!, args[3] ?? 'warn');
  }
  const ifStale = args.includes('--if-stale');
  if (ifStale && !(await servesBuiltClient())) return;
  try {
    await ensureClientBuilt({ ifStale, viteLogLevel: ifStale ? 'warn' : 'info' });
  } catch (error) {
    if (!(error instanceof ClientBuildError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}

/** npm start builds client/dist only when the server will serve it (WEB_CLIENT=dist and the default dir). */
async function servesBuiltClient(): Promise<boolean> {
  const { loadConfig } = await import('../server/platform/config.ts');
  let web;
  try {
    web = loadConfig().web;
  } catch {
    return true; // the server will report the configuration error itself
  }
  if (web.mode !== 'dist') {
    console.log(`web client not built: WEB_CLIENT=${web.mode}`);
    return false;
  }
  if (path.resolve(web.dir) !== clientPaths().dist) {
    console.log(`web client not built: serving WEB_CLIENT_DIR=${web.dir}`);
    return false;
  }
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`web client build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

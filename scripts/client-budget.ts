// The web client's size budget (`npm run client:budget`), read from vite's build manifest so that
// every emitted file is accounted for and classified by how it reaches the browser. Exits 1 when a
// budget is exceeded; `clientBudgetReport()` gives tests the same verdict.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export const KB = 1024;

// Budgets are on gzip bytes: that is what crosses the network from our server and what most
// published budgets quote, so they compare directly. Brotli is shown for information.

/**
 * The initial load: the index.html entry, everything it imports statically (a vendor chunk is still
 * paid for before the first paint, as a modulepreload) and their CSS. React 19 + react-dom are ~65 KB
 * of it, @urql/core and its GraphQL parser ~10 KB; the rest is the shell. Graphcache, the views and
 * the generated documents are lazy chunks (`npm run client:analyze` shows what the entry holds,
 * module by module). A helpdesk screen needs little, and the 300 KB many apps accept would hide a
 * careless dependency for months.
 */
export const INITIAL_GZIP_MAX = 100 * KB;

/** All CSS, lazy views' included: hand-written styles for a dense work screen, no CSS framework. */
export const CSS_GZIP_MAX = 12 * KB;

/**
 * Any one chunk outside the initial load (a lazy view, a chunk shared by lazy views, the service
 * worker): large enough for an editor or a chart, small enough that one view cannot quietly pull in a
 * second framework.
 */
export const LAZY_CHUNK_GZIP_MAX = 40 * KB;

export type ChunkKind = 'entry' | 'static' | 'lazy' | 'css' | 'service worker' | 'other';

export interface ChunkRow {
  /** Path relative to the dist directory, e.g. assets/index-abc123.js. */
  file: string;
  kind: ChunkKind;
  /** Part of what the browser must fetch before the first screen (entry, its static imports, their CSS). */
  initial: boolean;
  raw: number;
  gzip: number;
  brotli: number;
}

export interface BudgetViolation {
  /** What is over, e.g. "initial JS" or a file name. */
  subject: string;
  gzip: number;
  max: number;
  message: string;
}

export interface BudgetReport {
  distDir: string;
  rows: ChunkRow[];
  initial: { js: Sizes; css: Sizes; total: Sizes };
  css: Sizes;
  budgets: { initialGzipMax: number; cssGzipMax: number; lazyChunkGzipMax: number };
  violations: BudgetViolation[];
}

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** One record of vite's .vite/manifest.json (only the fields this script reads). */
interface ManifestChunk {
  file: string;
  src?: string;
  name?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DIST_DIR = path.join(repoRoot, 'client', 'dist');
const HTML_ENTRY = 'index.html';
/** vite.config.ts names the service worker's entry chunk sw.js (its scope must be the whole origin). */
const SERVICE_WORKER_FILE = 'sw.js';

export function clientBudgetReport(distDir = DEFAULT_DIST_DIR): BudgetReport {
  const manifest = readManifest(distDir);
  const entry = manifest[HTML_ENTRY];
  if (!entry?.isEntry) {
    throw new Error(`${manifestPath(distDir)} has no "${HTML_ENTRY}" entry: is client/vite.config.ts still building index.html?`);
  }

  // Static imports are fetched (modulepreload) before the entry runs, so they are as initial as the
  // entry itself, whatever chunk they were split into.
  const initialChunks = staticClosure(manifest, [HTML_ENTRY]);
  const swChunks = staticClosure(
    manifest,
    Object.entries(manifest)
      .filter(([, chunk]) => chunk.isEntry && chunk.file === SERVICE_WORKER_FILE)
      .map(([key]) => key),
  );

  const kinds = new Map<string, ChunkKind>();
  const initialFiles = new Set<string>();
  for (const [key, chunk] of initialChunks) {
    kinds.set(chunk.file, key === HTML_ENTRY ? 'entry' : 'static');
    initialFiles.add(chunk.file);
    for (const css of chunk.css ?? []) initialFiles.add(css);
  }
  for (const chunk of swChunks.values()) if (!kinds.has(chunk.file)) kinds.set(chunk.file, 'service worker');
  for (const chunk of Object.values(manifest)) {
    if (!kinds.has(chunk.file)) kinds.set(chunk.file, chunk.file.endsWith('.css') ? 'css' : 'lazy');
    for (const css of chunk.css ?? []) kinds.set(css, 'css');
  }
  // Anything else the build wrote that a browser could run or apply: nothing in the manifest says
  // when it loads, so it is listed (and held to the lazy ceiling) rather than silently ignored.
  for (const file of listFiles(distDir)) {
    if (/\.(m?js|css)$/.test(file) && !kinds.has(file)) kinds.set(file, 'other');
  }

  const rows: ChunkRow[] = [...kinds].map(([file, kind]) => ({ file, kind, initial: initialFiles.has(file), ...measure(distDir, file) }));
  rows.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.gzip - a.gzip || a.file.localeCompare(b.file));

  const isCss = (row: ChunkRow) => row.file.endsWith('.css');
  const initialJs = sum(rows.filter((row) => row.initial && !isCss(row)));
  const initialCss = sum(rows.filter((row) => row.initial && isCss(row)));
  const allCss = sum(rows.filter(isCss));

  const violations: BudgetViolation[] = [];
  const check = (subject: string, gzip: number, max: number, what: string) => {
    if (gzip > max) {
      violations.push({
        subject,
        gzip,
        max,
        message: `${subject}: ${formatKB(gzip)} gzip is ${formatKB(gzip - max)} over the ${formatKB(max)} budget (${what})`,
      });
    }
  };
  const initialTotal = addSizes(initialJs, initialCss);
  check('initial load', initialTotal.gzip, INITIAL_GZIP_MAX, 'INITIAL_GZIP_MAX: the index.html entry, its static imports and their CSS');
  check('CSS', allCss.gzip, CSS_GZIP_MAX, 'CSS_GZIP_MAX: every CSS file');
  for (const row of rows) {
    if (!row.initial && !isCss(row)) check(row.file, row.gzip, LAZY_CHUNK_GZIP_MAX, `LAZY_CHUNK_GZIP_MAX: one ${row.kind} chunk`);
  }

  return {
    distDir,
    rows,
    initial: { js: initialJs, css: initialCss, total: initialTotal },
    css: allCss,
    budgets: { initialGzipMax: INITIAL_GZIP_MAX, cssGzipMax: CSS_GZIP_MAX, lazyChunkGzipMax: LAZY_CHUNK_GZIP_MAX },
    violations,
  };
}

const KIND_ORDER: ChunkKind[] = ['entry', 'static', 'css', 'lazy', 'service worker', 'other'];

function manifestPath(distDir: string): string {
  return path.join(distDir, '.vite', 'manifest.json');
}

function readManifest(distDir: string): Manifest {
  const file = manifestPath(distDir);
  if (!existsSync(file)) {
    throw new Error(
      `${file} not found: build the web client first (npm run client:build, or npx vite build --config client/vite.config.ts)`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** The chunks roots import statically, transitively, by manifest key (roots included). */
function staticClosure(manifest: Manifest, roots: string[]): Map<string, ManifestChunk> {
  const seen = new Map<string, ManifestChunk>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the build manifest imports "${key}", which it does not list: rebuild client/dist`);
    seen.set(key, chunk);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  roots.forEach(visit);
  return seen;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === '.vite' ? [] : listFiles(dir, relative);
    return [relative];
  });
}

function measure(distDir: string, file: string): Sizes {
  const full = path.join(distDir, file);
  if (!existsSync(full)) throw new Error(`${full} is in the build manifest but not on disk: rebuild client/dist`);
  const bytes = readFileSync(full);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

function sum(rows: Sizes[]): Sizes {
  return rows.reduce(addSizes, { raw: 0, gzip: 0, brotli: 0 });
}

function addSizes(a: Sizes, b: Sizes): Sizes {
  return { raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli };
}

export function formatKB(bytes: number): string {
  return `${(bytes / KB).toFixed(2)} KB`;
}

/** The report as a fixed-width table and a summary against the budgets. */
export function formatBudgetReport(report: BudgetReport): string {
  const header = ['file', 'kind', 'raw', 'gzip', 'brotli'];
  const line = (row: ChunkRow | (Sizes & { file: string; kind: string })) => [
    row.file,
    row.kind + ('initial' in row && row.initial && row.kind === 'css' ? ' (initial)' : ''),
    formatKB(row.raw),
    formatKB(row.gzip),
    formatKB(row.brotli),
  ];
  const body = report.rows.map(line);
  const totals = [
    line({ file: 'initial load', kind: 'JS + CSS', ...report.initial.total }),
    line({ file: 'all CSS', kind: 'css', ...report.css }),
  ];
  const table = [header, ...body, ...totals];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  const render = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const { budgets } = report;
  return [
    `client bundle (${report.distDir}), KB = 1024 bytes, gzip level 9, brotli quality 11`,
    render(header),
    rule,
    ...body.map(render),
    rule,
    ...totals.map(render),
    '',
    `initial load ${formatKB(report.initial.total.gzip)} gzip (JS ${formatKB(report.initial.js.gzip)} + CSS ${formatKB(report.initial.css.gzip)}) of ${formatKB(budgets.initialGzipMax)}; ` +
      `CSS ${formatKB(report.css.gzip)} gzip of ${formatKB(budgets.cssGzipMax)}; ` +
      `each lazy chunk at most ${formatKB(budgets.lazyChunkGzipMax)} gzip`,
  ].join('\n');
}

function main(): void {
  let report: BudgetReport;
  try {
    report = clientBudgetReport(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_DIST_DIR);
  } catch (error) {
    console.error(`client:budget: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(formatBudgetReport(report));
  if (report.violations.length > 0) {
    console.error(`\nclient:budget: over budget:\n${report.violations.map((v) => `  - ${v.message}`).join('\n')}`);
    console.error(
      'Make it smaller (a lazy route, a lighter dependency, less CSS) or, if the growth is worth it, raise the constant in scripts/client-budget.ts and say why in its comment.',
    );
    process.exit(1);
  }
  console.log('within budget');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();

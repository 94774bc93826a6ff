// npm run client:analyze: what the web client's initial load is made of. Builds the client in memory
// (nothing is written to client/dist; rolldown's output keeps each chunk's modules as rendered), then
// prints, for the chunks the browser fetches before the first screen (the
// index.html entry and its static imports), each module's and each package's share of the gzip bytes,
// and writes the same as client/analysis/entry.txt and entry.json (gitignored).
//
// A module's share: its code compressed alone, scaled so the shares of a chunk add up to the chunk's
// gzip size. Compressed alone a module loses the matches it would find in its neighbours, so the raw
// figure over-counts; scaled, the shares rank what to move out and add up to what the budget measures.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG_FILE = path.join(ROOT, 'client', 'vite.config.ts');
const REPORT_DIR = path.join(ROOT, 'client', 'analysis');
const KB = 1024;

export interface ModuleShare {
  /** Path relative to the repository, or node_modules/<package>/… */
  module: string;
  /** The npm package (scope included), or "client/src" for our own code. */
  pkg: string;
  chunk: string;
  rendered: number;
  gzipAlone: number;
  /** gzipAlone scaled so that a chunk's shares add up to its gzip size. */
  gzipShare: number;
}

export interface EntryAnalysis {
  chunks: { file: string; rendered: number; gzip: number }[];
  css: { file: string; raw: number; gzip: number }[];
  modules: ModuleShare[];
  packages: { pkg: string; rendered: number; gzipShare: number; modules: number }[];
}

interface CapturedChunk {
  file: string;
  code: string;
  isEntry: boolean;
  name: string;
  imports: string[];
  css: string[];
  modules: { id: string; code: string; renderedLength: number }[];
}

const gzip = (text: string | Uint8Array) => gzipSync(text, { level: 9 }).length;

type BuildOutput = Awaited<ReturnType<typeof import('vite').build>>;

/** The chunks (their code as written, their modules as rendered) and the assets of an in-memory build. */
function collect(result: BuildOutput): { chunks: CapturedChunk[]; assets: Map<string, Uint8Array | string> } {
  if (!('output' in result) && !Array.isArray(result)) throw new Error('vite build returned a watcher, not a bundle');
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((bundle) => bundle.output);
  const chunks: CapturedChunk[] = [];
  const assets = new Map<string, Uint8Array | string>();
  for (const output of outputs) {
    if (output.type === 'asset') {
      assets.set(output.fileName, output.source);
      continue;
    }
    const meta = (output as { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata;
    chunks.push({
      file: output.fileName,
      code: output.code,
      isEntry: output.isEntry,
      name: output.name,
      imports: output.imports,
      css: [...(meta?.importedCss ?? [])],
      modules: Object.entries(output.modules).map(([id, module]) => ({
        id,
        code: module.code ?? '',
        renderedLength: module.renderedLength,
      })),
    });
  }
  return { chunks, assets };
}

function packageOf(id: string): { module: string; pkg: string } {
  const clean = id.replace(/^\0/, '').replace(/\?.*$/, '');
  const at = clean.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const rest = clean.slice(at + '/node_modules/'.length);
    const parts = rest.split('/');
    const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    return { module: `node_modules/${rest}`, pkg };
  }
  const relative = path.isAbsolute(clean) ? path.relative(ROOT, clean) : clean;
  return {
    module: relative,
    pkg: relative.startsWith('client/src/gql/') ? 'client/src/gql (codegen)' : relative.startsWith('client/') ? 'client/src' : relative,
  };
}

export async function analyzeEntry(): Promise<EntryAnalysis> {
  // React and the JSX runtime differ between development and production: measure production's.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  const { chunks, assets } = collect(
    await build({
      configFile: CONFIG_FILE,
      logLevel: 'warn',
      clearScreen: false,
      build: { write: false, outDir: path.join(ROOT, 'node_modules', '.cache', 'deskgraph-analyze') },
    }),
  );

  const byFile = new Map(chunks.map((chunk) => [chunk.file, chunk]));
  const entry = chunks.find((chunk) => chunk.isEntry && chunk.name === 'index');
  if (!entry) throw new Error('the build has no "index" entry chunk: is client/vite.config.ts still building index.html?');
  // The entry and its static imports: what the budget (scripts/client-budget.ts) counts as initial.
  const initial: CapturedChunk[] = [];
  const visit = (file: string) => {
    const chunk = byFile.get(file);
    if (!chunk || initial.includes(chunk)) return;
    initial.push(chunk);
    chunk.imports.forEach(visit);
  };
  visit(entry.file);

  const modules: ModuleShare[] = [];
  for (const chunk of initial) {
    const chunkGzip = gzip(chunk.code);
    const rows = chunk.modules
      .filter((module) => module.renderedLength > 0)
      .map((module) => ({ ...packageOf(module.id), chunk: chunk.file, rendered: module.renderedLength, gzipAlone: gzip(module.code) }));
    const total = rows.reduce((sum, row) => sum + row.gzipAlone, 0) || 1;
    for (const row of rows) modules.push({ ...row, gzipShare: (row.gzipAlone / total) * chunkGzip });
  }
  modules.sort((a, b) => b.gzipShare - a.gzipShare);

  const packages = new Map<string, { pkg: string; rendered: number; gzipShare: number; modules: number }>();
  for (const row of modules) {
    const entry = packages.get(row.pkg) ?? { pkg: row.pkg, rendered: 0, gzipShare: 0, modules: 0 };
    entry.rendered += row.rendered;
    entry.gzipShare += row.gzipShare;
    entry.modules += 1;
    packages.set(row.pkg, entry);
  }

  const cssFiles = [...new Set(initial.flatMap((chunk) => chunk.css))];
  return {
    chunks: initial.map((chunk) => ({ file: chunk.file, rendered: chunk.code.length, gzip: gzip(chunk.code) })),
    css: cssFiles.map((file) => {
      const source = assets.get(file) ?? '';
      return { file, raw: typeof source === 'string' ? source.length : source.byteLength, gzip: gzip(source) };
    }),
    modules,
    packages: [...packages.values()].sort((a, b) => b.gzipShare - a.gzipShare),
  };
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(2)} KB`;

function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((cells) => cells[i]!.length)));
  const render = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [render(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(render)];
}

export function formatEntryAnalysis(analysis: EntryAnalysis): string {
  const jsGzip = analysis.chunks.reduce((sum, chunk) => sum + chunk.gzip, 0);
  const cssGzip = analysis.css.reduce((sum, css) => sum + css.gzip, 0);
  return [
    'initial load of the web client (index.html entry + static imports), KB = 1024 bytes, gzip level 9',
    '',
    ...table(
      ['file', 'raw', 'gzip'],
      [
        ...analysis.chunks.map((chunk) => [chunk.file, kb(chunk.rendered), kb(chunk.gzip)]),
        ...analysis.css.map((css) => [css.file, kb(css.raw), kb(css.gzip)]),
        ['total', '', kb(jsGzip + cssGzip)],
      ],
    ),
    '',
    'by package (gzip share of the JS)',
    ...table(
      ['package', 'modules', 'rendered', 'gzip share', '%'],
      analysis.packages.map((row) => [
        row.pkg,
        String(row.modules),
        kb(row.rendered),
        kb(row.gzipShare),
        ((row.gzipShare / (jsGzip || 1)) * 100).toFixed(1),
      ]),
    ),
    '',
    'by module',
    ...table(
      ['module', 'rendered', 'gzip alone', 'gzip share'],
      analysis.modules.map((row) => [row.module, kb(row.rendered), kb(row.gzipAlone), kb(row.gzipShare)]),
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const analysis = await analyzeEntry();
  const text = formatEntryAnalysis(analysis);
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(path.join(REPORT_DIR, 'entry.txt'), `${text}\n`);
  writeFileSync(path.join(REPORT_DIR, 'entry.json'), `${JSON.stringify(analysis, null, 2)}\n`);
  console.log(text);
  console.log(`\nwritten to ${path.relative(process.cwd(), REPORT_DIR)}/entry.txt and entry.json`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(`client:analyze: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

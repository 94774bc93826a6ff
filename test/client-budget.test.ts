// The web client's size budget, checked against the client/dist that global setup builds. A missing
// dist fails here (clientBudgetReport throws) instead of skipping: a budget that is never measured is
// no budget.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { clientBudgetReport, formatBudgetReport, INITIAL_GZIP_MAX, KB } from '../scripts/client-budget.ts';

test('the built web client is within its size budget', () => {
  const report = clientBudgetReport();
  // Printed on every run so that CI logs show how each chunk grows over time.
  console.log(formatBudgetReport(report));
  expect(
    report.rows.some((row) => row.kind === 'entry'),
    'the index.html entry chunk is measured',
  ).toBe(true);
  expect(report.violations.map((violation) => violation.message)).toEqual([]);
});

test('the initial budget counts the entry, its static imports and their CSS together', () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'deskgraph-budget-'));
  try {
    // Random bytes as base64 gzip back to about their own size. The JS alone is under the budget; with
    // its CSS (itself within the CSS budget) the initial load is over it.
    const filler = (gzipBytes: number) => `/*${randomBytes(gzipBytes).toString('base64')}*/`;
    const js = INITIAL_GZIP_MAX / 2 - 3 * KB;
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    mkdirSync(path.join(dist, '.vite'));
    writeFileSync(path.join(dist, 'assets', 'index.js'), filler(js));
    writeFileSync(path.join(dist, 'assets', 'vendor.js'), filler(js));
    writeFileSync(path.join(dist, 'assets', 'index.css'), filler(8 * KB));
    writeFileSync(path.join(dist, 'assets', 'lazy.js'), 'export {};');
    writeFileSync(
      path.join(dist, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': {
          file: 'assets/index.js',
          isEntry: true,
          imports: ['_vendor'],
          dynamicImports: ['lazy.tsx'],
          css: ['assets/index.css'],
        },
        _vendor: { file: 'assets/vendor.js' },
        'lazy.tsx': { file: 'assets/lazy.js', isDynamicEntry: true },
      }),
    );
    const report = clientBudgetReport(dist);
    expect(report.rows.filter((row) => row.initial).map((row) => row.file)).toEqual(
      expect.arrayContaining(['assets/index.js', 'assets/vendor.js', 'assets/index.css']),
    );
    expect(report.rows.find((row) => row.file === 'assets/lazy.js')?.initial).toBe(false);
    expect(report.initial.js.gzip).toBeLessThan(INITIAL_GZIP_MAX);
    expect(report.initial.total.gzip).toBeGreaterThan(INITIAL_GZIP_MAX);
    expect(report.violations.map((violation) => violation.subject)).toEqual(['initial load']);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});

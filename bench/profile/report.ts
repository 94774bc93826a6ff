// bench:profile's output: per case the window's req/s, the category table and the top self functions
// (Markdown tables, ready for bench/README.md), and a JSON summary beside the .cpuprofile files.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeCode, fmt, table, type codeState } from '../lib/util.ts';
import type { CaseResult, ProfileSettings } from './run-case.ts';

const pct = (value: number) => `${fmt(value, 1)} %`;

export function printCase(root: string, r: CaseResult): void {
  const b = r.breakdown;
  const { load } = r;
  console.log(`\n### ${r.profileCase.label}\n`);
  console.log(
    `${fmt(load.rps, 0)} req/s during the window (for reference: the profiler slows the server), p99 ${fmt(load.p99, 0)} ms` +
      `${r.hitShare != null ? `, fast-path hits ${pct(100 * r.hitShare)} of requests` : ''}; ` +
      `${b.windowSamples} samples in the window, busy ${pct(b.windowSamples ? (100 * b.busySamples) / b.windowSamples : 0)}; ` +
      `profile: ${path.relative(root, r.profileFile)}\n`,
  );
  console.log(
    table(
      ['category (innermost known frame)', '% of busy'],
      b.categories.filter((c) => c.percent >= 0.05).map((c) => [c.name, pct(c.percent)]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['self function', '% of busy'],
      b.topSelf.map((f) => [`\`${f.name}\``, pct(f.percent)]),
    ),
  );
}

/** The categories of every case side by side. */
export function printSummary(results: CaseResult[]): void {
  const names = [...new Set(results.flatMap((r) => r.breakdown.categories.map((c) => c.name)))];
  const percentOf = (r: CaseResult, name: string) => r.breakdown.categories.find((c) => c.name === name)?.percent ?? 0;
  names.sort((a, b) => results.reduce((s, r) => s + percentOf(r, b), 0) - results.reduce((s, r) => s + percentOf(r, a), 0));
  console.log('\n### All cases, % of busy samples\n');
  console.log(
    table(
      ['category', ...results.map((r) => r.profileCase.key)],
      [
        ...names.map((name) => [name, ...results.map((r) => pct(percentOf(r, name)))]),
        ['(req/s in the window)', ...results.map((r) => fmt(r.load.rps, 0))],
      ],
    ),
  );
}

export function writeSummary(
  outDir: string,
  results: CaseResult[],
  settings: ProfileSettings,
  code: ReturnType<typeof codeState>,
  note: string,
): string {
  const file = path.join(outDir, 'summary.json');
  const data = {
    at: new Date().toISOString(),
    code,
    codeLine: describeCode(code),
    settings,
    note,
    cases: results.map((r) => ({
      key: r.profileCase.key,
      label: r.profileCase.label,
      rps: r.load.rps,
      p99Ms: r.load.p99,
      requests: r.load.requests,
      hitShare: r.hitShare,
      profile: path.basename(r.profileFile),
      ...r.breakdown,
    })),
  };
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

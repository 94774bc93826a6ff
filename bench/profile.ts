// npm run bench:profile — where deskgraph's CPU time goes (issue 20: "profile first"), per request kind:
// ticket by id, the nested list (50) and the dashboard uncached (POST document, RESPONSE_CACHE=false, as
// `npm run bench` scenario 3), and ticket by id as a fast-path hit (memory cache, persisted GET by hash,
// scenario 4). Each runs in a deskgraph of its own under `node --cpu-prof`, on a database seeded at scale
// 1 on BENCH_DATABASE_URL/TEST_DATABASE_URL's server; only the samples taken during the load window count
// (start-up and warm-up are left out). Every response is checked; a failed one fails the run.
// The .cpuprofile files go to bench/results/profiles/<commit>/ (open them in Chrome DevTools'
// Performance panel). The steps live in bench/profile/ (cases, run-case, analyze, report).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededDatabaseEnv } from './lib/database.ts';
import { manifest } from './lib/queries.ts';
import { Cleanup, codeState, describeCode, envNumber, exitWith, log } from './lib/util.ts';
import { selectCases } from './profile/cases.ts';
import { printCase, printSummary, writeSummary } from './profile/report.ts';
import { profileCase, type CaseResult, type ProfileSettings } from './profile/run-case.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function settingsFromEnv(): ProfileSettings & { scale: number } {
  return {
    seconds: envNumber('BENCH_PROFILE_SECONDS', 15, { min: 1 }),
    warmup: envNumber('BENCH_PROFILE_WARMUP', 3, { min: 0 }),
    connections: envNumber('BENCH_PROFILE_CONNECTIONS', 10, { min: 1, integer: true }),
    intervalUs: envNumber('BENCH_PROFILE_INTERVAL_US', 1000, { min: 50, integer: true }),
    top: envNumber('BENCH_PROFILE_TOP', 12, { min: 1, integer: true }),
    scale: envNumber('BENCH_PROFILE_SCALE', 1, { min: 0.01 }),
  };
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<number> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    console.error(
      'bench:profile needs a PostgreSQL server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. postgresql://postgres@127.0.0.1:55432/postgres; a database is created on it and dropped after.',
    );
    return 2;
  }
  const settings = settingsFromEnv();
  const cases = selectCases(process.env.BENCH_PROFILE_CASES);
  const code = codeState(root);
  const outDir = path.join(root, 'bench/results/profiles', code.head ?? 'unknown');
  mkdirSync(outDir, { recursive: true });
  const cleanup = new Cleanup();
  const work = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-profile-'));
  cleanup.add('remove temporary directory', () => rmSync(work, { recursive: true, force: true }));
  const results: CaseResult[] = [];
  try {
    log(
      `bench:profile — ${cases.length} cases, ${settings.seconds} s of load each after ${settings.warmup} s of warm-up, ${settings.connections} connections, a sample every ${settings.intervalUs} µs`,
    );
    log(describeCode(code));
    log(`load average ${loadAverage()} (other processes on the machine share its cores with the server and autocannon)`);
    const manifestFile = path.join(work, 'persisted-documents.json');
    writeFileSync(manifestFile, JSON.stringify(manifest(), null, 2) + '\n');
    const env = {
      ...(await seededDatabaseEnv(serverUrl, settings.scale, cleanup)),
      PERSISTED_OPERATIONS_MANIFEST: manifestFile,
    };
    for (const c of cases) {
      const result = await profileCase({ root, cleanup, settings, env, outDir }, c);
      results.push(result);
      printCase(root, result);
    }
  } finally {
    await cleanup.run();
  }
  log(`load average ${loadAverage()} at the end`);
  if (results.length > 1) printSummary(results);
  const note =
    'Percentages are of busy samples (idle left out) taken during the load window only. A sample goes to the innermost frame whose file belongs to a known part; the load generator shares the machine, so req/s are for reference.';
  console.log(`\n${note}`);
  writeSummary(outDir, results, settings, code, note);
  console.log(`profiles (.cpuprofile, for Chrome DevTools) and summary.json in ${path.relative(process.cwd(), outDir)}`);
  return 0;
}

exitWith(main, 'bench:profile');

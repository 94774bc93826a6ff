// The end of a run: the tables and the run's description on stdout, every figure in
// bench/results/<date>.json, the charts in bench/results/<date>.svg, and the verdict as the exit code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineLine, type Commit, type Machine } from '../lib/machine.ts';
import { QUERIES } from '../lib/queries.ts';
import type { Services } from '../lib/services.ts';
import { fmt, warn, writeResults } from '../lib/util.ts';
import { PEERS } from '../peers/peers.ts';
import { renderChart } from './chart.ts';
import type { Findings, MixRow, RunContext } from './model.ts';
import { computeRatios, renderText, rowProblems } from './report.ts';

/** What identifies a run, fixed when it starts. */
export interface RunInfo {
  commit: Commit;
  command: string;
  /** The start time, as the result files are named. */
  stamp: string;
  services: Services;
  machine: Machine;
}

/** Prints and writes everything; 1 when the run had a problem. */
export function finish(ctx: RunContext, info: RunInfo, seconds: number): number {
  const { findings } = ctx;
  computeRatios(findings);
  rowProblems(findings);
  printSummary(ctx, info, seconds);
  const jsonFile = writeResults(ctx.root, `${info.stamp}.json`, resultJson(ctx, info, seconds));
  const svgFile = path.join(path.dirname(jsonFile), `${info.stamp}.svg`);
  writeFileSync(
    svgFile,
    renderChart(ctx.settings, findings, { machine: info.machine, commit: info.commit, stamp: info.stamp, command: info.command }),
  );
  console.log(`results: ${path.relative(process.cwd(), jsonFile)}, chart: ${path.relative(process.cwd(), svgFile)}`);
  if (findings.problems.length) {
    warn(`THE RUN FAILED (${findings.problems.length} problem(s)):\n${findings.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  return 0;
}

function printSummary(ctx: RunContext, { machine, commit, command }: RunInfo, seconds: number): void {
  console.log(`\n${renderText(ctx.settings, ctx.findings)}`);
  console.log(`\nmachine: ${machineLine(machine)}`);
  console.log(`commit:  ${commit.sha ?? '?'}${commit.dirty.length ? ` + uncommitted changes in ${commit.dirty.join(', ')}` : ' (clean)'}`);
  console.log(`reproduce: ${command}`);
  console.log(`duration: ${fmt(seconds, 0)} s`);
  for (const s of ctx.findings.skipped) console.log(`skipped: ${s}`);
}

function resultJson({ settings, findings }: RunContext, info: RunInfo, seconds: number) {
  const { rows, mixRows, seeding, skipped, problems }: Findings = findings;
  return {
    at: new Date().toISOString(),
    durationS: seconds,
    command: info.command,
    commit: info.commit,
    machine: info.machine,
    services: info.services.source,
    settings,
    peers: PEERS.filter((p) => settings.peers.includes(p.name)),
    seeding,
    queries: QUERIES.map((q) => ({ key: q.key, label: q.label, document: q.document })),
    rows: rows.map(({ stats, ...r }) => ({ ...r, ...(stats ? { stats } : {}) })),
    mix: mixRows.map(mixJson),
    skipped,
    problems,
  };
}

function mixJson(m: MixRow) {
  return {
    name: m.scenario.name,
    instances: m.scenario.instances,
    cache: m.scenario.cache,
    naive: m.scenario.naive ?? false,
    rps: m.load.rps,
    ratioNaive: m.ratioNaive,
    p50Ms: m.load.p50,
    p99Ms: m.load.p99,
    bytesPerResponse: m.load.bytesPerResponse,
    requests: m.load.requests,
    reads: m.load.reads,
    writes: m.load.writes,
    hitRate: m.hitRate,
    sqlPerRequest: m.sqlPerRequest,
    errors: m.errors,
    warmupErrors: m.warmupErrors,
    operations: m.load.stats,
    cacheCounters: m.cache,
    redisKeys: m.keyspace,
  };
}

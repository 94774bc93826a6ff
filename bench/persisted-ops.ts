// npm run bench:persisted — the issue: "bytes on the wire and throughput for hash-only GET vs
// full-document POST for the client's operations, in one run".
//
// The client's operations are the read operations of the benchmark workload (bench/lib/operations.ts).
// A manifest { "sha256:<hex>": "<document>" } of them and of the Login mutation is written at run time,
// and two deskgraph instances share one database (memory response cache, NODE_ENV=production):
//   require  PERSISTED_OPERATIONS=require: hashes only, what production runs (login goes by hash too)
//   allow    PERSISTED_OPERATIONS=allow, same manifest: takes the full documents the client sends today
// Bytes: every operation sent once per form (POST document to `allow`, POST hash and GET hash to
// `require`) on a raw TCP socket, request and response counted byte for byte, for identity, br, gzip and
// (GET) If-None-Match; every measured response is a fast-path cache hit (checked on /metrics).
// Throughput: autocannon on the hottest read (OpenTickets as agent@acme.test, cache hits), each row in
// alternating slices, every response checked.
// The steps live in bench/persisted/ (manifest, instances, checks, bytes, header-notes, throughput, report).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cleanup, codeState, describeCode, envNumber, exitWith, log, sleep, warn } from './lib/util.ts';
import { measureBytes } from './persisted/bytes.ts';
import { checkOrigin, checkRefusals, checkSharedToken, setTicketDetailVariables } from './persisted/checks.ts';
import { noteHeaderDifferences } from './persisted/header-notes.ts';
import { startInstances } from './persisted/instances.ts';
import { writeManifest } from './persisted/manifest.ts';
import { AGENT, Findings, HOT, type BytesRow, type ThroughputRow } from './persisted/model.ts';
import { bytesTotals, loadErrors, printBytes, printFindings, printThroughput } from './persisted/report.ts';
import { writeJson } from './persisted/results.ts';
import { measureThroughput } from './persisted/throughput.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function settingsFromEnv() {
  return {
    duration: envNumber('BENCH_DURATION', 8, { min: 1 }),
    warmup: envNumber('BENCH_WARMUP', 1, { min: 0 }),
    connections: envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true }),
    rounds: envNumber('BENCH_PERSISTED_ROUNDS', 4, { min: 1, integer: true }),
    scale: envNumber('BENCH_PERSISTED_SCALE', 0.1, { min: 0.01 }),
  };
}

async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const withOrigin = process.env.BENCH_PERSISTED_ORIGIN !== 'false';
  const cleanup = new Cleanup();
  const code = codeState(root);
  const findings = new Findings();
  const work = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-persisted-'));
  cleanup.add('remove temporary directory', () => rmSync(work, { recursive: true, force: true }));
  const manifest = writeManifest(work);
  const { operations } = manifest;
  const hot = operations.find((o) => o.name === HOT)!;
  let bytesRows: BytesRow[];
  let throughputRows: ThroughputRow[];
  let databaseSource: string;
  try {
    log(`bench:persisted — ${operations.length} read operations + Login in the manifest (${manifest.file})`);
    log(
      `throughput: ${settings.duration} s per row in ${settings.rounds} alternating slices after ${settings.warmup} s of warm-up, ${settings.connections} connections, ${HOT} as ${AGENT}`,
    );
    log(describeCode(code));
    const started = await startInstances({ root, cleanup, work, scale: settings.scale, manifest, findings });
    const { client } = started;
    databaseSource = started.databaseSource;
    await checkRefusals(client, findings, hot);
    await setTicketDetailVariables(client, operations, hot);
    bytesRows = await measureBytes(client, findings, operations);
    noteHeaderDifferences(findings, bytesRows);
    await checkSharedToken(client, findings, operations);
    await checkOrigin(client, findings, hot);
    throughputRows = await measureThroughput(client, bytesRows, hot, { ...settings, withOrigin });
    await sleep(500);
  } finally {
    await cleanup.run();
  }

  const totals = bytesTotals(bytesRows);
  printBytes(bytesRows, totals, describeCode(code), databaseSource);
  printThroughput(throughputRows, settings.connections);
  const failures = findings.failures + printFindings(findings);
  const outFile = writeJson(root, { code, databaseSource, settings, manifest, findings, bytesRows, totals, throughputRows });
  console.log(`\nresults written to ${path.relative(process.cwd(), outFile)}`);
  const errors = throughputRows.reduce((a, r) => a + loadErrors(r), 0);
  if (errors > 0) warn(`THE LOAD HAD ${errors} FAILED OR REFUSED RESPONSES: the throughput numbers are not trustworthy.`);
  if (failures > 0) warn(`${failures} CHECK(S) FAILED (see above).`);
  return errors > 0 || failures > 0 ? 1 : 0;
}

exitWith(main, 'bench:persisted');

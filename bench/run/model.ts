// What npm run bench measures (targets), what it records (rows, mix rows, seeding times, problems) and
// the context every step of bench/run.ts is handed.
import type { LoadStats } from '../lib/load-client.ts';
import type { MixResult } from '../lib/mix.ts';
import type { BenchQuery } from '../lib/queries.ts';
import type { Instance } from '../lib/server.ts';
import type { Cleanup } from '../lib/util.ts';
import type { Settings } from './settings.ts';

export type Kind = 'ceiling' | 'naive' | 'loaders' | 'cached' | 'peer' | 'peer-cached';

/** Where a target is asked: a server, or HAProxy in front of some. */
export type Endpoint = Pick<Instance, 'name' | 'port' | 'origin' | 'graphqlUrl'>;

export interface Target {
  key: string;
  scenario: 1 | 2 | 3 | 4 | 5;
  label: string;
  kind: Kind;
  /** How the query is sent. */
  form: 'GET hash' | 'POST document';
  instance: Endpoint | null;
  /** Behind a proxy (instance): the servers whose /metrics are summed for SQL/req and hits. */
  behind?: Endpoint[];
  /** Where statements are counted: deskgraph's /metrics, a peer's /bench-stats, or nowhere (bare server). */
  sql: 'metrics' | 'bench-stats' | 'none';
  token: string | null;
  /** Fast-path hits are expected (cached deskgraph): the share is reported and must be near 1. */
  expectHits: boolean;
  /** Not measured, and why (peer file missing, no Redis). */
  skipped: string | null;
  /** Could not be measured because something went wrong (the run fails). */
  failed: string | null;
}

export interface Row {
  section: 'queries' | 'scaling';
  query: string;
  queryLabel: string;
  target: string;
  scenario: number | null;
  label: string;
  kind: Kind;
  form: string;
  scale: number;
  stats: LoadStats | null;
  warmupFailures: number;
  sqlPerRequest: number | null;
  /** Share of measured responses that were fast-path cache hits (cached deskgraph only). */
  hitShare: number | null;
  /** req/s of each round's slice, when measured in several rounds. */
  slices: number[] | null;
  /** Body bytes of the checked response (the same for every response). */
  bodyBytes: number | null;
  ratioCeiling: number | null;
  ratioNaive: number | null;
  skipped: string | null;
  failed: string | null;
}

export type MixRow = MixResult & { ratioNaive: number | null };

export interface SeedTime {
  scale: number;
  seconds: number;
  counts: Record<string, number>;
  /** Seeded while the servers started: the time is shared with them. */
  parallel: boolean;
}

/** Everything the report is made of, filled step by step: most failures become problems here, so the other scenarios still run. */
export interface Findings {
  rows: Row[];
  mixRows: MixRow[];
  problems: string[];
  skipped: string[];
  seeding: SeedTime[];
}

export interface RunContext {
  root: string;
  settings: Settings;
  cleanup: Cleanup;
  /** A temporary directory (the manifest, the bare server's bodies), removed by the cleanup. */
  work: string;
  findings: Findings;
}

/** A row without figures: skipped, failed, or about to get its figures. */
export function emptyRow(
  query: BenchQuery,
  t: Pick<Target, 'key' | 'scenario' | 'label' | 'kind' | 'form'>,
  scale: number,
  skipped: string | null,
  failed: string | null,
): Row {
  return {
    section: 'queries',
    query: query.key,
    queryLabel: query.label,
    target: t.key,
    scenario: t.scenario,
    label: t.label,
    kind: t.kind,
    form: t.form,
    scale,
    stats: null,
    warmupFailures: 0,
    sqlPerRequest: null,
    hitShare: null,
    slices: null,
    bodyBytes: null,
    ratioCeiling: null,
    ratioNaive: null,
    skipped,
    failed,
  };
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

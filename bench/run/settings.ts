// The presets of npm run bench (fast, --full), the BENCH_* variables that override them, and the command
// line that reproduces a run.
import { envNumber } from '../lib/util.ts';
import { PEERS } from '../peers/peers.ts';

/** Who every query of scenarios 1–5 is asked as. */
export const USER = 'agent@acme.test';

// The peers and their labels come from bench/peers/peers.ts (written with the peers); a name given in
// BENCH_PEERS that is not listed there is still tried (and skipped when its file is missing).
const PEER_NAMES = PEERS.map((p) => p.name);
export const peerInfo = (name: string) =>
  PEERS.find((p) => p.name === name) ?? { name, label: name, cached: name.endsWith('-cache'), note: '' };

export interface Settings {
  preset: 'fast' | 'full';
  duration: number;
  warmup: number;
  /** Rounds each query's targets are measured in (each target gets duration / rounds per round). */
  rounds: number;
  /** Cap of the warm-up of slow targets (it doubles until every connection had an answer). */
  maxWarmup: number;
  /** Responses a slow target is measured over (instead of a time window). */
  slowAmount: number;
  connections: number;
  mainScale: number;
  scales: number[];
  peers: string[];
  /** full: every mix scenario on a fresh copy and fresh instances (as bench:cache:mix); fast: the instances of 1–4, one after the other. */
  freshMix: boolean;
  /** Seed the other scales while the servers start (fast) or each alone before (full: each seeding time is clean). */
  parallelSeed: boolean;
  redis: boolean;
  /** The Redis of the 3 instances behind HAProxy: a cluster when possible (auto), forced, the run's one Redis, or no HAProxy rows. */
  proxyRedis: 'auto' | 'cluster' | 'one' | 'off';
  /** First of the 46 ports the HAProxy rows use (two proxies, a Redis Cluster and its bus). */
  portBase: number;
  /** BENCH_ONLY=haproxy: only the HAProxy rows and what they are compared with (ceiling, 4 memory and Redis). */
  onlyProxies: boolean;
}

const PROXY_REDIS = ['auto', 'cluster', 'one', 'off'] as const;

function proxyRedis(): Settings['proxyRedis'] {
  const raw = process.env.BENCH_PROXY_REDIS ?? 'auto';
  const value = PROXY_REDIS.find((v) => v === raw);
  if (!value) throw new Error(`BENCH_PROXY_REDIS must be one of ${PROXY_REDIS.join(', ')}, got ${JSON.stringify(raw)}`);
  return value;
}

function onlyProxies(): boolean {
  const raw = process.env.BENCH_ONLY;
  if (raw === undefined || raw === '') return false;
  if (raw !== 'haproxy')
    throw new Error(`BENCH_ONLY takes one value, haproxy (the HAProxy rows and what they are compared with), got ${JSON.stringify(raw)}`);
  return true;
}

function scaleList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0 || v > 64))
    throw new Error(`${name} must be comma-separated seed scales (0 < scale ≤ 64), got ${JSON.stringify(raw)}`);
  return values;
}

function peerList(): string[] {
  const raw = process.env.BENCH_PEERS;
  if (!raw) return [...PEER_NAMES];
  return raw === 'none'
    ? []
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** A BENCH_* switch: 'true' or anything else when set, the preset's value when not. */
const flag = (name: string, fallback: boolean) => (process.env[name] ? process.env[name] === 'true' : fallback);

export function settingsFrom(argv: string[]): Settings {
  const unknown = argv.filter((a) => a !== '--full' && a !== '--fast');
  if (unknown.length) throw new Error(`unknown argument(s) ${unknown.join(' ')}: npm run bench [-- --full]`);
  const full = argv.includes('--full');
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  const only = onlyProxies();
  return {
    preset: full ? 'full' : 'fast',
    duration: envNumber('BENCH_DURATION', full ? 10 : 1, { min: 0.5 }),
    warmup: envNumber('BENCH_WARMUP', full ? 3 : 0.5, { min: 0 }),
    rounds: envNumber('BENCH_ROUNDS', full ? 3 : 1, { min: 1, integer: true }),
    maxWarmup: full ? 20 : 4,
    // Two answers per connection (fast), four (full); autocannon spreads the count over the connections.
    slowAmount: (full ? 4 : 2) * connections,
    connections,
    mainScale: envNumber('BENCH_MAIN_SCALE', 1, { min: 0.01 }),
    // BENCH_ONLY: no scaling run and no peers (their rows say skipped).
    scales: only ? [] : scaleList('BENCH_SCALES', full ? [1, 4, 16] : [0.25, 1, 4]),
    peers: only ? [] : peerList(),
    freshMix: flag('BENCH_MIX_FRESH', full),
    parallelSeed: flag('BENCH_SEED_PARALLEL', !full),
    redis: process.env.BENCH_REDIS !== 'false',
    proxyRedis: proxyRedis(),
    portBase: envNumber('BENCH_PORT_BASE', 59000, { min: 1024, integer: true }),
    onlyProxies: only,
  };
}

/** The command line that reproduces this run: the BENCH_* variables set, then npm run bench. */
export function reproduceCommand(settings: Settings): string {
  const vars = Object.entries(process.env)
    .filter(([k, v]) => v !== undefined && (/^BENCH_/.test(k) || k === 'TEST_DATABASE_URL' || k === 'TEST_REDIS_URL'))
    .map(([k, v]) => `${k}=${redact(v!)}`)
    .sort();
  return [...vars, 'npm run bench', ...(settings.preset === 'full' ? ['--', '--full'] : [])].join(' ');
}

/** The command is printed and stored: a password in a URL must not be. */
function redact(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.protocol.startsWith('http') || url.protocol.startsWith('postgres') || url.protocol.startsWith('redis')
      ? url.toString()
      : value;
  } catch {
    return value;
  }
}

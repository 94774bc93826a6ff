// What `up` started, where, and on which ports: .topology/state.json in the project. It is written
// after every step, so a failed or interrupted `up` leaves a record that `down` can clean up from.
// Every port derives from one base port (README: "Running on several machines"):
//   base+0 HAProxy · base+1 HAProxy's stats page · base+10 PostgreSQL primary · base+11 replica ·
//   base+20… Redis (one node, or six for the cluster) · base+30… the deskgraph instances ·
//   base+40… the cluster's bus ports (Redis's default, port+10000, is out of range above 55535).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Owned } from './processes.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_DIR = path.join(PROJECT_ROOT, '.topology');

export type RedisMode = 'cluster' | 'single';

export interface TopologyOptions {
  redis: RedisMode;
  /** deskgraph instances behind HAProxy; 0 starts the data services only (PostgreSQL and Redis). */
  instances: number;
  basePort: number;
  /** db:seed's --scale for the demo data. */
  seedScale: number;
  /** Serve the built web client (built first when stale); off: the API and GraphiQL only. */
  web: boolean;
  /** recovery_min_apply_delay on the replica, to see lag on purpose (0: none). */
  replicaDelayMs: number;
}

export const MAX_INSTANCES = 9;
const CLUSTER_NODES = 6;

export interface PostgresNode {
  role: 'primary' | 'replica';
  port: number;
  dataDir: string;
  log: string;
  process: Owned | null;
}

export interface RedisNode {
  port: number;
  /** The cluster bus (node-to-node) port; null for a single node. */
  busPort: number | null;
  dir: string;
  log: string;
  process: Owned | null;
}

export interface InstanceNode {
  name: string;
  port: number;
  log: string;
  process: Owned | null;
}

export interface TopologyState {
  version: 1;
  /** up: every step finished; kept: stopped by `down --keep`, data kept; starting: `up` did not finish. */
  phase: 'starting' | 'up' | 'kept';
  startedAt: string;
  options: TopologyOptions;
  dir: string;
  postgres: { database: string; primary: PostgresNode; replica: PostgresNode };
  redis: { mode: RedisMode; nodes: RedisNode[] };
  instances: InstanceNode[];
  haproxy: { port: number; statsPort: number; config: string; log: string; process: Owned | null } | null;
}

/** The last port the layout uses, so a base port can be checked before anything starts. */
export const lastPort = (basePort: number) => basePort + 40 + CLUSTER_NODES - 1;

/** Ports, directories and log files for the options; nothing started yet. */
export function layout(options: TopologyOptions, dir: string): TopologyState {
  const base = options.basePort;
  const pg = path.join(dir, 'postgres');
  const node = (role: PostgresNode['role'], port: number): PostgresNode => ({
    role,
    port,
    dataDir: path.join(pg, role),
    log: path.join(pg, `${role}.log`),
    process: null,
  });
  const redisCount = options.redis === 'cluster' ? CLUSTER_NODES : 1;
  return {
    version: 1,
    phase: 'starting',
    startedAt: new Date().toISOString(),
    options,
    dir,
    postgres: { database: 'deskgraph', primary: node('primary', base + 10), replica: node('replica', base + 11) },
    redis: {
      mode: options.redis,
      nodes: Array.from({ length: redisCount }, (_, i) => {
        const port = base + 20 + i;
        const busPort = options.redis === 'cluster' ? base + 40 + i : null;
        return { port, busPort, dir: path.join(dir, 'redis', String(port)), log: path.join(dir, 'redis', `${port}.log`), process: null };
      }),
    },
    instances: Array.from({ length: options.instances }, (_, i) => ({
      name: `deskgraph-${i + 1}`,
      port: base + 30 + i,
      log: path.join(dir, 'instances', `deskgraph-${i + 1}.log`),
      process: null,
    })),
    haproxy:
      options.instances > 0
        ? {
            port: base,
            statsPort: base + 1,
            config: path.join(dir, 'haproxy', 'haproxy.cfg'),
            log: path.join(dir, 'haproxy', 'haproxy.log'),
            process: null,
          }
        : null,
  };
}

const stateFile = (dir: string) => path.join(dir, 'state.json');

export function readState(dir: string): TopologyState | null {
  const file = stateFile(dir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as TopologyState;
}

/** Written to a temporary file and renamed: an interrupted write never leaves half a record. */
export function saveState(state: TopologyState): void {
  mkdirSync(state.dir, { recursive: true });
  const file = stateFile(state.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Every process the state records, with what it is, in the order `down` stops them (front to back). */
export function recordedProcesses(state: TopologyState): { label: string; process: Owned | null }[] {
  return [
    ...(state.haproxy ? [{ label: 'HAProxy', process: state.haproxy.process }] : []),
    ...state.instances.map((instance) => ({ label: instance.name, process: instance.process })),
    ...state.redis.nodes.map((node) => ({ label: `Redis :${node.port}`, process: node.process })),
    { label: 'PostgreSQL replica', process: state.postgres.replica.process },
    { label: 'PostgreSQL primary', process: state.postgres.primary.process },
  ];
}

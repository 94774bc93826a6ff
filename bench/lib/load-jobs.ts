// What the load generator (load-worker.ts) is asked to do and what it answers: shared by the worker, its
// client (load-client.ts) and the open-loop sender (open-loop.ts).
import type { Stats } from './response-stats.ts';
import type { Session } from './sessions.ts';

export interface FixedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FixedJob {
  kind: 'fixed';
  /** One or more origins (http://127.0.0.1:port); connections are spread over them. */
  urls: string[];
  requests: FixedRequest[];
  expectStatus: number;
  /** Every response body must be exactly this. */
  expectBody: string;
  connections: number;
  duration: number;
  /** Instead of `duration`: run until this many responses have come back (for targets too slow for a window). */
  amount?: number;
}

export interface MixJob {
  kind: 'mix';
  urls: string[];
  sessions: Session[];
  connections: number;
  duration: number;
  /** Open loop (open-loop.ts): requests offered at this mean rate per second, whatever the answers' pace. */
  rate?: number;
}

export type Job = FixedJob | MixJob;

export interface LoadStats {
  /** Completed responses per second over the run. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  meanLatency: number;
  maxLatency: number;
  /** Responses completed within the window. */
  requests: number;
  /** Requests written within the window, including those still in flight when it closed (the server finishes them). */
  sent: number;
  durationS: number;
  /** Bytes autocannon read per response: status line, headers and body as they came off the socket. */
  bytesPerResponse: number;
  /** Failures: connection errors, timeouts, unexpected status, unexpected body (or GraphQL errors). */
  connectionErrors: number;
  timeouts: number;
  badStatus: number;
  badBody: number;
  /** The first few refused responses. */
  samples: string[];
  /** mix only: per operation. */
  stats?: Stats;
  reads?: number;
  writes?: number;
  /** The load generator's own CPU time over the run (user + system, ms): how much of a core it took. */
  generatorCpuMs: number;
}

export type WorkerReply = { id: number; ok: true; stats: LoadStats } | { id: number; ok: false; error: string };

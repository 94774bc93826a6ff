// Runs autocannon against one or more URLs with a request picked from the mix for every request,
// and checks every response (status and GraphQL errors).
import autocannon, { type Result } from 'autocannon';
import { sumStats, type Stats } from './response-stats.ts';

export interface LoadResult {
  /** Completed requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  meanLatency: number;
  requests: number;
  durationS: number;
  /** autocannon's own counts: connection errors, timeouts, non-2xx. */
  connectionErrors: number;
  timeouts: number;
  non2xx: number;
  /** Per operation, from the response bodies. */
  stats: Stats;
  graphqlErrors: number;
  reads: number;
  writes: number;
}

function summarize(result: Result, stats: Stats): LoadResult {
  const sums = sumStats(stats);
  const requests = result.requests.total;
  return {
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatency: result.latency.average,
    requests,
    durationS: result.duration,
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    stats,
    graphqlErrors: sums.graphqlErrors,
    reads: sums.reads,
    writes: sums.writes,
  };
}

/**
 * Totals over slices taken in turn: req/s over the summed time, the median p50 and the worst p99 (a
 * slice's p50 is not additive, and the worst tail is the one that matters).
 */
export function combineSlices(parts: (LoadResult & { mismatches: number })[]): LoadResult & { mismatches: number } {
  if (parts.length === 1) return parts[0]!;
  const sum = (f: (p: LoadResult & { mismatches: number }) => number) => parts.reduce((a, p) => a + f(p), 0);
  const p50s = parts.map((p) => p.p50).sort((a, b) => a - b);
  const requests = sum((p) => p.requests);
  const durationS = sum((p) => p.durationS);
  return {
    rps: requests / durationS,
    p50: p50s[Math.floor(p50s.length / 2)]!,
    p99: Math.max(...parts.map((p) => p.p99)),
    meanLatency: sum((p) => p.meanLatency * p.requests) / Math.max(1, requests),
    requests,
    durationS,
    connectionErrors: sum((p) => p.connectionErrors),
    timeouts: sum((p) => p.timeouts),
    non2xx: sum((p) => p.non2xx),
    stats: {},
    graphqlErrors: sum((p) => p.graphqlErrors),
    reads: sum((p) => p.reads),
    writes: sum((p) => p.writes),
    mismatches: sum((p) => p.mismatches),
  };
}

/** One fixed request, checked against the bytes expected (for the fast-path comparison). */
export async function runFixed(
  url: string,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
  expectBody: string,
  options: { connections: number; duration: number },
): Promise<LoadResult & { mismatches: number }> {
  const result = await autocannon({
    url: `${url}${request.path}`,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    method: request.method,
    headers: request.headers,
    body: request.body,
    expectBody,
  });
  return { ...summarize(result, {}), mismatches: result.mismatches };
}

export interface CheckedResult extends LoadResult {
  /** Responses the check refused. */
  mismatches: number;
  /** Bytes autocannon read per response (status line, headers and body as they came off the socket). */
  bytesPerResponse: number;
  statusCodes: Record<string, number>;
  /** The first few refused responses, to show what went wrong. */
  samples: string[];
}

/**
 * One fixed request, every response passed to `check` (status, body as text, headers by lower-case
 * name). For statuses other than 2xx that are expected (304) and for compressed bodies, which an exact
 * body comparison cannot handle.
 */
export async function runChecked(
  url: string,
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
  check: (status: number, body: string, headers: Record<string, string>) => boolean,
  options: { connections: number; duration: number },
): Promise<CheckedResult> {
  let mismatches = 0;
  const samples: string[] = [];
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        onResponse(status, body, _context, rawHeaders) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(rawHeaders))
            headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
          if (!check(status, body, headers)) {
            mismatches += 1;
            if (samples.length < 3) samples.push(`HTTP ${status} ${JSON.stringify(headers)}: ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  return {
    ...summarize(result, {}),
    mismatches,
    bytesPerResponse: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
    statusCodes,
    samples,
  };
}

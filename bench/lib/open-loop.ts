// The mix offered open loop: requests arrive at a fixed mean rate (exponential gaps, a Poisson process)
// whether or not earlier ones were answered, on a keep-alive pool of `connections` sockets. A latency is
// measured from when the request was due, so time spent waiting for a free socket counts (no coordinated
// omission). autocannon's overallRate cannot do this: it sends each second's quota in a burst at the
// start of the second, which measures the burst's queue, not the server's latency at that load.
import { Agent, request } from 'node:http';
import { recordResponse, sumStats, type Stats } from './response-stats.ts';
import { buildMix, pickEntry } from './workload.ts';
import type { LoadStats, MixJob } from './load-jobs.ts';

/** A percentile of sorted latencies, to 0.1 ms. */
const percentile = (sorted: number[], p: number) =>
  sorted.length ? Math.round(10 * sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!) / 10 : 0;

export async function runOpenLoopMix(job: MixJob & { rate: number }): Promise<LoadStats> {
  const mix = buildMix(job.sessions);
  const stats: Stats = {};
  const cpu = process.cpuUsage();
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  let sent = 0;
  let bytes = 0;
  let connectionErrors = 0;
  let timeouts = 0;
  const started = performance.now();
  const end = started + job.duration * 1000;
  const pending = new Set<Promise<void>>();

  const send = (due: number, target: string) => {
    const entry = pickEntry(mix);
    const body = typeof entry.body === 'string' ? entry.body : entry.body();
    sent += 1;
    const done = new Promise<void>((resolve) => {
      const req = request(`${target}/graphql`, { method: 'POST', agent, headers: entry.headers, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          bytes += text.length;
          // Answers after the window are the server's queue draining: not part of the measured load.
          if (performance.now() <= end) latencies.push(performance.now() - due);
          recordResponse(stats, entry.op, entry.kind, res.statusCode ?? 0, text);
          resolve();
        });
        res.on('error', () => {
          connectionErrors += 1;
          resolve();
        });
      });
      req.on('timeout', () => {
        timeouts += 1;
        req.destroy();
      });
      req.on('error', () => {
        connectionErrors += 1;
        resolve();
      });
      req.end(body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  let due = started;
  let turn = 0;
  while (due < end) {
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    send(due, job.urls[turn++ % job.urls.length]!);
    due += (-Math.log(1 - Math.random()) / job.rate) * 1000;
  }
  await Promise.all(pending);
  agent.destroy();
  const durationS = job.duration;
  const sorted = latencies.sort((a, b) => a - b);
  const sums = sumStats(stats);
  const used = process.cpuUsage(cpu);
  return {
    rps: latencies.length / durationS,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    meanLatency: Math.round((10 * sorted.reduce((a, b) => a + b, 0)) / Math.max(1, sorted.length)) / 10,
    maxLatency: Math.round(10 * (sorted.at(-1) ?? 0)) / 10,
    requests: latencies.length,
    sent,
    durationS,
    bytesPerResponse: sent > 0 ? bytes / sent : 0,
    connectionErrors,
    timeouts,
    generatorCpuMs: (used.user + used.system) / 1000,
    badStatus: sums.non2xx,
    badBody: Object.values(stats).reduce((a, s) => a + Math.max(0, s.graphqlErrors - s.non2xx), 0),
    samples: Object.entries(stats)
      .flatMap(([op, s]) => s.samples.map((x) => `${op}: ${x}`))
      .slice(0, 3),
    stats,
    reads: sums.reads,
    writes: sums.writes,
  };
}

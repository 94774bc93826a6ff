// The load generator of `npm run bench`, in a process of its own so that what it costs (autocannon's
// request writing, response parsing and the checks) is not charged to the orchestrator, and the
// orchestrator's own work (scraping /metrics, logging) never stalls the load. Started by
// load-client.ts with fork(); receives one job at a time over IPC and answers with the figures.
//
//   fixed  the same request (or a few, taken in turn) over and over; every response must have the
//          expected status and exactly the expected body (captured and checked by the orchestrator
//          before the load: no GraphQL errors, the expected shape).
//   mix    the 90/10 read/write workload of bench/lib/workload.ts, built here from the sessions the
//          orchestrator signed in; every response is checked by recordResponse (status, no `errors`, data).
import autocannon, { type Result } from 'autocannon';
import { recordResponse, sumStats, type Stats } from './response-stats.ts';
import type { FixedJob, Job, LoadStats, MixJob, WorkerReply } from './load-jobs.ts';
import { runOpenLoopMix } from './open-loop.ts';
import { buildMix, pickEntry } from './workload.ts';

function base(result: Result, cpu: NodeJS.CpuUsage): Omit<LoadStats, 'badStatus' | 'badBody' | 'samples'> {
  const requests = result.requests.total;
  return {
    rps: result.duration > 0 ? requests / result.duration : 0,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    meanLatency: result.latency.average,
    maxLatency: result.latency.max,
    requests,
    sent: result.requests.sent,
    durationS: result.duration,
    bytesPerResponse: requests > 0 ? result.throughput.total / requests : 0,
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function runFixed(job: FixedJob): Promise<LoadStats> {
  let badStatus = 0;
  let badBody = 0;
  const samples: string[] = [];
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: job.urls.length === 1 ? job.urls[0]! : job.urls,
    connections: job.connections,
    ...(job.amount ? { amount: job.amount } : { duration: job.duration }),
    timeout: 30,
    // autocannon stops on a sample tick: every 100 ms, so a 1.5 s window lasts 1.5 s, not 2.
    sampleInt: 100,
    requests: job.requests.map((request) => ({
      method: request.method,
      path: request.path,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      onResponse(status: number, body: string) {
        if (status !== job.expectStatus) {
          badStatus += 1;
          if (samples.length < 3) samples.push(`HTTP ${status}: ${body.slice(0, 300)}`);
        } else if (body !== job.expectBody) {
          badBody += 1;
          if (samples.length < 3) samples.push(`HTTP ${status}, body differs from the checked response: ${body.slice(0, 300)}`);
        }
      },
    })),
  });
  return { ...base(result, process.cpuUsage(cpu)), badStatus, badBody, samples };
}

async function runMix(job: MixJob): Promise<LoadStats> {
  const mix = buildMix(job.sessions);
  const stats: Stats = {};
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url: job.urls.length === 1 ? job.urls[0]! : job.urls,
    connections: job.connections,
    duration: job.duration,
    timeout: 10,
    // autocannon stops on a sample tick: every 100 ms, so a 1.5 s window lasts 1.5 s, not 2.
    sampleInt: 100,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest(request, context) {
          const entry = pickEntry(mix);
          context.op = entry.op;
          context.kind = entry.kind;
          request.headers = entry.headers;
          request.body = typeof entry.body === 'string' ? entry.body : entry.body();
          return request;
        },
        onResponse(status, body, context) {
          recordResponse(stats, context.op as string, context.kind as 'read' | 'write', status, body);
        },
      },
    ],
  });
  const sums = sumStats(stats);
  const samples = Object.entries(stats)
    .flatMap(([op, s]) => s.samples.map((x) => `${op}: ${x}`))
    .slice(0, 3);
  return {
    ...base(result, process.cpuUsage(cpu)),
    badStatus: sums.non2xx,
    // recordResponse counts a non-2xx with an error body under both: count each response once.
    badBody: Object.values(stats).reduce((a, s) => a + Math.max(0, s.graphqlErrors - s.non2xx), 0),
    samples,
    stats,
    reads: sums.reads,
    writes: sums.writes,
  };
}

process.on('message', (message: { id: number; job: Job }) => {
  const { id, job } = message;
  const run = job.kind === 'fixed' ? runFixed(job) : job.rate ? runOpenLoopMix({ ...job, rate: job.rate }) : runMix(job);
  run.then(
    (stats) => process.send!({ id, ok: true, stats } satisfies WorkerReply),
    (error: unknown) =>
      process.send!({
        id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });

// Scenarios 1–5, query by query: every target is asked the query and its answer checked against
// deskgraph's, the bare server is started with the bytes of 4 (memory)'s hit, then the targets are
// warmed up and measured back to back.
import { assertSameAnswer, startBareServer } from '../lib/bare.ts';
import type { FixedRequest } from '../lib/load-client.ts';
import { persistedGetRequest, postRequest, QUERIES, type BenchQuery } from '../lib/queries.ts';
import { exchange, toRawRequest, type RawRequest, type RawResponse } from '../lib/raw-http.ts';
import type { Instance } from '../lib/server.ts';
import { log, retryUntil, warn } from '../lib/util.ts';
import { describeRow, figures, type Meter, type Plan } from './measure.ts';
import { emptyRow, errorText, type Row, type RunContext, type Target } from './model.ts';
import { checkResponse, sqlTotal } from './requests.ts';
import { USER } from './settings.ts';
import type { SignedIn } from './targets.ts';

interface Asked {
  query: BenchQuery;
  variables: Record<string, unknown> | null;
}

/** The checked body each target must answer with, and 4 (memory)'s response for the bare server. */
interface Checked {
  expected: Map<Target, string>;
  ceilingSource: RawResponse | null;
}

export async function runQueryScenarios(ctx: RunContext, meter: Meter, signedIn: SignedIn): Promise<void> {
  for (const query of QUERIES)
    await runQuery(ctx, meter, signedIn, { query, variables: query.key === 'ticket' ? { id: signedIn.ticketId } : null });
}

async function runQuery(ctx: RunContext, meter: Meter, signedIn: SignedIn, asked: Asked): Promise<void> {
  log(`── ${asked.query.label} (${asked.query.operationName}${asked.variables ? ` ${JSON.stringify(asked.variables)}` : ''}) as ${USER}`);
  const checked = await checkTargets(ctx, signedIn, asked);
  const bare = await startCeiling(ctx, signedIn.targets, asked, checked);
  const plans = await warmUpTargets(meter, signedIn.targets, asked, checked.expected, bare);
  await measureRounds(ctx, meter, plans);
  recordRows(ctx, signedIn.targets, asked, plans);
  await bare?.stop();
}

const requestOf = (t: Target, { query, variables }: Asked): FixedRequest =>
  t.form === 'GET hash' ? persistedGetRequest(query, variables, t.token ?? '') : postRequest(query, variables, t.token ?? '');

/** Checked side by side (every target is its own server); measured one at a time after. */
async function checkTargets(ctx: RunContext, { targets, loaders }: SignedIn, asked: Asked): Promise<Checked> {
  // The reference: deskgraph as built. Every other target must answer the same data.
  const reference = checkResponse(
    await exchange(loaders.instance!.port, toRawRequest(loaders.instance!.port, requestOf(loaders, asked))),
    asked.query,
    asked.variables,
  );
  const checked: Checked = { expected: new Map(), ceilingSource: null };
  await Promise.all(
    targets.map(async (t) => {
      if (t.skipped || t.failed || t.kind === 'ceiling') return;
      try {
        const response = await checkedAnswer(t, asked, reference);
        checked.expected.set(t, response.decoded.toString('utf8'));
        if (t.key === 'cached-memory') checked.ceilingSource = response;
      } catch (error) {
        const why = errorText(error);
        ctx.findings.problems.push(`${t.key}, ${asked.query.label}: ${why}`);
        warn(`${t.key}, ${asked.query.label}: ${why}`);
        ctx.findings.rows.push(emptyRow(asked.query, t, ctx.settings.mainScale, null, `failed: ${why.split('\n')[0]!.slice(0, 200)}`));
      }
    }),
  );
  return checked;
}

/** The second answer of a target (for 4, the first fast-path hit), checked and compared with the reference. */
async function checkedAnswer(t: Target, { query, variables }: Asked, reference: string): Promise<RawResponse> {
  const request = toRawRequest(t.instance!.port, requestOf(t, { query, variables }));
  checkResponse(await exchange(t.instance!.port, request), query, variables);
  const response = t.expectHits ? await firstFastHit(t, request) : await exchange(t.instance!.port, request);
  const data = checkResponse(response, query, variables);
  if (data !== reference) throw new Error(`answers other data than deskgraph: ${data.slice(0, 200)} … vs ${reference.slice(0, 200)} …`);
  return response;
}

/** The fill is asynchronous: ask until /metrics counts a fast-path hit. */
async function firstFastHit(t: Target, request: RawRequest): Promise<RawResponse> {
  const last: { response?: RawResponse } = {};
  const hit = await retryUntil(async () => {
    const before = await sqlTotal(t);
    last.response = await exchange(t.instance!.port, request);
    return ((await sqlTotal(t))?.fastHits ?? 0) > (before?.fastHits ?? 0);
  });
  if (!hit) throw new Error('never became a fast-path cache hit');
  return last.response!;
}

/** 1: the bare server answers the exact bytes and headers of 4's response. */
async function startCeiling(ctx: RunContext, targets: Target[], { query, variables }: Asked, checked: Checked): Promise<Instance | null> {
  const ceiling = targets.find((t) => t.kind === 'ceiling')!;
  const source = checked.ceilingSource;
  if (!source) {
    ctx.findings.rows.push(emptyRow(query, ceiling, ctx.settings.mainScale, null, 'failed: no response of scenario 4 to replay'));
    return null;
  }
  const bare = await startBareServer({ name: `bare-${query.key}`, root: ctx.root, cleanup: ctx.cleanup, dir: ctx.work, answer: source });
  const check = await exchange(bare.port, toRawRequest(bare.port, persistedGetRequest(query, variables, '')));
  assertSameAnswer(check, source);
  checked.expected.set(ceiling, check.body.toString('utf8'));
  return bare;
}

/** Measurement order: the ceiling and the cached rows first, side by side (their ratio is the issue's bar), then the rest in scenario order. */
function rank(t: Target): number {
  return t.kind === 'ceiling' ? 0 : t.kind === 'cached' ? 1 : 2 + t.scenario;
}

/** The bare server ignores the request; send it the same GET as 4 (with a token, as 4 has). */
function ceilingToken(targets: Target[]): string {
  return targets.find((t) => t.key === 'cached-memory')?.token ?? '';
}

async function warmUpTargets(
  meter: Meter,
  targets: Target[],
  asked: Asked,
  expected: Map<Target, string>,
  bare: Instance | null,
): Promise<Map<Target, Plan>> {
  const plans = new Map<Target, Plan>();
  for (const t of [...targets].sort((a, b) => rank(a) - rank(b))) {
    if (t.skipped || t.failed) continue;
    const body = expected.get(t);
    if (body === undefined) continue; // failed its check (row already added)
    const ceiling = t.kind === 'ceiling';
    const instance = ceiling ? bare! : t.instance!;
    const request = ceiling ? persistedGetRequest(asked.query, asked.variables, ceilingToken(targets)) : requestOf(t, asked);
    const p = meter.plan({ ...t, instance: ceiling ? null : instance, origin: instance.origin }, request, body);
    await meter.warmUp(p);
    plans.set(t, p);
  }
  return plans;
}

/** The order reversed every other round, so that drift on a shared machine falls on all alike; slow targets once. */
async function measureRounds(ctx: RunContext, meter: Meter, plans: Map<Target, Plan>): Promise<void> {
  const { rounds, duration } = ctx.settings;
  for (let round = 0; round < rounds; round++) {
    const turn = [...plans].filter(([, p]) => !p.slow || round === 0);
    if (round % 2 === 1) turn.reverse();
    for (const [, p] of turn) await meter.measureSlice(p, duration / rounds);
  }
}

/** Rows are listed in scenario order, whatever order they were measured in. */
function recordRows(ctx: RunContext, targets: Target[], { query }: Asked, plans: Map<Target, Plan>): void {
  const { rows } = ctx.findings;
  const scale = ctx.settings.mainScale;
  for (const t of targets) {
    if (t.skipped || t.failed) {
      rows.push(emptyRow(query, t, scale, t.skipped, t.failed ? `failed: ${t.failed}` : null));
      continue;
    }
    const p = plans.get(t);
    if (!p) continue;
    const row: Row = { ...emptyRow(query, t, scale, null, null), ...figures(p), bodyBytes: Buffer.byteLength(p.job.expectBody) };
    rows.push(row);
    describeRow(row);
  }
}

// Scaling: the nested list at each seed scale, deskgraph as built without cache (and naive with --full).
// At the main scale the row of scenario 3 (2) is the point: the same server on the same data.
import { postRequest, QUERIES, type BenchQuery } from '../lib/queries.ts';
import { exchange, toRawRequest } from '../lib/raw-http.ts';
import { log } from '../lib/util.ts';
import { describeRow, figures, type Meter } from './measure.ts';
import { emptyRow, errorText, type Row, type RunContext, type Target } from './model.ts';
import { checkResponse, login } from './requests.ts';
import type { ServerSet } from './servers.ts';
import type { SignedIn } from './targets.ts';

type ScalingKind = 'loaders' | 'naive';

const serverLabel = (kind: ScalingKind) => (kind === 'loaders' ? 'deskgraph: loaders, no cache' : 'naive: N+1, no cache');

export async function runScaling(ctx: RunContext, meter: Meter, signedIn: SignedIn, servers: ServerSet): Promise<void> {
  const { settings } = ctx;
  const list = QUERIES.find((q) => q.key === 'list')!;
  log(`── scaling: ${list.label} at scale ${settings.scales.join(', ')}`);
  const kinds: ScalingKind[] = settings.preset === 'full' ? ['naive', 'loaders'] : ['loaders'];
  for (const scale of settings.scales) {
    // Both kinds must answer the same data at one scale.
    let reference: string | null = null;
    for (const kind of kinds) {
      if (scale === settings.mainScale && reuseMainRow(ctx, list, kind, scale)) continue;
      const instance = scale === settings.mainScale ? servers.instances.get(kind)! : servers.instances.get(`scale:${scale}:${kind}`)!;
      const t: Target = { ...signedIn.targets.find((x) => x.key === kind)!, key: `${kind}@${scale}`, label: serverLabel(kind), instance };
      reference = await measurePoint(ctx, meter, list, t, scale, reference);
    }
  }
}

/** The same server and data as scenario 2/3's list row: that row is this point. */
function reuseMainRow(ctx: RunContext, list: BenchQuery, kind: ScalingKind, scale: number): boolean {
  const { rows } = ctx.findings;
  const same = rows.find((r) => r.section === 'queries' && r.query === list.key && r.target === kind);
  if (!same) return false;
  rows.push({
    ...same,
    section: 'scaling',
    target: `${kind}@${scale}`,
    label: `${serverLabel(kind)} @ scale ${scale} (the row of scenario ${kind === 'loaders' ? 3 : 2})`,
  });
  return true;
}

/** Signs in, checks, warms up and measures one point; returns the data the next kind must answer. */
async function measurePoint(
  ctx: RunContext,
  meter: Meter,
  list: BenchQuery,
  t: Target,
  scale: number,
  reference: string | null,
): Promise<string | null> {
  const instance = t.instance!;
  try {
    t.token = await login(`${instance.origin}/graphql`);
    const request = postRequest(list, null, t.token);
    await exchange(instance.port, toRawRequest(instance.port, request));
    const response = await exchange(instance.port, toRawRequest(instance.port, request));
    const data = checkResponse(response, list, null);
    if (reference !== null && data !== reference) throw new Error('naive and loaders answer different data');
    const body = response.decoded.toString('utf8');
    const p = meter.plan({ ...t, origin: instance.origin }, request, body);
    await meter.warmUp(p);
    await meter.measureSlice(p, ctx.settings.duration);
    const row: Row = { ...emptyRow(list, t, scale, null, null), section: 'scaling', ...figures(p), bodyBytes: Buffer.byteLength(body) };
    row.label = `${t.label} @ scale ${scale}`;
    ctx.findings.rows.push(row);
    describeRow(row);
    return data;
  } catch (error) {
    const kind = t.key.split('@')[0];
    ctx.findings.problems.push(`scaling ${kind} @ ${scale}: ${errorText(error)}`);
    ctx.findings.rows.push({ ...emptyRow(list, t, scale, null, `failed: ${errorText(error).split('\n')[0]}`), section: 'scaling' });
    return reference;
  }
}

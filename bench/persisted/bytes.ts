// Bytes on the wire, per operation and form, on cache hits: each form asked until it is a fast-path
// hit, then identity / br / gzip / If-None-Match, every response counted byte for byte.
import { log, retryUntil } from '../lib/util.ts';
import { toMeasured, type Client, type Exchange } from './client.ts';
import { FORMS, type BytesRow, type Findings, type Form, type Operation } from './model.ts';

// GET hash first: POST hash shares its cache entry (same document, variables and viewer), so only the
// GET's first request is a miss on the require instance; POST document misses on the allow instance.
const MEASURE_ORDER: Form[] = ['get-hash', 'post-document', 'post-hash'];

export async function measureBytes(client: Client, findings: Findings, operations: Operation[]): Promise<BytesRow[]> {
  log('bytes on the wire: every operation in every form, until it is a fast-path hit, then identity / br / gzip / If-None-Match');
  const rows: BytesRow[] = [];
  for (const op of operations) {
    for (const form of MEASURE_ORDER) rows.push(await measureForm(client, findings, op, form));
    const own = FORMS.map(({ form }) => rows.find((r) => r.operation === op.name && r.form === form)!);
    if (!own.every((r) => r.body.equals(own[0]!.body)))
      findings.fail(`${op.name}: the data differs between the forms (${own.map((r) => `${r.form} ${r.body.length} B`).join(', ')})`);
    log(`  ${op.name.padEnd(13)} ${own.map((r) => `${r.form} ${r.identity.request}→${r.identity.response} B`).join(', ')}`);
  }
  return rows;
}

/** The first request asks for br, so the miss (yoga, compressing itself) compares with the br hit. */
async function measureForm(client: Client, findings: Findings, op: Operation, form: Form): Promise<BytesRow> {
  const instance = client.instanceFor(form);
  const send = (extra: [string, string][] = []) => client.measured(instance, client.requestOf(form, op, extra));
  const miss = await send([['accept-encoding', 'br']]);
  if (miss.response.status !== 200)
    throw new Error(`${op.name} ${form}: HTTP ${miss.response.status}: ${miss.response.decoded.toString('utf8').slice(0, 300)}`);
  const identity = await firstFastHit(send, op, form);
  const br = await send([['accept-encoding', 'br']]);
  const gzip = await send([['accept-encoding', 'gzip']]);
  let notModified: Exchange | null = null;
  let notModifiedBr: Exchange | null = null;
  const etag = identity.response.headers.etag;
  if (form === 'get-hash') {
    if (!etag) findings.note(`${op.name} GET hash: the 200 has no ETag`);
    else {
      notModified = await send([['if-none-match', etag]]);
      notModifiedBr = await send([
        ['accept-encoding', 'br'],
        ['if-none-match', etag],
      ]);
    }
  }
  checkEncodings(findings, op, form, identity, { br, gzip, notModified, notModifiedBr });
  return {
    operation: op.name,
    user: op.user,
    form,
    instance: form === 'post-document' ? 'allow' : 'require',
    identity: toMeasured(identity),
    br: toMeasured(br),
    gzip: toMeasured(gzip),
    notModified: notModified ? toMeasured(notModified) : null,
    notModifiedBr: notModifiedBr ? toMeasured(notModifiedBr) : null,
    miss: toMeasured(miss),
    body: identity.response.decoded,
    brBody: br.response.body,
  };
}

/** The identity request, repeated until a fast-path hit (the fill is asynchronous), and its body checked. */
async function firstFastHit(send: () => Promise<Exchange>, op: Operation, form: Form): Promise<Exchange> {
  const last: { exchange?: Exchange } = {};
  // The first request and up to 50 more.
  await retryUntil(async () => {
    last.exchange = await send();
    return last.exchange.outcome === 'hit/fast';
  }, 51);
  const identity = last.exchange!;
  if (identity.outcome !== 'hit/fast') throw new Error(`${op.name} ${form} never became a fast-path hit (last: ${identity.outcome})`);
  const text = identity.response.decoded.toString('utf8');
  if (!text.startsWith('{"data":{') || text.includes('"errors"'))
    throw new Error(`${op.name} ${form}: unexpected body ${text.slice(0, 300)}`);
  return identity;
}

/** Every encoding must decode to the identity bytes, a 304 must be empty, and every one of them a fast-path hit. */
function checkEncodings(
  findings: Findings,
  op: Operation,
  form: Form,
  identity: Exchange,
  other: { br: Exchange; gzip: Exchange; notModified: Exchange | null; notModifiedBr: Exchange | null },
): void {
  const { br, gzip, notModified, notModifiedBr } = other;
  const what = `${op.name} ${form}`;
  for (const [name, m] of [
    ['br', br],
    ['gzip', gzip],
  ] as const) {
    if (m.response.status !== 200 || !m.response.decoded.equals(identity.response.decoded)) {
      findings.fail(
        `${what} ${name}: HTTP ${m.response.status}, decoded body ${m.response.decoded.equals(identity.response.decoded) ? 'equal to' : 'DIFFERENT from'} the identity body`,
      );
    }
  }
  if (notModified && (notModified.response.status !== 304 || notModified.response.body.length !== 0)) {
    findings.fail(
      `${op.name} GET hash If-None-Match: HTTP ${notModified.response.status} with ${notModified.response.body.length} body bytes (expected 304)`,
    );
  }
  for (const [name, m] of [
    ['br', br],
    ['gzip', gzip],
    ['304', notModified],
    ['304 br', notModifiedBr],
  ] as const) {
    if (m && m.outcome !== 'hit/fast') findings.note(`${what} ${name}: served as ${m.outcome}, not a fast-path hit`);
  }
}

// npm run bench:persisted — the issue: "bytes on the wire and throughput for hash-only GET vs
// full-document POST for the client's operations, in one run".
//
// The client's operations are the read operations of the benchmark workload (bench/lib/operations.ts).
// A manifest { "sha256:<hex>": "<document>" } of them and of the Login mutation is written at run time,
// and two deskgraph instances share one database (memory response cache, NODE_ENV=production):
//   require  PERSISTED_OPERATIONS=require: hashes only, what production runs (login goes by hash too)
//   allow    PERSISTED_OPERATIONS=allow, same manifest: takes the full documents the client sends today
// Bytes: every operation sent once per form (POST document to `allow`, POST hash and GET hash to
// `require`) on a raw TCP socket, request and response counted byte for byte, for identity, br, gzip and
// (GET) If-None-Match; every measured response is a fast-path cache hit (checked on /metrics).
// Throughput: autocannon on the hottest read (OpenTickets as agent@acme.test, cache hits), each row in
// alternating slices, every response checked.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDatabase } from '../scripts/postgres-admin.ts';
import { createSeededDatabase } from './lib/database.ts';
import { runChecked, type CheckedResult } from './lib/load.ts';
import { counters, delta, scrape, type CacheCounters } from './lib/metrics.ts';
import { exchange, serializeRequest, type RawRequest, type RawResponse } from './lib/raw-http.ts';
import { startInstance, type Instance } from './lib/server.ts';
import { Cleanup, codeState, describeCode, envNumber, fmt, log, sleep, table, warn } from './lib/util.ts';
import { LOGIN, PASSWORD, READ_OPERATIONS } from './lib/operations.ts';
import { requestBody } from './lib/workload.ts';
import { CSRF_HEADER } from '../server/http/csrf.ts';

/** Every GET a browser client sends carries it (server/http/csrf.ts); without it deskgraph answers 403. */
const CSRF: [string, string] = [CSRF_HEADER, '1'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const AGENT = 'agent@acme.test';
const CUSTOMER = 'customer@acme.test';
const HOT = 'OpenTickets';

type Form = 'post-document' | 'post-hash' | 'get-hash';
const FORMS: { form: Form; label: string; short: string }[] = [
  { form: 'post-document', label: 'POST document', short: '(a)' },
  { form: 'post-hash', label: 'POST hash', short: '(b)' },
  { form: 'get-hash', label: 'GET hash', short: '(c)' },
];

interface Operation {
  name: string;
  document: string;
  /** sha256 of the document text, hex. */
  hash: string;
  user: typeof AGENT | typeof CUSTOMER;
  variables: Record<string, unknown> | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What a response says in a line: status, content-encoding, error code. */
function describeResponse(r: RawResponse): string {
  let code = '';
  try {
    const parsed = JSON.parse(r.decoded.toString('utf8')) as { errors?: { extensions?: { code?: string } }[] };
    code = parsed.errors?.[0]?.extensions?.code ?? '';
  } catch {
    // not JSON (304, empty)
  }
  return `HTTP ${r.status}${r.headers['content-encoding'] ? ` ${r.headers['content-encoding']}` : ''}${code ? ` ${code}` : ''}`;
}

function errorCode(r: RawResponse): string | null {
  try {
    return (JSON.parse(r.decoded.toString('utf8')) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code ?? null;
  } catch {
    return null;
  }
}

/** The outcome of one request on the server, from a /metrics delta. */
function cacheOutcome(d: CacheCounters): string {
  const parts: string[] = [];
  for (const [p, n] of Object.entries(d.hitsByPath)) if (n) parts.push(`hit/${p}`);
  if (d.misses) parts.push('miss');
  if (d.bypass) parts.push('bypass');
  return parts.join('+') || 'none';
}

interface Measured {
  request: number;
  response: number;
  status: number;
  encoding: string | null;
  etag: string | null;
  outcome: string;
  headers: Record<string, string>;
}

interface BytesRow {
  operation: string;
  user: string;
  form: Form;
  instance: 'require' | 'allow';
  identity: Measured;
  br: Measured;
  gzip: Measured;
  notModified: Measured | null;
  /** If-None-Match with Accept-Encoding: br, as a browser revalidates (not in the table; its headers are compared). */
  notModifiedBr: Measured | null;
  /** The first response (a miss, through GraphQL), for comparing its headers with a hit's. */
  miss: Measured;
  /** The identity body of the hit (for the throughput checks and the comparisons). */
  body: Buffer;
  brBody: Buffer;
}

interface ThroughputRow {
  key: string;
  label: string;
  instance: 'require' | 'allow';
  load: CheckedResult;
  slices: number[];
  cache: CacheCounters;
  expectedResponseBytes: number;
}

async function main(): Promise<number> {
  const duration = envNumber('BENCH_DURATION', 8, { min: 1 });
  const warmup = envNumber('BENCH_WARMUP', 1, { min: 0 });
  const connections = envNumber('BENCH_CONNECTIONS', 16, { min: 1, integer: true });
  const rounds = envNumber('BENCH_PERSISTED_ROUNDS', 4, { min: 1, integer: true });
  const scale = envNumber('BENCH_PERSISTED_SCALE', 0.1, { min: 0.01 });
  const withOrigin = process.env.BENCH_PERSISTED_ORIGIN !== 'false';
  const cleanup = new Cleanup();
  const code = codeState(root);
  const notes: string[] = [];
  const checks: { name: string; expected: string; got: string; ok: boolean }[] = [];
  const bytesRows: BytesRow[] = [];
  const throughputRows: ThroughputRow[] = [];
  let failures = 0;
  let databaseSource = '';

  const work = mkdtempSync(path.join(tmpdir(), 'deskgraph-bench-persisted-'));
  cleanup.add('remove temporary directory', () => rmSync(work, { recursive: true, force: true }));

  // ── The manifest: the workload's reads and the login, hashed exactly as they are sent.
  const operations: Operation[] = Object.entries(READ_OPERATIONS).map(([name, op]) => ({
    name,
    document: op.document,
    hash: sha256(op.document),
    user: op.staff ? AGENT : CUSTOMER,
    variables: null,
  }));
  const loginHash = sha256(LOGIN);
  const manifest: Record<string, string> = { [`sha256:${loginHash}`]: LOGIN };
  for (const op of operations) manifest[`sha256:${op.hash}`] = op.document;
  const manifestFile = path.join(work, 'persisted-documents.json');
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');

  try {
    log(`bench:persisted — ${operations.length} read operations + Login in the manifest (${manifestFile})`);
    log(`throughput: ${duration} s per row in ${rounds} alternating slices after ${warmup} s of warm-up, ${connections} connections, ${HOT} as ${AGENT}`);
    log(describeCode(code));

    const common = { RESPONSE_CACHE: 'true', REDIS_URL: undefined, PERSISTED_OPERATIONS_MANIFEST: manifestFile, PERSISTED_OPERATIONS_APQ: undefined };
    const requireEnv = { ...common, PERSISTED_OPERATIONS: 'require' };
    const allowEnv = { ...common, PERSISTED_OPERATIONS: 'allow' };
    const tokens: Record<string, string> = {};

    /** Login by hash: { documentId, variables } — the only way in under require. */
    const loginByHash = async (instance: Instance, email: string): Promise<string> => {
      const response = await exchange(instance.port, {
        method: 'POST',
        target: '/graphql',
        headers: [
          ['host', `127.0.0.1:${instance.port}`],
          ['accept', 'application/json'],
          ['content-type', 'application/json'],
        ],
        body: JSON.stringify({ documentId: `sha256:${loginHash}`, variables: { email, password: PASSWORD } }),
      });
      const token = (() => {
        try {
          return (JSON.parse(response.decoded.toString('utf8')) as { data?: { login?: { token?: string } } }).data?.login?.token ?? null;
        } catch {
          return null;
        }
      })();
      checks.push({ name: `Login by hash as ${email} (${instance.name})`, expected: 'HTTP 200 with a token', got: describeResponse(response), ok: response.status === 200 && !!token });
      if (!token) throw new Error(`login by hash as ${email} failed: HTTP ${response.status} ${response.decoded.toString('utf8').slice(0, 300)}`);
      return token;
    };

    // ── Two instances on one database: the tokens and the data are the same for both.
    let requireInstance: Instance;
    let allowInstance: Instance;
    const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? null;
    if (serverUrl) {
      databaseSource = `PostgreSQL on ${new URL(serverUrl).host} (seeded at scale ${scale})`;
      const databases = await createSeededDatabase(serverUrl, scale, cleanup);
      const databaseEnv = { DATABASE_URL: withDatabase(serverUrl, databases.template), AUTO_MIGRATE: 'false', SEED_IF_EMPTY: 'false' };
      log('starting deskgraph: require and allow instances on one database');
      [requireInstance, allowInstance] = await Promise.all([
        startInstance({ name: 'require', root, cleanup, env: { ...databaseEnv, ...requireEnv } }),
        startInstance({ name: 'allow', root, cleanup, env: { ...databaseEnv, ...allowEnv } }),
      ]);
      tokens[AGENT] = await loginByHash(requireInstance, AGENT);
      tokens[CUSTOMER] = await loginByHash(requireInstance, CUSTOMER);
    } else {
      // PGlite is one process' database: the first instance seeds it and signs in (so the tokens are in
      // it), stops, and the directory is copied, so both instances start from the same rows and tokens.
      databaseSource = `embedded PGlite (seeded at scale ${scale}, one copy per instance made after login)`;
      log(`no BENCH_DATABASE_URL/TEST_DATABASE_URL: embedded PGlite, seeded at scale ${scale} by the first instance`);
      const requireDir = path.join(work, 'data-require');
      const allowDir = path.join(work, 'data-allow');
      const pglite = (dir: string) => ({ DATA_DIR: dir, SEED_SCALE: String(scale), AUTO_MIGRATE: undefined, SEED_IF_EMPTY: undefined, DATABASE_URL: undefined });
      const seeding = performance.now();
      const first = await startInstance({ name: 'require', root, cleanup, env: { ...pglite(requireDir), ...requireEnv }, readyTimeoutMs: 180_000 });
      log(`  seeded and ready in ${fmt((performance.now() - seeding) / 1000, 1)} s`);
      tokens[AGENT] = await loginByHash(first, AGENT);
      tokens[CUSTOMER] = await loginByHash(first, CUSTOMER);
      await first.stop();
      cpSync(requireDir, allowDir, { recursive: true });
      log('starting deskgraph: require and allow instances, each on its copy of the database');
      [requireInstance, allowInstance] = await Promise.all([
        startInstance({ name: 'require', root, cleanup, env: { ...pglite(requireDir), ...requireEnv }, readyTimeoutMs: 120_000 }),
        startInstance({ name: 'allow', root, cleanup, env: { ...pglite(allowDir), ...allowEnv }, readyTimeoutMs: 120_000 }),
      ]);
    }
    const instanceFor = (form: Form) => (form === 'post-document' ? allowInstance : requireInstance);

    const headersFor = (instance: Instance, token: string | null): [string, string][] => [
      ['host', `127.0.0.1:${instance.port}`],
      ['accept', 'application/json'],
      ...(token ? [['authorization', `Bearer ${token}`] as [string, string]] : []),
    ];
    /** The request of one form: exactly what is sent (headers in this order, then `extra`). */
    const requestOf = (form: Form, op: Operation, extra: [string, string][] = []): RawRequest => {
      const instance = instanceFor(form);
      const headers = headersFor(instance, tokens[op.user]!);
      const documentId = `sha256:${op.hash}`;
      if (form === 'get-hash') {
        const variables = op.variables ? `&variables=${encodeURIComponent(JSON.stringify(op.variables))}` : '';
        return { method: 'GET', target: `/graphql?documentId=${documentId}${variables}`, headers: [...headers, CSRF, ...extra] };
      }
      // (a) is the body the workload sends today; (b) names the document instead.
      const body = form === 'post-document' ? requestBody(op.document, op.name, op.variables) : JSON.stringify(op.variables ? { documentId, variables: op.variables } : { documentId });
      return { method: 'POST', target: '/graphql', headers: [...headers, ['content-type', 'application/json'], ...extra], body };
    };
    /** One exchange, and what the server counted for it on /metrics. */
    const measured = async (instance: Instance, request: RawRequest): Promise<{ response: RawResponse; outcome: string; sent: number }> => {
      const before = counters(await scrape(instance.origin));
      const response = await exchange(instance.port, request);
      const outcome = cacheOutcome(delta(counters(await scrape(instance.origin)), before));
      return { response, outcome, sent: serializeRequest(request).length };
    };
    const summary = (m: { response: RawResponse; outcome: string; sent: number }): Measured => ({
      request: m.sent,
      response: m.response.wireBytes,
      status: m.response.status,
      encoding: m.response.headers['content-encoding'] ?? null,
      etag: m.response.headers.etag ?? null,
      outcome: m.outcome,
      headers: m.response.headers,
    });

    // ── Require mode end to end: what is refused, and how.
    {
      const hot = operations.find((o) => o.name === HOT)!;
      const expect = async (name: string, instance: Instance, request: RawRequest, status: number, errorCodeWanted: string | null) => {
        const response = await exchange(instance.port, request);
        const codeGot = errorCode(response);
        const ok = response.status === status && (errorCodeWanted === null ? codeGot === null : codeGot === errorCodeWanted);
        checks.push({ name, expected: `HTTP ${status}${errorCodeWanted ? ` ${errorCodeWanted}` : ''}`, got: describeResponse(response), ok });
        return response;
      };
      const agentHeaders = headersFor(requireInstance, tokens[AGENT]!);
      await expect('require: POST with the document', requireInstance, { ...requestOf('post-document', hot), headers: [...agentHeaders, ['content-type', 'application/json']] }, 400, 'PERSISTED_QUERY_ONLY');
      await expect('require: GET with the document', requireInstance, { method: 'GET', target: `/graphql?${new URLSearchParams({ query: hot.document, operationName: hot.name })}`, headers: [...agentHeaders, CSRF] }, 400, 'PERSISTED_QUERY_ONLY');
      const unknown = `sha256:${sha256('query Unknown { viewer { id } }')}`;
      await expect('require: POST an unknown hash', requireInstance, { method: 'POST', target: '/graphql', headers: [...agentHeaders, ['content-type', 'application/json']], body: JSON.stringify({ documentId: unknown }) }, 404, 'PERSISTED_QUERY_NOT_FOUND');
      await expect('require: GET an unknown hash', requireInstance, { method: 'GET', target: `/graphql?documentId=${unknown}`, headers: [...agentHeaders, CSRF] }, 404, 'PERSISTED_QUERY_NOT_FOUND');
      await expect('require: POST with neither', requireInstance, { method: 'POST', target: '/graphql', headers: [...agentHeaders, ['content-type', 'application/json']], body: '{}' }, 400, 'PERSISTED_QUERY_NOT_FOUND');
      // TicketDetail reads the agent's hottest ticket: the first of OpenTickets. Asked with an
      // operationName, which the hash-only forms do not send: another cache key, so their first request
      // below is still a miss.
      const list = await exchange(requireInstance.port, {
        method: 'POST',
        target: '/graphql',
        headers: [...agentHeaders, ['content-type', 'application/json']],
        body: JSON.stringify({ documentId: `sha256:${hot.hash}`, operationName: hot.name }),
      });
      const first = (JSON.parse(list.decoded.toString('utf8')) as { data?: { tickets?: { edges?: { node: { id: string } }[] } } }).data?.tickets?.edges?.[0]?.node.id;
      if (!first) throw new Error(`${HOT} by hash returned no ticket: HTTP ${list.status} ${list.decoded.toString('utf8').slice(0, 300)}`);
      operations.find((o) => o.name === 'TicketDetail')!.variables = { id: first };
    }

    // ── Bytes on the wire, per operation and form, on cache hits.
    log('bytes on the wire: every operation in every form, until it is a fast-path hit, then identity / br / gzip / If-None-Match');
    // GET hash first: POST hash shares its cache entry (same document, variables and viewer), so only the
    // GET's first request is a miss on the require instance; POST document misses on the allow instance.
    // The first request asks for br, so the miss (yoga, compressing itself) compares with the br hit.
    const measureOrder: Form[] = ['get-hash', 'post-document', 'post-hash'];
    for (const op of operations) {
      for (const form of measureOrder) {
        const instance = instanceFor(form);
        const identityRequest = requestOf(form, op);
        const miss = await measured(instance, requestOf(form, op, [['accept-encoding', 'br']]));
        if (miss.response.status !== 200) throw new Error(`${op.name} ${form}: HTTP ${miss.response.status}: ${miss.response.decoded.toString('utf8').slice(0, 300)}`);
        let identity = await measured(instance, identityRequest);
        for (let attempt = 0; attempt < 50 && identity.outcome !== 'hit/fast'; attempt++) {
          await sleep(20); // the fill is asynchronous
          identity = await measured(instance, identityRequest);
        }
        if (identity.outcome !== 'hit/fast') throw new Error(`${op.name} ${form} never became a fast-path hit (last: ${identity.outcome})`);
        const text = identity.response.decoded.toString('utf8');
        if (!text.startsWith('{"data":{') || text.includes('"errors"')) throw new Error(`${op.name} ${form}: unexpected body ${text.slice(0, 300)}`);
        const br = await measured(instance, requestOf(form, op, [['accept-encoding', 'br']]));
        const gzip = await measured(instance, requestOf(form, op, [['accept-encoding', 'gzip']]));
        let notModified: Awaited<ReturnType<typeof measured>> | null = null;
        let notModifiedBr: Awaited<ReturnType<typeof measured>> | null = null;
        const etag = identity.response.headers.etag;
        if (form === 'get-hash') {
          if (!etag) notes.push(`${op.name} GET hash: the 200 has no ETag`);
          else {
            notModified = await measured(instance, requestOf(form, op, [['if-none-match', etag]]));
            notModifiedBr = await measured(instance, requestOf(form, op, [['accept-encoding', 'br'], ['if-none-match', etag]]));
          }
        }
        for (const [name, m] of [['br', br], ['gzip', gzip]] as const) {
          if (m.response.status !== 200 || !m.response.decoded.equals(identity.response.decoded)) {
            failures += 1;
            notes.push(`${op.name} ${form} ${name}: HTTP ${m.response.status}, decoded body ${m.response.decoded.equals(identity.response.decoded) ? 'equal to' : 'DIFFERENT from'} the identity body`);
          }
        }
        if (notModified && (notModified.response.status !== 304 || notModified.response.body.length !== 0)) {
          failures += 1;
          notes.push(`${op.name} GET hash If-None-Match: HTTP ${notModified.response.status} with ${notModified.response.body.length} body bytes (expected 304)`);
        }
        for (const [name, m] of [['br', br], ['gzip', gzip], ['304', notModified], ['304 br', notModifiedBr]] as const) {
          if (m && m.outcome !== 'hit/fast') notes.push(`${op.name} ${form} ${name}: served as ${m.outcome}, not a fast-path hit`);
        }
        bytesRows.push({
          operation: op.name,
          user: op.user,
          form,
          instance: form === 'post-document' ? 'allow' : 'require',
          identity: summary(identity),
          br: summary(br),
          gzip: summary(gzip),
          notModified: notModified ? summary(notModified) : null,
          notModifiedBr: notModifiedBr ? summary(notModifiedBr) : null,
          miss: summary(miss),
          body: identity.response.decoded,
          brBody: br.response.body,
        });
      }
      const rows = FORMS.map(({ form }) => bytesRows.find((r) => r.operation === op.name && r.form === form)!);
      if (!rows.every((r) => r.body.equals(rows[0]!.body))) {
        failures += 1;
        notes.push(`${op.name}: the data differs between the forms (${rows.map((r) => `${r.form} ${r.body.length} B`).join(', ')})`);
      }
      log(`  ${op.name.padEnd(13)} ${rows.map((r) => `${r.form} ${r.identity.request}→${r.identity.response} B`).join(', ')}`);
    }

    // Header differences between a miss (yoga) and a hit (fast path), and across encodings.
    const names = (h: Record<string, string>) => Object.keys(h).filter((k) => k !== 'date').sort();
    const seen = new Set<string>();
    const noteOnce = (key: string, text: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      notes.push(text);
    };
    for (const r of bytesRows) {
      // POST hash asks for the entry GET hash filled (same document, variables, viewer): a hit is expected.
      if (r.miss.outcome !== 'miss') {
        if (r.form !== 'post-hash' || r.miss.outcome !== 'hit/fast') notes.push(`${r.operation} ${r.form}: the first request was ${r.miss.outcome}, not a miss`);
      } else {
        const missNames = names(r.miss.headers).join(',');
        const hitNames = names(r.br.headers).join(',');
        if (missNames !== hitNames) noteOnce(`miss-hit ${r.form} ${missNames} ${hitNames}`, `${r.form}, Accept-Encoding: br: a miss (yoga) and a hit (fast path) send different headers: miss [${missNames}] vs hit [${hitNames}] (first seen on ${r.operation})`);
        if (r.miss.etag !== r.br.etag && r.miss.etag && r.br.etag) noteOnce(`miss-hit-etag ${r.form}`, `${r.form}, Accept-Encoding: br: ETag ${r.miss.etag} on the miss (yoga) but ${r.br.etag} on the hit (fast path), same bytes (first seen on ${r.operation})`);
      }
      for (const enc of [r.br, r.gzip]) {
        if (enc.encoding && enc.etag && r.identity.etag && enc.etag === r.identity.etag && !enc.etag.startsWith('W/')) {
          noteOnce(`strong-etag ${r.form}`, `${r.form}: the ${enc.encoding} hit carries the identity hit's strong ETag ${enc.etag} (first seen on ${r.operation}); a strong validator must differ between content codings (RFC 9110 §8.8.1/§8.8.3)`);
        }
        if (!enc.encoding && r.body.length >= 1024) noteOnce(`not-compressed ${r.form} ${r.operation}`, `${r.operation} ${r.form}: a ${r.body.length} B body was not compressed`);
        if (enc.encoding && !enc.headers.vary) noteOnce(`vary ${r.form}`, `${r.form}: a ${enc.encoding} response without Vary`);
      }
      if (!r.br.encoding && r.br.headers.vary !== r.identity.headers.vary) noteOnce(`small-vary ${r.form}`, `${r.form}: uncompressed (small) answer to Accept-Encoding: br has Vary ${r.br.headers.vary ?? 'absent'} vs ${r.identity.headers.vary ?? 'absent'} without it`);
      // A 304 must carry the Cache-Control, ETag and Vary a 200 to the same request would (RFC 9110 §15.4.5).
      for (const [nm, ok200, what] of [[r.notModified, r.identity, 'If-None-Match'], [r.notModifiedBr, r.br, 'If-None-Match + Accept-Encoding: br']] as const) {
        if (!nm) continue;
        if (nm.status !== 304) noteOnce(`304-status ${what}`, `GET hash, ${what}: HTTP ${nm.status}, not 304 (${r.operation})`);
        if (nm.etag !== r.identity.etag) noteOnce(`304-etag ${what}`, `GET hash 304 (${what}): ETag ${nm.etag} differs from the 200's ${r.identity.etag} (${r.operation})`);
        const missing = ['cache-control', 'etag', 'vary'].filter((h) => ok200.headers[h] !== undefined && nm.headers[h] === undefined);
        if (missing.length) noteOnce(`304-missing ${what} ${missing.join(',')}`, `GET hash 304 to ${what} lacks ${missing.join(', ')}, which the 200 to the same request sends (${ok200.headers.vary ? `vary: ${ok200.headers.vary}` : ''}); RFC 9110 §15.4.5: a 304 carries the Cache-Control, ETag and Vary the 200 would (first seen on ${r.operation})`);
      }
      if (r.form !== 'get-hash' && r.identity.etag) noteOnce(`post-etag ${r.form}`, `${r.form}: POST answers carry an ETag (${r.identity.etag})`);
    }

    {
      // The token signed in on the require instance works on the allow instance: one database.
      const viewerOp = operations.find((o) => o.name === 'Viewer')!;
      const viewer = await exchange(allowInstance.port, requestOf('post-document', viewerOp));
      const ok = viewer.status === 200 && viewer.decoded.toString('utf8').includes('"viewer":{"id"');
      checks.push({ name: 'allow: the token from login on require (same database)', expected: 'HTTP 200 with the viewer', got: describeResponse(viewer), ok });
    }

    // ── Browsers add Origin to every POST, same-origin included (Fetch standard): does the fast path still answer?
    const hot = operations.find((o) => o.name === HOT)!;
    {
      const withOriginRequest = requestOf('post-hash', hot, [['origin', `http://127.0.0.1:${requireInstance.port}`]]);
      let m = await measured(requireInstance, withOriginRequest);
      for (let attempt = 0; attempt < 10 && m.outcome !== 'hit/fast'; attempt++) m = await measured(requireInstance, withOriginRequest);
      checks.push({ name: 'require: POST hash with Origin (as browsers send every POST)', expected: 'HTTP 200', got: `${describeResponse(m.response)}, ${m.outcome}`, ok: m.response.status === 200 });
      const getOrigin = requestOf('get-hash', hot, [['origin', 'https://app.example']]);
      let g = await measured(requireInstance, getOrigin);
      for (let attempt = 0; attempt < 10 && g.outcome !== 'hit/fast'; attempt++) g = await measured(requireInstance, getOrigin);
      checks.push({ name: 'require: GET hash with a cross-origin Origin (as fetch() sends it cross-origin)', expected: 'HTTP 200', got: `${describeResponse(g.response)}, ${g.outcome}`, ok: g.response.status === 200 });
      if (g.outcome !== 'hit/fast') notes.push(`GET hash with Origin (cross-origin fetch) is not a fast-path hit either: ${g.outcome}`);
      if (m.outcome !== 'hit/fast') notes.push(`POST hash with an Origin header (which browsers send on every POST, same-origin too) is never a fast-path hit: ${m.outcome} (server/cache/fast-path.ts leaves any request with Origin to yoga); a same-origin GET carries no Origin`);
    }

    // ── Throughput on the hottest read, cache hits.
    const hotRow = (form: Form) => bytesRows.find((r) => r.operation === HOT && r.form === form)!;
    interface Target {
      key: string;
      label: string;
      instance: Instance;
      which: 'require' | 'allow';
      request: RawRequest;
      check: (status: number, body: string, headers: Record<string, string>) => boolean;
      expectedResponseBytes: number;
    }
    const identityCheck = (form: Form) => {
      const expected = hotRow(form).body.toString('utf8');
      return (status: number, body: string) => status === 200 && body === expected;
    };
    const postHashOnAllow: RawRequest = { ...requestOf('post-hash', hot), headers: [...headersFor(allowInstance, tokens[AGENT]!), ['content-type', 'application/json']] };
    const etag = hotRow('get-hash').identity.etag!;
    const brLength = String(hotRow('get-hash').brBody.length);
    const targets: Target[] = [
      { key: 'a', label: '(a) POST document', instance: allowInstance, which: 'allow', request: requestOf('post-document', hot), check: identityCheck('post-document'), expectedResponseBytes: hotRow('post-document').identity.response },
      { key: 'b', label: '(b) POST hash', instance: requireInstance, which: 'require', request: requestOf('post-hash', hot), check: identityCheck('post-hash'), expectedResponseBytes: hotRow('post-hash').identity.response },
      { key: "b'", label: "(b') POST hash, control on (a)'s instance", instance: allowInstance, which: 'allow', request: postHashOnAllow, check: identityCheck('post-hash'), expectedResponseBytes: hotRow('post-hash').identity.response },
      { key: 'c', label: '(c) GET hash', instance: requireInstance, which: 'require', request: requestOf('get-hash', hot), check: identityCheck('get-hash'), expectedResponseBytes: hotRow('get-hash').identity.response },
      {
        key: 'd-br',
        label: '(d) GET hash, Accept-Encoding: br',
        instance: requireInstance,
        which: 'require',
        request: requestOf('get-hash', hot, [['accept-encoding', 'br']]),
        check: (status, _body, headers) => status === 200 && headers['content-encoding'] === 'br' && headers['content-length'] === brLength,
        expectedResponseBytes: hotRow('get-hash').br.response,
      },
      {
        key: 'd-304',
        label: '(d) GET hash, If-None-Match → 304',
        instance: requireInstance,
        which: 'require',
        request: requestOf('get-hash', hot, [['if-none-match', etag]]),
        check: (status, body) => status === 304 && body === '',
        expectedResponseBytes: hotRow('get-hash').notModified?.response ?? 0,
      },
    ];
    if (withOrigin) {
      targets.push({
        key: 'b-origin',
        label: '(b) POST hash + Origin (as a browser sends it)',
        instance: requireInstance,
        which: 'require',
        request: requestOf('post-hash', hot, [['origin', `http://127.0.0.1:${requireInstance.port}`]]),
        check: identityCheck('post-hash'),
        expectedResponseBytes: hotRow('post-hash').identity.response,
      });
    }
    // autocannon writes Host, Connection and Content-Length itself.
    const loadRequest = (r: RawRequest) => ({
      method: r.method,
      path: r.target,
      headers: Object.fromEntries(r.headers.filter(([name]) => name !== 'host')),
      ...(r.body !== undefined ? { body: r.body } : {}),
    });
    const slice = duration / rounds;
    log(`throughput: ${targets.map((t) => t.key).join(', ')} — ${duration} s each in ${rounds} slice(s) of ${fmt(slice, 1)} s, order reversed every other round`);
    if (warmup > 0) for (const t of targets) await runChecked(t.instance.origin, loadRequest(t.request), t.check, { connections, duration: warmup });
    const parts = new Map<Target, CheckedResult[]>(targets.map((t) => [t, []]));
    const caches = new Map<Target, CacheCounters[]>(targets.map((t) => [t, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const before = counters(await scrape(t.instance.origin));
        const result = await runChecked(t.instance.origin, loadRequest(t.request), t.check, { connections, duration: slice });
        await sleep(100); // requests autocannon dropped at the end are still counted by the server
        caches.get(t)!.push(delta(counters(await scrape(t.instance.origin)), before));
        parts.get(t)!.push(result);
        log(`  ${t.key.padEnd(8)} round ${round + 1}: ${fmt(result.rps, 0)} req/s, p99 ${fmt(result.p99, 0)} ms${result.mismatches ? `, ${result.mismatches} REFUSED: ${result.samples[0]}` : ''}`);
      }
    }
    for (const t of targets) {
      const list = parts.get(t)!;
      const sum = (f: (p: CheckedResult) => number) => list.reduce((a, p) => a + f(p), 0);
      const requests = sum((p) => p.requests);
      const statusCodes: Record<string, number> = {};
      for (const p of list) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
      const load: CheckedResult = {
        rps: requests / sum((p) => p.durationS),
        p50: [...list.map((p) => p.p50)].sort((a, b) => a - b)[Math.floor(list.length / 2)]!,
        p99: Math.max(...list.map((p) => p.p99)),
        meanLatency: sum((p) => p.meanLatency * p.requests) / Math.max(1, requests),
        requests,
        durationS: sum((p) => p.durationS),
        connectionErrors: sum((p) => p.connectionErrors),
        timeouts: sum((p) => p.timeouts),
        non2xx: sum((p) => p.non2xx),
        stats: {},
        graphqlErrors: 0,
        reads: requests,
        writes: 0,
        mismatches: sum((p) => p.mismatches),
        bytesPerResponse: sum((p) => p.bytesPerResponse * p.requests) / Math.max(1, requests),
        statusCodes,
        samples: list.flatMap((p) => p.samples).slice(0, 3),
      };
      const cache = caches.get(t)!.reduce((a, c) => ({ ...c, hits: a.hits + c.hits, misses: a.misses + c.misses, bypass: a.bypass + c.bypass, hitsByPath: { fast: (a.hitsByPath.fast ?? 0) + (c.hitsByPath.fast ?? 0), graphql: (a.hitsByPath.graphql ?? 0) + (c.hitsByPath.graphql ?? 0) } }));
      throughputRows.push({ key: t.key, label: t.label, instance: t.which, load, slices: list.map((p) => p.rps), cache, expectedResponseBytes: t.expectedResponseBytes });
    }
    await sleep(500);
  } finally {
    await cleanup.run();
  }

  // ── Tables.
  const byForm = (op: string, form: Form) => bytesRows.find((r) => r.operation === op && r.form === form)!;
  const star = (m: Measured) => `${m.response}${m.encoding ? '' : '*'}`;
  const roundTrip = (r: BytesRow) => r.identity.request + r.identity.response;
  const roundTripBr = (r: BytesRow) => r.br.request + r.br.response;
  const roundTrip304 = (r: BytesRow) => (r.notModified ? r.notModified.request + r.notModified.response : null);
  const ratio = (x: number | null, base: number | null) => (x == null || !base ? '—' : `${fmt(x / base, 2)}×`);
  const bytesCells: string[][] = [];
  for (const op of [...new Set(bytesRows.map((r) => r.operation))]) {
    const a = byForm(op, 'post-document');
    for (const { form, label, short } of FORMS) {
      const r = byForm(op, form);
      bytesCells.push([
        form === 'post-document' ? `${op} (${r.user.split('@')[0]})` : '',
        `${short} ${label}`,
        String(r.identity.request),
        String(r.identity.response),
        star(r.br),
        star(r.gzip),
        r.notModified ? String(r.notModified.response) : '—',
        String(roundTrip(r)),
        ratio(roundTrip(r), roundTrip(a)),
        String(roundTripBr(r)),
        ratio(roundTripBr(r), roundTripBr(a)),
        roundTrip304(r) == null ? '—' : String(roundTrip304(r)),
      ]);
    }
  }
  const totals = FORMS.map(({ form, label, short }) => {
    const rows = bytesRows.filter((r) => r.form === form);
    const s = (f: (r: BytesRow) => number) => rows.reduce((acc, r) => acc + f(r), 0);
    return {
      form,
      label: `${short} ${label}`,
      request: s((r) => r.identity.request),
      response: s((r) => r.identity.response),
      br: s((r) => r.br.response),
      gzip: s((r) => r.gzip.response),
      notModified: rows.every((r) => r.notModified) ? s((r) => r.notModified!.response) : null,
      roundTrip: s(roundTrip),
      roundTripBr: s(roundTripBr),
      roundTrip304: rows.every((r) => r.notModified) ? s((r) => roundTrip304(r)!) : null,
    };
  });
  const totalA = totals[0]!;
  const totalCells = totals.map((t) => [
    t.label,
    String(t.request),
    ratio(t.request, totalA.request),
    String(t.response),
    String(t.br),
    String(t.gzip),
    t.notModified == null ? '—' : String(t.notModified),
    String(t.roundTrip),
    ratio(t.roundTrip, totalA.roundTrip),
    String(t.roundTripBr),
    ratio(t.roundTripBr, totalA.roundTripBr),
    t.roundTrip304 == null ? '—' : `${t.roundTrip304} (${ratio(t.roundTrip304, totalA.roundTripBr)})`,
  ]);

  console.log(`\nBytes on the wire per request, cache hits (fast path), counted on a raw socket. ${describeCode(code)}; database: ${databaseSource}.`);
  console.log('request = request line + headers + body as sent (host, accept, authorization[, content-type, content-length]); response = status line + headers + body as received.');
  console.log('(a) goes to the PERSISTED_OPERATIONS=allow instance (require refuses documents); (b) and (c) to the require instance. br/gzip: the same request with Accept-Encoding: br / gzip;');
  console.log('304: GET with If-None-Match: <the 200\'s ETag>. round trip = request + response; br round trip = request with Accept-Encoding: br + br response.\n');
  console.log(
    table(['operation (as)', 'form', 'request', 'response', 'resp br', 'resp gzip', '304', 'round trip', '×(a)', 'round trip br', '×(a)', 'round trip 304'], bytesCells),
  );
  const small = bytesRows.filter((r) => r.form === 'post-hash' && !r.br.encoding).map((r) => `${r.operation} ${r.body.length} B`);
  console.log(`* sent uncompressed: bodies under 1 KiB (COMPRESSION_MIN_BYTES) are never compressed (${small.join(', ')}).\n`);
  console.log(`All ${new Set(bytesRows.map((r) => r.operation)).size} operations once each (sum of the rows above):\n`);
  console.log(table(['form', 'request', '×(a)', 'response', 'resp br', 'resp gzip', '304', 'round trip', '×(a)', 'round trip br', '×(a)', 'round trip 304 (×(a) br)'], totalCells));

  const base = throughputRows.find((r) => r.key === 'a');
  let loadErrors = 0;
  const throughputCells = throughputRows.map((r) => {
    const errors = r.load.mismatches + r.load.connectionErrors + r.load.timeouts;
    loadErrors += errors;
    const fast = r.cache.hitsByPath.fast ?? 0;
    return [
      r.label,
      r.instance,
      fmt(r.load.rps, 0),
      ratio(r.load.rps, base?.load.rps ?? null),
      r.slices.map((x) => fmt(x, 0)).join(' '),
      fmt(r.load.p50, 0),
      fmt(r.load.p99, 0),
      ratio(r.load.p99, base?.load.p99 ?? null),
      `${fmt(r.load.bytesPerResponse, 0)} (${r.expectedResponseBytes})`,
      `${fmt((100 * fast) / Math.max(1, r.load.requests), 1)} %`,
      Object.entries(r.load.statusCodes).map(([k, v]) => `${k}×${v}`).join(' '),
      errors === 0 ? '0' : `${errors} !!!`,
    ];
  });
  console.log(`\nThroughput, ${HOT} as ${AGENT}, cache hits, ${connections} connections, ${throughputRows[0] ? fmt(throughputRows[0].load.durationS, 1) : '—'} s per row in alternating slices (one run):\n`);
  console.log(table(['row', 'instance', 'req/s', '×(a)', 'req/s per slice', 'p50 ms', 'p99 ms', 'p99 ×(a)', 'B/resp (raw)', 'fast hits', 'statuses', 'errors'], throughputCells));
  console.log('B/resp: bytes autocannon read per response, and in parentheses the raw-socket count of the table above (autocannon sends its own Host and Connection headers).');
  console.log('fast hits: /metrics fast-path hits during the slices / responses autocannon completed (a little over 100 % when it dropped requests in flight at the end of a slice).');
  console.log("errors: responses failing the check (status, exact body, or br content-length), connection errors, timeouts. (b') is (b) on (a)'s instance: (a) vs (b') is the form, (b) vs (b') the instance.");
  console.log('The load generator and both servers share the machine: compare ratios within this run, not absolute numbers.');

  console.log('\nChecks:');
  for (const c of checks) {
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: expected ${c.expected}, got ${c.got}`);
    if (!c.ok) failures += 1;
  }
  if (notes.length) {
    console.log('\nNoticed:');
    for (const n of notes) console.log(`  - ${n}`);
  }

  const outDir = path.join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'persisted-ops.json');
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        code,
        database: databaseSource,
        settings: { duration, warmup, connections, rounds, scale, hot: HOT, user: AGENT },
        manifest: Object.fromEntries([[`sha256:${loginHash}`, 'Login'], ...operations.map((o) => [`sha256:${o.hash}`, o.name])]),
        checks,
        notes,
        bytes: bytesRows.map((r) => ({
          operation: r.operation,
          user: r.user,
          form: r.form,
          instance: r.instance,
          identity: r.identity,
          br: r.br,
          gzip: r.gzip,
          notModified: r.notModified,
          notModifiedBr: r.notModifiedBr,
          miss: r.miss,
          roundTrip: roundTrip(r),
          roundTripBr: roundTripBr(r),
          roundTrip304: roundTrip304(r),
        })),
        bytesTotals: totals,
        throughput: throughputRows.map((r) => ({
          key: r.key,
          label: r.label,
          instance: r.instance,
          rps: r.load.rps,
          ratioToA: base ? r.load.rps / base.load.rps : null,
          sliceRps: r.slices,
          p50Ms: r.load.p50,
          p99Ms: r.load.p99,
          requests: r.load.requests,
          bytesPerResponse: r.load.bytesPerResponse,
          rawResponseBytes: r.expectedResponseBytes,
          statusCodes: r.load.statusCodes,
          mismatches: r.load.mismatches,
          mismatchSamples: r.load.samples,
          connectionErrors: r.load.connectionErrors,
          timeouts: r.load.timeouts,
          cache: r.cache,
        })),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nresults written to ${path.relative(process.cwd(), outFile)}`);
  if (loadErrors > 0) warn(`THE LOAD HAD ${loadErrors} FAILED OR REFUSED RESPONSES: the throughput numbers are not trustworthy.`);
  if (failures > 0) warn(`${failures} CHECK(S) FAILED (see above).`);
  return loadErrors > 0 || failures > 0 ? 1 : 0;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`\nbench:persisted failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

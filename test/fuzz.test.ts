// Thousands of random and mutated requests against a real server over HTTP: documents from the client's
// manifest with tokens dropped, repeated, swapped or replaced (unicode, NUL bytes, huge numbers and
// strings), variables of the wrong shape, odd headers, GET and POST. Whatever arrives, the server never
// answers 5xx, never shows a stack trace or a path, and keeps answering /health.
// The seed is fixed (FUZZ_SEED to change it) and printed, so a failure replays exactly.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { Lexer, Source, TokenKind } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_MANIFEST } from '../server/platform/config.ts';
import { startTestServer, type TestServer } from './harness.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const RUNS = { documents: 1600, variables: 800, headers: 800, persisted: 400 };

// Without SignOut: one logout would turn the shared token's every later request into a 401 and leave the
// signed-in paths unfuzzed.
const documents = Object.values(JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8')) as Record<string, string>).filter(
  (d) => !/\blogout\b/.test(d),
);

/** The document's tokens as source text (strings and block strings keep their quotes). */
function tokensOf(document: string): string[] {
  const lexer = new Lexer(new Source(document));
  const out: string[] = [];
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) out.push(document.slice(token.start, token.end));
  return out;
}
const tokenized = documents.map(tokensOf);
const vocabulary = [...new Set(tokenized.flat())];

// --- what is sent ---------------------------------------------------------------------------------

const weird = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '\u0000',
    '\u0000\u0000query',
    '\uFEFF',
    '\u202E',
    '\uD800',
    '💥',
    '"\u0000"',
    '"""\u0000"""',
    '#',
    '\\',
    '{',
    '}',
    '...',
    '$',
    '@',
    '!',
  ),
  fc.constantFrom(
    '9'.repeat(400),
    '-0',
    '1e999',
    '0x10',
    '"' + 'x'.repeat(60_000) + '"',
    '"\\u0000"',
    '"\\uD800"',
    '"""' + '\n'.repeat(3000) + '"""',
  ),
);

const mutatedDocument = fc
  .tuple(
    fc.nat({ max: tokenized.length - 1 }),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
        fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 400 }) }),
        fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: weird }),
        fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: fc.oneof(weird, fc.constantFrom(...vocabulary)) }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([which, mutations]) => {
    const tokens = [...tokenized[which]!];
    for (const m of mutations) {
      const at = m.at % (tokens.length || 1);
      if (m.op === 'drop') tokens.splice(at, 1);
      else if (m.op === 'duplicate') tokens.splice(at, 0, ...Array(m.times).fill(tokens[at] ?? '{'));
      else if (m.op === 'swap') {
        const other = m.with % (tokens.length || 1);
        [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
      } else if (m.op === 'insert') tokens.splice(at, 0, m.text);
      else tokens[at] = m.text;
    }
    return tokens.join(' ');
  });

const randomDocument = fc.oneof(
  fc.array(fc.constantFrom(...vocabulary), { maxLength: 80 }).map((t) => t.join(' ')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.integer({ min: 1, max: 3000 }).map((n) => '{'.repeat(n) + 'viewer' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 300 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`),
  fc
    .integer({ min: 1, max: 30 })
    .map((n) => `query { ${'viewer { organization { users(first: 100) { edges { node { '.repeat(n)}id${' } } } } }'.repeat(n)} }`),
  fc.integer({ min: 2, max: 40 }).map(
    (n) =>
      // fragments that spread each other twice over: exponential if anything walks them naively
      `{ viewer { ...F0 } } ${Array.from({ length: n }, (_, i) => `fragment F${i} on User { id ${i + 1 < n ? `...F${i + 1} organization { users(first: 1) { edges { node { ...F${i + 1} } } } }` : ''} }`).join(' ')}`,
  ),
);

function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
}

const variableValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    null,
    true,
    -1,
    0,
    2 ** 31,
    2 ** 53 + 1,
    1e308,
    -1e308,
    0.5,
    '',
    '\u0000',
    'x'.repeat(100_000),
    '💥'.repeat(1000),
    [],
    {},
  ),
  fc.integer({ min: 1, max: 1500 }).map((n) => deep(n, 'x')),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

const variables = fc.oneof(
  fc.dictionary(
    fc.constantFrom('first', 'last', 'after', 'before', 'filter', 'orderBy', 'id', 'ids', 'input', 'email', 'password', 'body', 'x'),
    variableValue,
    { maxKeys: 5 },
  ),
  variableValue, // not even an object
);

const huge = 'x'.repeat(8000); // within Node's 16 KiB header limit
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constant(huge),
);

interface Case {
  method: 'GET' | 'POST';
  query: string | null;
  variables: unknown;
  operationName: unknown;
  /** persisted-operation parameters: documentId, extensions.persistedQuery */
  documentId?: unknown;
  extensions?: unknown;
  headers: Record<string, string>;
  /** a raw body instead of the JSON one (POST), or the raw query string (GET) */
  raw: string | null;
}

const headers = (validToken: string) =>
  fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/graphql+json',
        'application/graphql',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'garbage',
        '',
      ),
      accept: fc.constantFrom(
        'application/graphql-response+json',
        'application/json',
        'text/event-stream',
        'multipart/mixed',
        'text/html',
        '*/*',
        'application/xml',
        '',
      ),
      authorization: fc.oneof(
        fc.constant(`Bearer ${validToken}`),
        headerValue.map((v) => `Bearer ${v}`),
        headerValue,
        fc.constant(`Bearer ${validToken}${validToken}`),
        fc.constant(`Basic ${Buffer.from('a:b').toString('base64')}`),
      ),
      'x-graphql-csrf': fc.constant('1'),
      'x-whatever': headerValue,
    },
    { requiredKeys: ['content-type', 'accept'] },
  );

// --- how it is sent -------------------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(url: URL, c: Case): Promise<{ status: number; text: string }> {
  const params = new URLSearchParams();
  if (c.query !== null) params.set('query', c.query);
  if (c.variables !== undefined) params.set('variables', JSON.stringify(c.variables) ?? '');
  if (typeof c.operationName === 'string') params.set('operationName', c.operationName);
  if (c.documentId !== undefined)
    params.set('documentId', typeof c.documentId === 'string' ? c.documentId : (JSON.stringify(c.documentId) ?? ''));
  if (c.extensions !== undefined) params.set('extensions', JSON.stringify(c.extensions) ?? '');
  const json = {
    query: c.query ?? undefined,
    variables: c.variables,
    operationName: c.operationName,
    documentId: c.documentId,
    extensions: c.extensions,
  };
  const body = c.method === 'POST' ? (c.raw ?? JSON.stringify(json)) : null;
  // A raw GET goes as the query string itself, bytes outside printable ASCII percent-encoded (Node refuses them unescaped).
  const rawQuery =
    c.raw === null
      ? null
      : c.raw.replace(/[^\x21-\x7e]/gu, (ch) => [...Buffer.from(ch)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
  const path = c.method === 'GET' ? `${url.pathname}?${rawQuery ?? params}` : url.pathname;
  const headerList = Object.fromEntries(Object.entries(c.headers).filter(([, v]) => v !== ''));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: c.method,
        agent,
        headers: { ...headerList, ...(body !== null ? { 'content-length': Buffer.byteLength(body) } : {}) },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within 20 s to ${c.method} ${path.slice(0, 200)}`)));
    req.once('error', reject);
    req.end(body ?? undefined);
  });
}

// --- what must hold -------------------------------------------------------------------------------

const statuses: Record<number, number> = {};
let cases = 0;

function leaks(text: string): string | null {
  for (const pattern of [/\n\s+at /, / {4}at [^\n]*[(:]/, /\/work\//, /node_modules/, /"stack"\s*:/]) {
    if (pattern.test(text)) return String(pattern);
  }
  return null;
}

describe('fuzzing the HTTP endpoint', () => {
  let server: TestServer;
  let url: URL;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    url = new URL(server.url);
    token = await server.login('agent@acme.test');
    console.log(`fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
  });
  afterAll(async () => {
    console.log(`fuzz: ${cases} cases, statuses ${JSON.stringify(statuses)}`);
    agent.destroy();
    await server?.close();
  });

  async function check(c: Case): Promise<void> {
    const reply = await send(url, c);
    cases += 1;
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    const where = `${c.method} ${JSON.stringify(c).slice(0, 500)}`;
    expect(reply.status, `5xx for ${where}\n${reply.text.slice(0, 500)}`).toBeLessThan(500);
    expect(leaks(reply.text), `internals in the answer to ${where}\n${reply.text.slice(0, 1000)}`).toBeNull();
    if (cases % 250 === 0) await expectHealthy();
  }

  async function expectHealthy(): Promise<void> {
    const health = await send(new URL('/health', url), {
      method: 'GET',
      query: null,
      variables: undefined,
      operationName: undefined,
      headers: {},
      raw: null,
    });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
  }

  const run = (property: fc.IAsyncProperty<any>, numRuns: number) =>
    fc.assert(property, { numRuns, seed: SEED, endOnFailure: true, verbose: 1 });

  it(`mutated and random documents (${RUNS.documents})`, async () => {
    await run(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: mutatedDocument }, { weight: 1, arbitrary: randomDocument }),
        fc.boolean(),
        async (query, get) => {
          await check({
            method: get ? 'GET' : 'POST',
            query,
            variables: undefined,
            operationName: undefined,
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json',
              authorization: `Bearer ${token}`,
              'x-graphql-csrf': '1',
            },
            raw: null,
          });
        },
      ),
      RUNS.documents,
    );
    await expectHealthy();
  }, 120_000);

  it(`variables of the wrong shape, size and depth (${RUNS.variables})`, async () => {
    await run(
      fc.asyncProperty(
        fc.constantFrom(...documents),
        variables,
        fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
        fc.boolean(),
        async (query, vars, operationName, get) => {
          await check({
            method: get ? 'GET' : 'POST',
            query,
            variables: vars,
            operationName,
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json',
              authorization: `Bearer ${token}`,
              'x-graphql-csrf': '1',
            },
            raw: null,
          });
        },
      ),
      RUNS.variables,
    );
    await expectHealthy();
  }, 120_000);

  it(`odd headers, methods and bodies (${RUNS.headers})`, async () => {
    await run(
      fc.asyncProperty(
        fc.constantFrom(...documents),
        fc.constant(null).chain(() => headers(token)),
        fc.boolean(),
        fc.option(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 300 }),
            fc.constantFrom(
              '{',
              '[]',
              '[{}]',
              'null',
              '{"query": 1}',
              '{"query": "{ viewer { id } }", "variables": "x"}',
              '{"query": ["a"]}',
              '"' + 'x'.repeat(100_000) + '"',
              'query=%7B__typename%7D',
              'query={viewer{id}}&variables=%7B',
              'query={viewer{id}}&extensions=garbage',
              'documentId=sha256:&query=%00',
              'query=%E0%A4%A&variables=null',
              'query=a&query=b&operationName=%FF',
            ),
          ),
          { nil: null },
        ),
        async (query, h, get, raw) => {
          await check({
            method: get ? 'GET' : 'POST',
            query,
            variables: undefined,
            operationName: undefined,
            headers: h as Record<string, string>,
            raw,
          });
        },
      ),
      RUNS.headers,
    );
    await expectHealthy();
  }, 120_000);

  it(`persisted-operation parameters: hashes real, unknown and malformed (${RUNS.persisted})`, async () => {
    const hashes = Object.keys(JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8')) as Record<string, string>);
    const hash = fc.oneof(
      fc.constantFrom(...hashes),
      fc.constantFrom(...hashes).map((h) => h.slice(7)),
      fc.string({ maxLength: 80 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await run(
      fc.asyncProperty(
        fc.option(fc.oneof(fc.constantFrom(...documents), mutatedDocument), { nil: null }),
        fc.option(hash, { nil: undefined }),
        fc.option(
          fc.oneof(
            fc.record({
              persistedQuery: fc.record({ version: fc.oneof(fc.constant(1), fc.jsonValue()), sha256Hash: hash }, { requiredKeys: [] }),
            }),
            fc.jsonValue({ maxDepth: 3 }),
          ),
          { nil: undefined },
        ),
        fc.option(variables, { nil: undefined }),
        fc.boolean(),
        async (query, documentId, extensions, vars, get) => {
          await check({
            method: get ? 'GET' : 'POST',
            query,
            variables: vars,
            operationName: undefined,
            documentId,
            extensions,
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json',
              authorization: `Bearer ${token}`,
              'x-graphql-csrf': '1',
            },
            raw: null,
          });
        },
      ),
      RUNS.persisted,
    );
    await expectHealthy();
  }, 120_000);

  it('ran every case it was asked to', () => {
    expect(cases).toBe(RUNS.documents + RUNS.variables + RUNS.headers + RUNS.persisted);
  });
});

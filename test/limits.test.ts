// Hostile documents are refused with a stable code, a message naming the limit and what was measured,
// HTTP 400 (413 for the body), and no SQL at all: not even the lookup of the valid token they carry.
// Each limit is tried just under (runs) and just over (refused). The shipped client's documents must all
// pass the defaults.
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { manifest as benchManifest } from '../bench/lib/queries.ts';
import { CLIENT_MANIFEST, ConfigError, loadConfig } from '../server/platform/config.ts';
import { checkDocument } from '../server/document-limits/check-document.ts';
import { DEFAULT_LIMITS } from '../server/document-limits/limits-config.ts';
import { operationCost } from '../server/document-limits/query-cost.ts';
import { sampleVariables } from '../server/document-limits/sample-variables.ts';
import { countTokens } from '../server/document-limits/max-tokens.ts';
import { startTestServer, type TestServer } from './harness.ts';

const MAX_PAGE_SIZE = 100;

interface Reply {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } | any;
  text: string;
}

async function post(server: TestServer, body: unknown, token?: string, accept = 'application/graphql-response+json'): Promise<Reply> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, body: json, text };
}

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

const sqlTotal = (server: TestServer) => metric(server, 'deskgraph_sql_statements_total');

/**
 * Sends the document with a token never looked up before (a fresh login), and returns the reply with the
 * SQL statements the process sent meanwhile.
 */
async function withFreshToken(server: TestServer, body: unknown, accept?: string): Promise<Reply & { sql: number }> {
  const token = await server.login('agent@acme.test');
  const before = await sqlTotal(server);
  const reply = await post(server, body, token, accept);
  return { ...reply, sql: (await sqlTotal(server)) - before };
}

function expectRefused(reply: Reply & { sql: number }, status: number, code: string, message: RegExp) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual([code]);
  expect(reply.body.errors[0].message).toMatch(message);
  expect(reply.body).not.toHaveProperty('data');
  expect(reply.text).not.toMatch(/\bat .+\.(ts|js):\d+|"stack"|"http"/);
  expect(reply.sql, 'SQL statements sent for a refused request (the token lookup included)').toBe(0);
}

function expectRan(reply: Reply & { sql: number }) {
  expect(reply.status, reply.text).toBe(200);
  expect(reply.body.errors, reply.text).toBeUndefined();
  expect(reply.body.data).toBeTruthy();
  // The control for expectRefused: a fresh token is looked up with SQL, so the counter would see it.
  expect(reply.sql).toBeGreaterThan(0);
}

describe('the shipped documents stay within the default limits', () => {
  const shipped: Record<string, string> = {
    ...(JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8')) as Record<string, string>),
    ...benchManifest(),
  };

  it.each(Object.entries(shipped).map(([hash, document]) => [/(?:query|mutation) (\w+)/.exec(document)?.[1] ?? hash, document]))(
    '%s passes with page sizes at the maximum',
    (_name, document) => {
      const variables = sampleVariables(schema, parse(document), MAX_PAGE_SIZE);
      const result = checkDocument(schema, document, { limits: DEFAULT_LIMITS, maxPageSize: MAX_PAGE_SIZE, variables });
      expect(result.errors.map((e) => e.message)).toEqual([]);
      expect(result.cost).toBeGreaterThan(0);
    },
  );

  it('the client manifest is not empty (the test above ran over it)', () => {
    expect(Object.keys(JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8'))).length).toBeGreaterThan(10);
  });

  it("GraphiQL's introspection query passes when introspection is on", () => {
    // with every option GraphiQL may turn on, the largest form of the query
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    expect(countTokens(query)).toBeGreaterThan(150);
    const result = checkDocument(schema, query, { limits: DEFAULT_LIMITS, maxPageSize: MAX_PAGE_SIZE });
    expect(result.errors.map((e) => e.message)).toEqual([]);
  });
});

describe('configuration of the limits', () => {
  const base = { PERSISTED_OPERATIONS: 'allow' };

  it('defaults to DEFAULT_LIMITS, introspection and GraphiQL on outside production', () => {
    expect(loadConfig({ ...base }).limits).toEqual(DEFAULT_LIMITS);
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).graphiql).toBe(true);
  });

  it('turns introspection, and GraphiQL with it, off in production unless asked for', () => {
    const production = loadConfig({ ...base, NODE_ENV: 'production' });
    expect(production.limits.introspection).toBe('off');
    expect(production.graphiql).toBe(false);
    const asked = loadConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'on' });
    expect([asked.limits.introspection, asked.graphiql]).toEqual(['on', true]);
    const auth = loadConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'auth' });
    expect([auth.limits.introspection, auth.graphiql]).toEqual(['auth', true]);
    expect(loadConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'on', GRAPHIQL: 'false' }).graphiql).toBe(false);
  });

  it('refuses GraphiQL without introspection, and names a bad value', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', GRAPHIQL: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, INTROSPECTION: 'off', GRAPHIQL: 'true' })).toThrow(/GRAPHIQL=true needs introspection/);
    expect(() => loadConfig({ ...base, INTROSPECTION: 'yes' })).toThrow(/INTROSPECTION must be on, off or auth/);
    expect(() => loadConfig({ ...base, MAX_QUERY_DEPTH: '0' })).toThrow(/MAX_QUERY_DEPTH must be at least 1/);
  });

  it('reads every limit from its variable', () => {
    const limits = loadConfig({
      ...base,
      MAX_TOKENS: '50',
      MAX_QUERY_DEPTH: '3',
      MAX_QUERY_COST: '99',
      MAX_ALIASES: '0',
      MAX_FIELD_DUPLICATES: '1',
      MAX_DIRECTIVES: '2',
      INTROSPECTION: 'off',
    }).limits;
    expect(limits).toEqual({
      maxTokens: 50,
      maxDepth: 3,
      maxCost: 99,
      maxAliases: 0,
      maxFieldDuplicates: 1,
      maxDirectives: 2,
      introspection: 'off',
    });
  });
});

describe('query limits over HTTP, refused before any SQL', () => {
  let server: TestServer;
  let strict: TestServer;
  let signedInOnly: TestServer;

  beforeAll(async () => {
    [server, strict, signedInOnly] = await Promise.all([
      startTestServer(),
      startTestServer({ config: { batchLimit: 2, maxRequestBytes: 4096, limits: { ...DEFAULT_LIMITS, introspection: 'off' } } }),
      startTestServer({ config: { limits: { ...DEFAULT_LIMITS, introspection: 'auth' } } }),
    ]);
  });
  afterAll(() => Promise.all([server?.close(), strict?.close(), signedInOnly?.close()]));

  it(`tokens: ${DEFAULT_LIMITS.maxTokens} run, one more is TOO_MANY_TOKENS`, async () => {
    // Each enum value in the list is one token; commas are not tokens.
    const document = (n: number) => `{ tickets(first: 1, filter: { status: [${Array(n).fill('OPEN').join(', ')}] }) { totalCount } }`;
    const base = countTokens(document(0))!;
    const under = document(DEFAULT_LIMITS.maxTokens - base);
    const over = document(DEFAULT_LIMITS.maxTokens - base + 1);
    expect(countTokens(under)).toBe(DEFAULT_LIMITS.maxTokens);
    expectRan(await withFreshToken(server, { query: under }));
    expectRefused(
      await withFreshToken(server, { query: over }),
      400,
      'TOO_MANY_TOKENS',
      new RegExp(`has ${DEFAULT_LIMITS.maxTokens + 1} tokens; the limit is ${DEFAULT_LIMITS.maxTokens}\\.`),
    );
  });

  it(`depth: ${DEFAULT_LIMITS.maxDepth} levels run, ${DEFAULT_LIMITS.maxDepth + 1} are QUERY_TOO_DEEP`, async () => {
    // viewer(1) organization(2) users(3) edges(4) node(5) organization(6) users(7) edges(8) node(9) id(10)
    const tail = (inner: string) =>
      `{ viewer { organization { users(first: 1) { edges { node { organization { users(first: 1) { edges { node { ${inner} } } } } } } } } } }`;
    expectRan(await withFreshToken(server, { query: tail('id') }));
    expectRefused(
      await withFreshToken(server, { query: tail('organization { id }') }),
      400,
      'QUERY_TOO_DEEP',
      new RegExp(`nested ${DEFAULT_LIMITS.maxDepth + 1} levels deep; the limit is ${DEFAULT_LIMITS.maxDepth}\\.`),
    );
  });

  it('depth counts fields, not fragment spreads', async () => {
    const query = `{ viewer { ...A } } fragment A on User { organization { ...B } } fragment B on Organization { users(first: 1) { edges { node { ...C } } } }
      fragment C on User { organization { ...D } } fragment D on Organization { users(first: 1) { edges { node { id } } } }`;
    expectRan(await withFreshToken(server, { query }));
  });

  it('fragments spread twice over, level after level, are QUERY_TOO_COMPLEX before they are walked to the end', async () => {
    const n = 30; // 2^30 fields once expanded
    const query = `{ viewer { ...F0 } } ${Array.from({ length: n }, (_, i) => `fragment F${i} on User { ${i + 1 < n ? `...F${i + 1} ...F${i + 1}` : 'id'} }`).join(' ')}`;
    expectRefused(
      await withFreshToken(server, { query }),
      400,
      'QUERY_TOO_COMPLEX',
      /too complex to estimate \(more than 20000 fields counted through its fragments\); the cost limit is 10000\./,
    );
  });

  describe('cost', () => {
    // A page of tickets, each with a page of 100 comments: the cost grows by a fixed step per ticket.
    const document =
      'query Cost($n: Int) { tickets(first: $n) { edges { node { id comments(first: 100) { edges { node { id body } } } } } } }';
    const cost = (n: number) =>
      operationCost({ schema, document: parse(document), variables: { n }, operationName: 'Cost', maxPageSize: MAX_PAGE_SIZE });
    let n = 0;
    beforeAll(() => {
      while (cost(n + 1) <= DEFAULT_LIMITS.maxCost) n += 1;
    });

    it('multiplies a connection by its page size, nested lists multiplying', () => {
      expect(n).toBeGreaterThan(1);
      expect(n).toBeLessThan(MAX_PAGE_SIZE);
      // per ticket: edges 1 + node 1 + id 1 + comments (1 + 100 × (edges 1 + node 1 + id 1 + body 1))
      expect(cost(2) - cost(1)).toBe(3 + 1 + 100 * 4);
      // no first: counted at the maximum page size
      const unpaged = operationCost({
        schema,
        document: parse('{ tickets { edges { node { id } } } }'),
        variables: {},
        operationName: null,
        maxPageSize: MAX_PAGE_SIZE,
      });
      expect(unpaged).toBe(1 + MAX_PAGE_SIZE * 3);
    });

    it('at the limit runs, one ticket more is QUERY_TOO_COMPLEX (page size from a variable)', async () => {
      expectRan(await withFreshToken(server, { query: document, variables: { n }, operationName: 'Cost' }));
      expectRefused(
        await withFreshToken(server, { query: document, variables: { n: n + 1 }, operationName: 'Cost' }),
        400,
        'QUERY_TOO_COMPLEX',
        new RegExp(`estimated cost is ${cost(n + 1)}; the limit is ${DEFAULT_LIMITS.maxCost}\\.`),
      );
    });

    it('the verdict is not cached with the document: the same text with a small page runs again', async () => {
      expectRefused(
        await withFreshToken(server, { query: document, variables: { n: n + 1 }, operationName: 'Cost' }),
        400,
        'QUERY_TOO_COMPLEX',
        /cost/,
      );
      expectRan(await withFreshToken(server, { query: document, variables: { n: 1 }, operationName: 'Cost' }));
    });
  });

  it(`aliases: ${DEFAULT_LIMITS.maxAliases} run, one more is TOO_MANY_ALIASES`, async () => {
    const document = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    expectRan(await withFreshToken(server, { query: document(DEFAULT_LIMITS.maxAliases) }));
    expectRefused(
      await withFreshToken(server, { query: document(DEFAULT_LIMITS.maxAliases + 1) }),
      400,
      'TOO_MANY_ALIASES',
      new RegExp(`uses ${DEFAULT_LIMITS.maxAliases + 1} aliases; the limit is ${DEFAULT_LIMITS.maxAliases}\\.`),
    );
  });

  it(`repeated fields: ${DEFAULT_LIMITS.maxFieldDuplicates} run, one more is TOO_MANY_DUPLICATE_FIELDS`, async () => {
    const document = (n: number) => `{ viewer { ${Array(n).fill('id').join(' ')} } }`;
    expectRan(await withFreshToken(server, { query: document(DEFAULT_LIMITS.maxFieldDuplicates) }));
    expectRefused(
      await withFreshToken(server, { query: document(DEFAULT_LIMITS.maxFieldDuplicates + 1) }),
      400,
      'TOO_MANY_DUPLICATE_FIELDS',
      new RegExp(
        `"id" is selected ${DEFAULT_LIMITS.maxFieldDuplicates + 1} times in one selection set; the limit is ${DEFAULT_LIMITS.maxFieldDuplicates}\\.`,
      ),
    );
  });

  it(`directives: ${DEFAULT_LIMITS.maxDirectives} run, one more is TOO_MANY_DIRECTIVES`, async () => {
    // Two directives (@include and @skip) on each of ten fields; the extra one goes on viewer.
    const both = '@include(if: true) @skip(if: false)';
    const fields = `id ${both} name ${both} email ${both} role ${both} __typename ${both} organization ${both} { id ${both} name ${both} slug ${both} __typename ${both} }`;
    expectRan(await withFreshToken(server, { query: `{ viewer { ${fields} } }` }));
    expectRefused(
      await withFreshToken(server, { query: `{ viewer @include(if: true) { ${fields} } }` }),
      400,
      'TOO_MANY_DIRECTIVES',
      new RegExp(`uses ${DEFAULT_LIMITS.maxDirectives + 1} directives; the limit is ${DEFAULT_LIMITS.maxDirectives}\\.`),
    );
  });

  it('introspection: runs where on, INTROSPECTION_DISABLED where off; __typename is not introspection', async () => {
    const query = '{ __schema { queryType { name } } }';
    const on = await withFreshToken(server, { query });
    expect(on.status, on.text).toBe(200);
    expect(on.body.data.__schema.queryType.name).toBe('Query');
    const typename = await withFreshToken(strict, { query: '{ __typename viewer { id } }' });
    expectRan(typename);
    expectRefused(await withFreshToken(strict, { query }), 400, 'INTROSPECTION_DISABLED', /Introspection \(__schema\) is disabled/);
    expectRefused(await withFreshToken(strict, { query: '{ __type(name: "Ticket") { name } }' }), 400, 'INTROSPECTION_DISABLED', /__type/);
  });

  it('introspection=auth: for signed-in users; without a token 401 UNAUTHENTICATED, and nothing runs', async () => {
    const query = '{ __schema { queryType { name } } }';
    const signedIn = await withFreshToken(signedInOnly, { query });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body.data.__schema.queryType.name).toBe('Query');
    for (let i = 0; i < 2; i += 1) {
      // twice: the signed-in answer above is cached, but never for anonymous requests
      const before = await sqlTotal(signedInOnly);
      const anonymous = await post(signedInOnly, { query });
      expect(anonymous.status, anonymous.text).toBe(401);
      expect(anonymous.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
      expect(anonymous.body.errors[0].message).toMatch(/Introspection is for signed-in users on this server \(INTROSPECTION=auth\)/);
      expect(anonymous.body).not.toHaveProperty('data');
      expect(await sqlTotal(signedInOnly)).toBe(before);
    }
    const typename = await post(signedInOnly, { query: '{ __typename }' });
    expect([typename.status, typename.body.data]).toEqual([200, { __typename: 'Query' }]);
  });

  it(`page size: first ${MAX_PAGE_SIZE} runs, ${MAX_PAGE_SIZE + 1} is BAD_USER_INPUT, as a literal or a variable`, async () => {
    expectRan(await withFreshToken(server, { query: `{ tickets(first: ${MAX_PAGE_SIZE}) { totalCount } }` }));
    const message = new RegExp(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${MAX_PAGE_SIZE + 1}\\.`);
    expectRefused(
      await withFreshToken(server, { query: `{ tickets(first: ${MAX_PAGE_SIZE + 1}) { totalCount } }` }),
      400,
      'BAD_USER_INPUT',
      message,
    );
    expectRefused(
      await withFreshToken(server, {
        query: 'query ($n: Int) { viewer { assignedTickets(first: $n) { pageInfo { hasNextPage } } } }',
        variables: { n: MAX_PAGE_SIZE + 1 },
      }),
      400,
      'BAD_USER_INPUT',
      message,
    );
    expectRefused(
      await withFreshToken(server, { query: '{ tickets(last: -1) { totalCount } }' }),
      400,
      'BAD_USER_INPUT',
      /"last" must be between 0 and 100, got -1\./,
    );
  });

  it('first together with last is BAD_USER_INPUT (HTTP 400, no SQL), as literals or variables, at any depth', async () => {
    const message = /Pass "first" \(with "after"\) to page forward or "last" \(with "before"\) to page backward, not both\./;
    expectRefused(await withFreshToken(server, { query: '{ tickets(first: 5, last: 5) { totalCount } }' }), 400, 'BAD_USER_INPUT', message);
    const nested =
      'query ($f: Int, $l: Int) { tickets(first: 2) { edges { node { comments(first: $f, last: $l) { pageInfo { hasNextPage } } } } } }';
    expectRefused(await withFreshToken(server, { query: nested, variables: { f: 3, l: 3 } }), 400, 'BAD_USER_INPUT', message);
    // Either one alone (the other null or absent) runs.
    expectRan(await withFreshToken(server, { query: nested, variables: { f: null, l: 3 } }));
    expectRan(await withFreshToken(server, { query: nested, variables: { f: 3 } }));
  });

  it('a refused document is 400 for application/json clients too', async () => {
    const reply = await withFreshToken(
      server,
      {
        query: `{ viewer { ${Array(DEFAULT_LIMITS.maxFieldDuplicates + 1)
          .fill('id')
          .join(' ')} } }`,
      },
      'application/json',
    );
    expectRefused(reply, 400, 'TOO_MANY_DUPLICATE_FIELDS', /selected/);
  });

  it('a refused document is never stored or served by the response cache', async () => {
    const query = `{ viewer { ${Array(DEFAULT_LIMITS.maxFieldDuplicates + 1)
      .fill('id')
      .join(' ')} } }`;
    const stores = await metric(server, 'deskgraph_cache_stores_total');
    for (let i = 0; i < 3; i += 1) expectRefused(await withFreshToken(server, { query }), 400, 'TOO_MANY_DUPLICATE_FIELDS', /selected/);
    expect(await metric(server, 'deskgraph_cache_stores_total')).toBe(stores);
    // The control: a document that runs is stored.
    expectRan(await withFreshToken(server, { query: '{ viewer { id name } }' }));
    expect(await metric(server, 'deskgraph_cache_stores_total')).toBeGreaterThan(stores);
  });

  // Found by test/fuzz.test.ts: yoga's JSON.parse of these parameters threw straight through, as HTTP 500.
  it('malformed JSON in query-string parameters (GET, form POST) is 400 BAD_REQUEST, not 500', async () => {
    const token = await server.login('agent@acme.test');
    const headers = { accept: 'application/json', authorization: `Bearer ${token}`, 'x-graphql-csrf': '1' };
    for (const params of ['query=%7Bviewer%7Bid%7D%7D&variables=%7B', 'query=%7Bviewer%7Bid%7D%7D&extensions=garbage']) {
      const before = await sqlTotal(server);
      const get = await fetch(`${server.url}?${params}`, { headers });
      const form = await fetch(server.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: params,
      });
      for (const response of [get, form]) {
        const text = await response.text();
        expect(response.status, text).toBe(400);
        const body = JSON.parse(text);
        expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_REQUEST']);
        expect(body.errors[0].message).toMatch(/A JSON parameter \(variables or extensions\) is not valid JSON/);
        expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|"stack"/);
      }
      expect(await sqlTotal(server)).toBe(before);
    }
    // The control: the same request with valid JSON runs.
    const ok = await fetch(`${server.url}?query=%7Bviewer%7Bid%7D%7D&variables=%7B%7D`, { headers });
    expect(ok.status).toBe(200);
  });

  it('body size: at the limit it is read, one byte more is 413 PAYLOAD_TOO_LARGE', async () => {
    const body = (size: number) => {
      const shell = JSON.stringify({ query: '{ viewer { id } }', variables: { padding: '' } });
      return JSON.stringify({ query: '{ viewer { id } }', variables: { padding: 'x'.repeat(size - Buffer.byteLength(shell)) } });
    };
    expect(Buffer.byteLength(body(4096))).toBe(4096);
    expectRan(await withFreshToken(strict, body(4096)));
    expectRefused(await withFreshToken(strict, body(4097)), 413, 'PAYLOAD_TOO_LARGE', /larger than 4096 bytes/);
  });

  it('batching: off by default (400 BATCHING_DISABLED), over GRAPHQL_BATCH_LIMIT is 413 TOO_MANY_OPERATIONS', async () => {
    const op = { query: '{ viewer { id } }' };
    expectRefused(
      await withFreshToken(server, [op]),
      400,
      'BATCHING_DISABLED',
      /Batching is off on this server \(GRAPHQL_BATCH_LIMIT=0\): send one operation per request, not an array \(this one has 1\)\./,
    );
    const two = await withFreshToken(strict, [op, op]);
    expect(two.status, two.text).toBe(200);
    expect(two.body.map((r: { data: unknown }) => r.data)).toEqual([
      { viewer: { id: expect.any(String) } },
      { viewer: { id: expect.any(String) } },
    ]);
    expect(two.sql).toBeGreaterThan(0);
    expectRefused(await withFreshToken(strict, [op, op, op]), 413, 'TOO_MANY_OPERATIONS', /The batch has 3 operations; the limit is 2\./);
  });
});

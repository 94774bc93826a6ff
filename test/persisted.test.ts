// Persisted operations: clients send the SHA-256 of a document the team shipped (codegen's manifest,
// test/gql/persisted-documents.json) instead of the document; in `require` mode nothing else runs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { loadManifest, sha256Hex } from '../server/persisted/persisted-documents.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { startTestServer, type TestServer } from './harness.ts';

const manifestPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gql', 'persisted-documents.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
const [nestedId, nestedText] = Object.entries(manifest).find(([, text]) => text.startsWith('query NestedTickets'))!;
const hex = nestedId.slice('sha256:'.length);

async function post(server: TestServer, body: unknown, token?: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: any }[]; extensions?: any },
  };
}

describe('persisted operations, require mode (production)', () => {
  let server: TestServer;
  let agent: string;
  beforeAll(async () => {
    server = await startTestServer({
      config: {
        persisted: {
          mode: 'require',
          manifest: manifestPath,
          apq: false,
          apqMaxDocuments: 10,
          apqMaxDocumentBytes: 1024,
          registryRefreshMs: 0,
        },
      },
    });
    // login is not in the manifest (the harness sends it as a document), so sign in through a token row.
    const allow = await startTestServer();
    agent = await allow.login('agent@acme.test');
    const row = await allow.database.prisma.apiToken.findFirstOrThrow({ orderBy: { id: 'desc' } });
    await server.database.prisma.apiToken.create({ data: { userId: row.userId, tokenHash: row.tokenHash, expiresAt: row.expiresAt } });
    await allow.close();
  });
  afterAll(() => server?.close());

  it('runs a document by its hash, as documentId ("sha256:<hex>" or "<hex>") or as Apollo APQ', async () => {
    const byId = await post(server, { documentId: nestedId, variables: { n: 3 } }, agent);
    expect(byId.status).toBe(200);
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data.tickets.edges).toHaveLength(3);
    const bare = await post(server, { documentId: hex, variables: { n: 3 } }, agent);
    expect(bare.body.data).toEqual(byId.body.data);
    const apq = await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: hex } }, variables: { n: 3 } }, agent);
    expect(apq.body.data).toEqual(byId.body.data);
  });

  it('answers a repeated hash-only request from the cache, over GET too', async () => {
    await post(server, { documentId: nestedId, variables: { n: 4 } }, agent);
    const again = await post(server, { documentId: nestedId, variables: { n: 4 } }, agent);
    expect(again.body.extensions?.responseCache?.hit).toBe(true);
    expect(again.body.extensions?.sqlStatements).toBe(0);
    const url = `${server.url}?documentId=${encodeURIComponent(nestedId)}&variables=${encodeURIComponent(JSON.stringify({ n: 4 }))}`;
    const get = await fetch(url, {
      headers: { authorization: `Bearer ${agent}`, accept: 'application/graphql-response+json', [CSRF_HEADER]: '1' },
    });
    expect(get.status).toBe(200);
    const body = (await get.json()) as { data: unknown; extensions?: any };
    expect(body.data).toEqual(again.body.data);
    expect(body.extensions?.responseCache?.hit).toBe(true);
  });

  it('refuses an unknown hash with 404 PERSISTED_QUERY_NOT_FOUND', async () => {
    const unknown = await post(server, { documentId: `sha256:${'0'.repeat(64)}` }, agent);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses any document sent as text, even a shipped one, with 400 PERSISTED_QUERY_ONLY', async () => {
    for (const query of ['{ __typename }', nestedText]) {
      const refused = await post(server, { query, variables: { n: 1 } }, agent);
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      expect(refused.body.data).toBeUndefined();
    }
  });

  it('says what to send when neither a document nor a hash came', async () => {
    const empty = await post(server, { variables: {} }, agent);
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0]?.message).toMatch(/documentId/);
  });
});

describe('persisted operations, allow mode with APQ', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: {
        persisted: {
          mode: 'allow',
          manifest: manifestPath,
          apq: true,
          apqMaxDocuments: 10,
          apqMaxDocumentBytes: 200,
          registryRefreshMs: 0,
        },
      },
    });
  });
  afterAll(() => server?.close());

  it('runs documents and hashes alike', async () => {
    expect((await post(server, { query: '{ __typename }' })).body.data).toEqual({ __typename: 'Query' });
    const token = await server.login('agent@acme.test');
    expect((await post(server, { documentId: nestedId, variables: { n: 1 } }, token)).body.data.tickets.edges).toHaveLength(1);
  });

  it('registers a third-party document on miss: hash first, then hash + document, then hash alone', async () => {
    const query = '{ viewer { id } __typename }';
    const hash = sha256Hex(query);
    const apq = { persistedQuery: { version: 1, sha256Hash: hash } };
    const miss = await post(server, { extensions: apq });
    expect(miss.status).toBe(404);
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(server, { query, extensions: apq })).body.data).toEqual({ viewer: null, __typename: 'Query' });
    expect((await post(server, { extensions: apq })).body.data).toEqual({ viewer: null, __typename: 'Query' });
  });

  it("refuses a hash that is not the document's, and documents above the size bound", async () => {
    const wrong = await post(server, {
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const big = `{ ${Array.from({ length: 40 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    const tooLarge = await post(server, { query: big, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(big) } } });
    expect(tooLarge.status).toBe(413);
  });
});

describe('the manifest is checked at start', () => {
  function write(entries: Record<string, string>): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'manifest-')), 'persisted-documents.json');
    writeFileSync(file, JSON.stringify(entries));
    return file;
  }

  it("loads codegen's manifest: every hash is its document's and every document validates", async () => {
    const loaded = await loadManifest(manifestPath, schema);
    expect(loaded.size).toBe(Object.keys(manifest).length);
    expect(loaded.get(hex)).toBe(nestedText);
  });

  it('names an operation that no longer validates against the schema', async () => {
    const stale = 'query StaleOne { tickets(first: 1) { edges { node { priorityScore } } } }';
    await expect(loadManifest(write({ [`sha256:${sha256Hex(stale)}`]: stale }), schema)).rejects.toThrow(
      /StaleOne: Cannot query field "priorityScore"/,
    );
  });

  it("refuses an entry whose hash is not its document's, and an unreadable file", async () => {
    await expect(loadManifest(write({ [`sha256:${'b'.repeat(64)}`]: '{ __typename }' }), schema)).rejects.toThrow(
      /not the SHA-256 of its document/,
    );
    await expect(loadManifest('/nonexistent/persisted-documents.json', schema)).rejects.toThrow(
      /Cannot read the persisted operations manifest/,
    );
  });
});

// Trusted documents for third-party clients: a consumer project (test/fixtures/consumer/) runs its own
// codegen, registers the manifest with the CLI's functions, and runs its documents by hash against a
// server in `require` mode (production), naming itself with graphql-client-name. Other hashes, other
// clients and invalid pushes are refused; a running server picks up a push without a restart.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { CLIENT_MANIFEST } from '../server/persisted/persisted-config.ts';
import { sha256Hex } from '../server/persisted/persisted-documents.ts';
import { announceChange } from '../server/persisted/registry/registry-notice.ts';
import { listRegistry, pushManifest, removeFromRegistry, type RegistryTarget } from '../server/persisted/registry/registry-commands.ts';
import { PushRejected } from '../server/persisted/registry/registry-errors.ts';
import type { Database } from '../server/platform/database.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import consumerCodegen from './fixtures/consumer/codegen.ts';
import { productionPersisted, startTestServer, testConfig, type TestServer } from './harness.ts';

const CLIENT = 'consumer-fixture';
const AS_CONSUMER = { 'graphql-client-name': CLIENT, 'graphql-client-version': '1.4.0' };
const { limits, maxPageSize } = testConfig();
const check = { schema, limits, maxPageSize };

interface Reply {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
}

async function reply(response: Response): Promise<Reply> {
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

function get(server: TestServer, documentId: string, variables: object, headers: Record<string, string> = {}): Promise<Reply> {
  const query = `documentId=${encodeURIComponent(documentId)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
  return fetch(`${server.url}?${query}`, {
    headers: { accept: 'application/graphql-response+json', [CSRF_HEADER]: '1', ...headers },
  }).then(reply);
}

function post(server: TestServer, body: object, headers: Record<string, string> = {}): Promise<Reply> {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  }).then(reply);
}

async function sqlStatementsSent(server: TestServer): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  return Number(/^deskgraph_sql_statements_total (\d+)/m.exec(text)?.[1]);
}

/** Runs the consumer's codegen into a temporary directory: its persisted-documents.json, and its ids by operation name. */
async function consumerManifest(): Promise<{ file: string; ids: Record<string, string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskgraph-consumer-'));
  const output = Object.values(consumerCodegen.generates)[0]!;
  await generate({ ...consumerCodegen, generates: { [path.join(dir, 'gql/')]: output }, silent: true }, true);
  const file = path.join(dir, 'gql', 'persisted-documents.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const ids = Object.fromEntries(Object.entries(manifest).map(([id, text]) => [/(?:query|mutation) (\w+)/.exec(text)![1]!, id]));
  return { file, ids };
}

/** Apollo's persisted query list of these documents, written to a temporary file. */
function apolloManifest(documents: { name: string; body: string; id?: string }[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'deskgraph-pql-')), 'persisted-query-manifest.json');
  const operations = documents.map(({ name, body, id }) => ({ id: id ?? sha256Hex(body), name, type: 'query', body }));
  writeFileSync(file, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }));
  return file;
}

const webManifest = JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8')) as Record<string, string>;
const webViewerId = Object.keys(webManifest).find((id) => webManifest[id]!.startsWith('query Viewer '))!;
// The web client's sign-in, by hash: the harness's login sends a document, which require mode refuses.
const webSignInId = Object.keys(webManifest).find((id) => webManifest[id]!.startsWith('mutation SignIn('))!;

describe('a third-party client runs its registered documents in require mode', () => {
  let server: TestServer;
  let consumer: { file: string; ids: Record<string, string> };
  let token: string;

  beforeAll(async () => {
    consumer = await consumerManifest();
    // Registered while the server is stopped (as on the embedded database): it reads the registry at start.
    const register = async (database: Database) => {
      const report = await pushManifest({ prisma: database.prisma, announce: null }, { client: CLIENT, file: consumer.file, check });
      expect(report).toMatchObject({ format: 'codegen', entries: 3, added: 3, existing: 0, total: 3 });
    };
    server = await startTestServer({ config: { persisted: { ...productionPersisted(), registryRefreshMs: 0 } }, beforeStart: register });
    const signIn = await post(
      server,
      { documentId: consumer.ids.ConsumerSignIn, variables: { email: 'agent@acme.test', password: DEMO_PASSWORD } },
      AS_CONSUMER,
    );
    expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    token = signIn.body.data.login.token;
  });
  afterAll(() => server?.close());

  it('runs each of its documents by hash over GET, naming itself in graphql-client-name', async () => {
    const auth = { ...AS_CONSUMER, authorization: `Bearer ${token}` };
    const list = await get(server, consumer.ids.ConsumerOpenTickets!, { first: 3 }, auth);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.tickets.edges).toHaveLength(3);
    expect(list.body.data.tickets.edges.every((edge: any) => edge.node.status === 'OPEN')).toBe(true);
    const id = list.body.data.tickets.edges[0].node.id;
    const detail = await get(server, consumer.ids.ConsumerTicket!, { id }, auth);
    expect(detail.status).toBe(200);
    expect(detail.body.data.ticket.id).toBe(id);
    // The second time from the cache (the hit stage resolves the hash for the client too).
    const again = await get(server, consumer.ids.ConsumerOpenTickets!, { first: 3 }, auth);
    expect(again.body.extensions?.responseCache?.hit).toBe(true);
    expect(again.body.data).toEqual(list.body.data);
    // Apollo Client's header names work as well.
    const apollo = await get(
      server,
      consumer.ids.ConsumerTicket!,
      { id },
      { 'apollographql-client-name': CLIENT, authorization: auth.authorization },
    );
    expect(apollo.body.data).toEqual(detail.body.data);
  });

  it('refuses a hash not registered for it with 404 PERSISTED_QUERY_NOT_FOUND naming the client, without any SQL', async () => {
    const before = await sqlStatementsSent(server);
    const unknown = await get(server, `sha256:${'ab'.repeat(32)}`, {}, AS_CONSUMER);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.errors?.[0]?.extensions?.client).toBe(CLIENT);
    expect(unknown.body.errors?.[0]?.message).toMatch(/registered for client "consumer-fixture" \(version 1\.4\.0\)/);
    // The web client's documents are not the consumer's.
    const web = await get(server, webViewerId, {}, AS_CONSUMER);
    expect(web.status).toBe(404);
    expect(web.body.errors?.[0]?.extensions?.client).toBe(CLIENT);
    expect(await sqlStatementsSent(server)).toBe(before);
  });

  it("without graphql-client-name only the web client's manifest runs; another name gets none of the consumer's documents", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const anonymous = await get(server, consumer.ids.ConsumerOpenTickets!, { first: 3 }, auth);
    expect(anonymous.status).toBe(404);
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND', client: 'deskgraph-web' });
    expect(anonymous.body.errors?.[0]?.message).toMatch(/web client \(deskgraph-web/);
    expect(anonymous.body.data).toBeUndefined();
    const other = await get(server, consumer.ids.ConsumerOpenTickets!, { first: 3 }, { ...auth, 'graphql-client-name': 'someone-else' });
    expect(other.status).toBe(404);
    expect(other.body.errors?.[0]?.extensions?.client).toBe('someone-else');
    const web = await get(server, webViewerId, {}, auth);
    expect(web.status).toBe(200);
    expect(web.body.data.viewer.email).toBe('agent@acme.test');
  });

  it('refuses a malformed client name with 400 BAD_USER_INPUT', async () => {
    const bad = await get(server, consumer.ids.ConsumerOpenTickets!, { first: 3 }, { 'graphql-client-name': '-no spaces!' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0]?.message).toMatch(/graphql-client-name header must be/);
  });

  it('refuses a push with an invalid document, listing each problem, and registers none of it', async () => {
    const fresh = 'query ConsumerFresh { viewer { id } }';
    const file = apolloManifest([
      { name: 'ConsumerFresh', body: fresh },
      { name: 'ConsumerShoes', body: 'query ConsumerShoes { viewer { shoeSize } }' },
      { name: 'ConsumerTampered', body: 'query ConsumerTampered { viewer { id } }', id: sha256Hex('something else') },
      {
        name: 'ConsumerTooWide',
        body: `query ConsumerTooWide { ${Array.from({ length: 20 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`,
      },
    ]);
    const target: RegistryTarget = { prisma: server.database.prisma, announce: null };
    const refused = await pushManifest(target, { client: CLIENT, file, check }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PushRejected);
    const problems = (refused as PushRejected).problems;
    expect(problems.map((p) => p.document.split(' ')[0])).toEqual(['ConsumerShoes', 'ConsumerTampered', 'ConsumerTooWide']);
    expect(problems[0]!.message).toMatch(/Cannot query field "shoeSize" on type "User"/);
    expect(problems[1]!.message).toMatch(/not the SHA-256 of the document/);
    expect(problems[2]!.message).toMatch(/aliases/i);
    const listed = await listRegistry(server.database.prisma, CLIENT);
    expect('documents' in listed && listed.documents.map((d) => d.hash).sort()).toEqual(
      Object.values(consumer.ids)
        .map((id) => id.slice('sha256:'.length))
        .sort(),
    );
  });

  it('lists the client and its documents', async () => {
    const all = await listRegistry(server.database.prisma);
    expect('clients' in all && all.clients.map(({ name, documents }) => ({ name, documents }))).toEqual([{ name: CLIENT, documents: 3 }]);
    const mine = await listRegistry(server.database.prisma, CLIENT);
    expect('documents' in mine && mine.documents.map((d) => d.operationName)).toEqual([
      'ConsumerOpenTickets',
      'ConsumerSignIn',
      'ConsumerTicket',
    ]);
  });
});

describe('a running server picks up pushes and removals without a restart', () => {
  // With Redis (the postgres project) the server never looks on its own: only the bus can tell it. Without
  // Redis, its periodic check does.
  const bus = inject('template').kind === 'postgres' && process.env.TEST_REDIS_URL ? process.env.TEST_REDIS_URL : null;
  const keyPrefix = `registry-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const late = 'query LateViewer { viewer { id name } }';
  const lateId = `sha256:${sha256Hex(late)}`;
  let server: TestServer;
  let target: RegistryTarget;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({
      config: { persisted: { ...productionPersisted(), registryRefreshMs: bus ? 0 : 200 } },
      cache: { keyPrefix },
    });
    target = {
      prisma: server.database.prisma,
      announce: bus ? (client) => announceChange({ redis: { kind: 'single', url: bus }, keyPrefix, timeoutMs: 1000 }, client) : null,
    };
    const signIn = await post(server, { documentId: webSignInId, variables: { email: 'agent@acme.test', password: DEMO_PASSWORD } });
    token = signIn.body.data.login.token;
  });
  afterAll(() => server?.close());

  const runLate = () => get(server, lateId, {}, { 'graphql-client-name': 'late-client', authorization: `Bearer ${token}` });

  it('serves a document pushed while it runs, and stops serving it, cached answer included, once removed', async () => {
    expect((await runLate()).status).toBe(404);
    const report = await pushManifest(target, { client: 'late-client', file: apolloManifest([{ name: 'LateViewer', body: late }]), check });
    expect(report.announcement).toEqual(bus ? { instances: 1 } : { skipped: 'no-bus' });
    await expect.poll(async () => (await runLate()).status, { timeout: 10_000, interval: 50 }).toBe(200);
    expect((await runLate()).body.extensions?.responseCache?.hit).toBe(true);

    expect((await removeFromRegistry(target, 'late-client', { hash: lateId })).removed).toBe(1);
    await expect.poll(async () => (await runLate()).status, { timeout: 10_000, interval: 50 }).toBe(404);
    expect((await runLate()).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    // Registered again: the client's revision only grows, so the server cannot mistake it for what it held.
    await pushManifest(target, { client: 'late-client', file: apolloManifest([{ name: 'LateViewer', body: late }]), check });
    await expect.poll(async () => (await runLate()).status, { timeout: 10_000, interval: 50 }).toBe(200);
    expect((await runLate()).body.data.viewer.name).toBeTruthy();
  });
});

// Tokens at rest, login that does not reveal accounts, and the request limits: per token (cache hits
// included) and per login email/address, answered with 429 + Retry-After before any SQL.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRateLimits } from '../server/rate-limits/rate-limits.ts';
import { createLogger } from '../server/platform/logger.ts';
import { CSRF_HEADER } from '../server/protocol/csrf.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { startTestServer, testAuthConfig, type TestServer } from './harness.ts';
import { probeClient, targets } from './redis-targets.ts';

// Counts password verifications: the login resolver must run exactly one scrypt per attempt, for an
// unknown email as for a known one.
const verifications = vi.hoisted(() => ({ calls: [] as string[] }));
vi.mock('../identity/passwords.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../identity/passwords.ts')>();
  return {
    ...original,
    verifyPassword: async (password: string, stored: string) => {
      verifications.calls.push(stored);
      return original.verifyPassword(password, stored);
    },
  };
});

const LOGIN = 'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const codes = (text: string) => ((JSON.parse(text).errors ?? []) as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code);

async function rateLimitedCount(server: TestServer, limit: string): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(new RegExp(`^deskgraph_rate_limited_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('tokens and passwords', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The mock applies to modules loaded after it: tests share a worker's modules (isolate: false in
    // vitest.config.ts), so another file may have loaded the server already. This one loads its own.
    vi.resetModules();
    server = await (await import('./harness.ts')).startTestServer();
  });
  afterAll(() => server?.close());

  it('stores only the SHA-256 of a token: the token itself is in no row of any table', async () => {
    const token = await server.login('agent@acme.test');
    const digest = createHash('sha256').update(token).digest('hex');
    const rows = await server.database.prisma.apiToken.findMany();
    expect(rows.some((row) => row.tokenHash === digest)).toBe(true);
    const tables = await server.database.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    expect(tables.map((t) => t.table_name)).toContain('ApiToken');
    let scanned = 0;
    for (const { table_name } of tables) {
      const dump = await server.database.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name}" t`);
      scanned += dump.length;
      // Neither the token nor its random part (without the dg_ prefix) appears anywhere.
      expect(
        dump.filter(({ row }) => row.includes(token.slice(3))),
        table_name,
      ).toEqual([]);
    }
    expect(scanned).toBeGreaterThan(100);
  });

  it('an unknown email costs one scrypt verification with the real parameters, like a wrong password', async () => {
    verifications.calls.length = 0;
    const unknown = await post(server, { query: LOGIN, variables: { email: 'nobody@acme.test', password: DEMO_PASSWORD } });
    expect(verifications.calls).toHaveLength(1);
    const wrong = await post(server, { query: LOGIN, variables: { email: 'agent@acme.test', password: 'not-the-password' } });
    expect(verifications.calls).toHaveLength(2);
    // Both against a scrypt hash with the cost parameters of real accounts, and both answered alike.
    const params = verifications.calls.map((stored) => stored.split('$').slice(0, 4).join('$'));
    expect(params[0]).toMatch(/^scrypt\$\d+\$\d+\$\d+$/);
    expect(params[0]).toBe(params[1]);
    expect(verifications.calls[0]).not.toBe(verifications.calls[1]);
    expect(JSON.parse(unknown.text).errors).toEqual(JSON.parse(wrong.text).errors);
    expect(unknown.status).toBe(wrong.status);
  });
});

describe('login limits without trusted proxies (TRUST_PROXY_HOPS=0, the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('a client cannot buy new attempts by making up X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const response = await post(
        server,
        { query: LOGIN, variables: { email: 'admin@acme.test', password: 'wrong' } },
        { 'x-forwarded-for': `192.0.2.${i}` },
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
  });
});

describe('login limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { auth: testAuthConfig({ loginPerEmailAndIp: 3, loginPerIp: 8, trustProxyHops: 1 }) } });
  });
  afterAll(() => server?.close());

  const attempt = (email: string, password: string, address = '203.0.113.1') =>
    post(server, { query: LOGIN, variables: { email, password } }, { 'x-forwarded-for': `198.51.100.7, ${address}` });

  it('refuses the attempt after the limit for one email and address with 429, Retry-After, RATE_LIMITED, and no SQL or scrypt', async () => {
    for (let i = 0; i < 3; i += 1) expect(codes((await attempt('agent@acme.test', 'wrong')).text)).toEqual(['UNAUTHENTICATED']);
    verifications.calls.length = 0;
    const limited = await attempt('Agent@acme.test ', DEMO_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = JSON.parse(limited.text);
    expect(body.data).toBeNull();
    expect(body.errors.map((e: any) => e.extensions.code)).toEqual(['RATE_LIMITED']);
    expect(body.errors[0].extensions.http).toBeUndefined();
    expect(limited.text).not.toMatch(/stack|SELECT|prisma/i);
    expect(body.extensions.sqlStatements).toBe(0);
    expect(verifications.calls).toHaveLength(0);
    expect(await rateLimitedCount(server, 'login-email-ip')).toBe(1);
    // Another client address (one trusted proxy hop) has its own budget for that email.
    expect(codes((await attempt('agent@acme.test', DEMO_PASSWORD, '203.0.113.2')).text)).toEqual([]);
  });

  it('a successful login clears the failures of that email from that address', async () => {
    const address = '203.0.113.3';
    for (let i = 0; i < 2; i += 1) await attempt('customer@acme.test', 'wrong', address);
    expect(codes((await attempt('customer@acme.test', DEMO_PASSWORD, address)).text)).toEqual([]);
    for (let i = 0; i < 2; i += 1) expect(codes((await attempt('customer@acme.test', 'wrong', address)).text)).toEqual(['UNAUTHENTICATED']);
  });

  it('limits one address across emails', async () => {
    const address = '203.0.113.4';
    const results: number[] = [];
    for (let i = 0; i < 9; i += 1) results.push((await attempt(`user${i}@acme.test`, 'wrong', address)).status);
    expect(results.slice(0, 8).every((status) => status === 200)).toBe(true);
    expect(results[8]).toBe(429);
    expect(await rateLimitedCount(server, 'login-ip')).toBe(1);
  });
});

describe('per-token request limit', () => {
  let server: TestServer;
  let agent: string;
  let other: string;
  beforeAll(async () => {
    server = await startTestServer({ config: { auth: testAuthConfig({ tokenRequestsPerMinute: 6 }) } });
    [agent, other] = await Promise.all([server.login('agent@acme.test'), server.login('admin@acme.test')]);
  });
  afterAll(() => server?.close());

  it('counts cache hits too, and refuses the request after the budget with 429 before the cache answers', async () => {
    const query = { query: '{ viewer { id name } }' };
    const auth = { authorization: `Bearer ${agent}` };
    const statuses: number[] = [];
    const hits: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await post(server, query, auth);
      statuses.push(response.status);
      hits.push(JSON.parse(response.text).extensions?.responseCache?.hit === true);
    }
    const get = await fetch(`${server.url}?query=${encodeURIComponent(query.query)}`, {
      headers: { ...auth, [CSRF_HEADER]: '1', accept: 'application/json' },
    });
    statuses.push(get.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(hits.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    const limited = await post(server, query, { ...auth, origin: 'https://desk.example.com' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://desk.example.com');
    expect(JSON.parse(limited.text)).toEqual({
      errors: [{ message: expect.stringMatching(/^Too many requests/), extensions: { code: 'RATE_LIMITED' } }],
    });
    const limitedGet = await fetch(`${server.url}?query=${encodeURIComponent(query.query)}`, {
      headers: { ...auth, [CSRF_HEADER]: '1', accept: 'application/json' },
    });
    expect(limitedGet.status).toBe(429);
    expect(await rateLimitedCount(server, 'token')).toBe(2);
    // Another token has its own budget.
    expect((await post(server, query, { authorization: `Bearer ${other}` })).status).toBe(200);
  });
});

describe('limiter store', () => {
  const logger = createLogger({ logLevel: 'silent' } as never);

  it('when Redis is unreachable, requests are not failed: the in-memory insurance limiter counts', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const limits = createRateLimits(
      testAuthConfig({ tokenRequestsPerMinute: 3 }),
      { target: { kind: 'single', url: `redis://127.0.0.1:${port}` }, keyPrefix: 'test-down', timeoutMs: 50 },
      logger,
    );
    try {
      const outcomes = [];
      for (let i = 0; i < 4; i += 1) outcomes.push(await limits.token!.take('some-token-hash'));
      expect(outcomes.slice(0, 3)).toEqual([null, null, null]);
      expect(outcomes[3]).toBeGreaterThan(0);
    } finally {
      await limits.close();
    }
  });

  // On a Redis Cluster as on a single Redis: the limiter's script touches one key, so one slot.
  describe.each(targets())('on a %s', (_name, target) => {
    const store = () => ({ target, keyPrefix: `test-rl-${process.pid}-${Date.now()}`, timeoutMs: 1000 });

    it('instances share one budget per token', async () => {
      const shared = store();
      const a = createRateLimits(testAuthConfig({ tokenRequestsPerMinute: 4 }), shared, logger);
      const b = createRateLimits(testAuthConfig({ tokenRequestsPerMinute: 4 }), shared, logger);
      const probe = probeClient(target);
      try {
        // Both connections ready, so the counts go to Redis rather than to the insurance limiter.
        expect(await a.whenReady()).toBe(true);
        expect(await b.whenReady()).toBe(true);
        const outcomes = [];
        for (let i = 0; i < 5; i += 1) outcomes.push(await (i % 2 ? b : a).token!.take('shared-hash'));
        expect(outcomes.slice(0, 4)).toEqual([null, null, null, null]);
        expect(outcomes[4]).toBeGreaterThan(0);
        expect(await probe.exists(`${shared.keyPrefix}:rl:token:shared-hash`)).toBe(1);
      } finally {
        probe.disconnect();
        await a.close();
        await b.close();
      }
    });

    it('login limits count exactly across instances, and a reset clears the count', async () => {
      const shared = store();
      const config = testAuthConfig({ loginPerIp: 3, loginPerEmailAndIp: 3 });
      const a = createRateLimits(config, shared, logger);
      const b = createRateLimits(config, shared, logger);
      try {
        expect(await a.whenReady()).toBe(true);
        expect(await b.whenReady()).toBe(true);
        const outcomes = [];
        for (let i = 0; i < 4; i += 1) outcomes.push(await (i % 2 ? b : a).loginPerIp!.take('10.0.0.1'));
        expect(outcomes.slice(0, 3)).toEqual([null, null, null]);
        expect(outcomes[3]).toBeGreaterThan(0);
        await a.loginPerIp!.reset('10.0.0.1');
        expect(await b.loginPerIp!.take('10.0.0.1')).toBeNull();
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});

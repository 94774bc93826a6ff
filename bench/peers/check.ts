// Checks that every peer server answers exactly as deskgraph does: same schema, same context, same data.
//
//   node --import tsx bench/peers/check.ts [peer ...]        (default: every peer)
//
// On one seeded PostgreSQL copy (made on BENCH_DATABASE_URL / TEST_DATABASE_URL's server, else on the
// throwaway servers of scripts/test-services.sh; CHECK_SCALE, default 0.1) it starts deskgraph
// (RESPONSE_CACHE=false, EXPOSE_SQL_STATEMENT_COUNT=true) and then each peer in turn, exactly as the
// benchmark runner does (node --import tsx bench/peers/<name>.ts, PORT/HOST/DATABASE_URL, GET /ready),
// and compares, field by field, for an agent's and a customer's token (from deskgraph's login):
//   - the nested list (tickets(first: 50) with requester, assignee, tags, last 5 comments with authors),
//     ticket(id:), dashboardStats — each asked twice (the second may be a cache hit), data and errors;
//   - SQL statements per request: GET /bench-stats deltas against deskgraph's extensions.sqlStatements;
//   - login through the peer (its token must work on deskgraph), a bad token (401 + WWW-Authenticate);
//   - a write through the peer (updateTicket title), then the ticket and the list read back through it:
//     fresh, or stale (what a cache without invalidation does).
// Exits 1 when any answer differs from deskgraph's. Staleness after a write is reported, and is a failure
// only for a peer whose cache writes invalidate (`invalidates` in peers.ts): the others keep entries to their TTL.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededDatabase } from '../lib/database.ts';
import { DASHBOARD } from '../lib/queries.ts';
import { startInstance, type Instance } from '../lib/server.ts';
import { Cleanup, log } from '../lib/util.ts';
import { PEERS } from './peers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ALL_PEERS = PEERS.map((peer) => peer.name);

const NESTED_LIST = `query NestedList {
  tickets(first: 50) {
    edges { node {
      id number title status priority createdAt
      requester { id name }
      assignee { id name }
      tags { id name }
      comments(last: 5) { edges { node { id body internal createdAt author { id name } } } }
    } }
  }
}`;
const TICKET = `query TicketById($id: ID!) {
  ticket(id: $id) { id number title body status priority createdAt updatedAt requester { id name role } assignee { id name } commentCount }
}`;
const LOGIN = `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token user { id name role } } }`;
const VIEWER = `query Viewer { viewer { id name role } }`;
const RENAME = `mutation Rename($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { id title } } }`;

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[]; extensions?: any };
}

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> | null,
  token: string | null,
  operationName?: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: `not JSON (HTTP ${response.status}): ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, headers: response.headers, body };
}

async function statements(instance: Instance): Promise<number> {
  const response = await fetch(`${instance.origin}/bench-stats`);
  const body = (await response.json()) as { sqlStatements?: unknown };
  if (typeof body.sqlStatements !== 'number') throw new Error(`${instance.name}: /bench-stats gave ${JSON.stringify(body)}`);
  return body.sqlStatements;
}

/** Every path where a and b differ (at most `limit`). */
function differences(a: unknown, b: unknown, at = '', found: string[] = [], limit = 5): string[] {
  if (found.length >= limit) return found;
  if (Object.is(a, b)) return found;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    found.push(`${at || '(root)'}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`);
    return found;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
    found.push(`${at}: ${a.length} items ≠ ${b.length}`);
    return found;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!(key in a) || !(key in b)) {
      found.push(`${at}.${key}: ${key in a ? 'only in deskgraph' : 'only in the peer'}`);
      continue;
    }
    differences((a as any)[key], (b as any)[key], at ? `${at}.${key}` : key, found, limit);
  }
  return found;
}

/** What must be equal: data, and each error's message, code and path (locations and extras differ by framework). */
function comparable(body: Answer['body']) {
  return {
    data: body.data ?? null,
    errors: body.errors?.map((e) => ({ message: e.message, code: e.extensions?.code ?? null, path: e.path ?? null })) ?? null,
  };
}

function countLeaves(value: unknown): number {
  if (value === null || typeof value !== 'object') return 1;
  return Object.values(value).reduce<number>((sum, v) => sum + countLeaves(v), 0);
}

interface Row {
  peer: string;
  cells: Record<string, string>;
  failures: string[];
  notes: string[];
}

async function main(): Promise<void> {
  const peers = process.argv.slice(2).length ? process.argv.slice(2) : ALL_PEERS;
  for (const peer of peers) if (!ALL_PEERS.includes(peer)) throw new Error(`unknown peer ${peer}; one of ${ALL_PEERS.join(', ')}`);
  const cleanup = new Cleanup();
  try {
    let serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
    if (!serverUrl) {
      const out = execFileSync('bash', ['scripts/test-services.sh', 'start'], { cwd: root, encoding: 'utf8' });
      serverUrl = /TEST_DATABASE_URL=(\S+)/.exec(out)?.[1];
      if (!serverUrl) throw new Error(`scripts/test-services.sh start printed no TEST_DATABASE_URL:\n${out}`);
    }
    const databases = await createSeededDatabase(serverUrl, Number(process.env.CHECK_SCALE ?? 0.1), cleanup);
    const { url } = await databases.copy('peers');
    const env = { DATABASE_URL: url, REDIS_URL: undefined, LOG_LEVEL: 'warn' };

    const deskgraph = await startInstance({
      name: 'deskgraph',
      root,
      env: { ...env, RESPONSE_CACHE: 'false', EXPOSE_SQL_STATEMENT_COUNT: 'true' },
      cleanup,
    });
    const signIn = async (email: string) => {
      const answer = await post(deskgraph.graphqlUrl, LOGIN, { email, password: 'deskgraph' }, null);
      const token = answer.body.data?.login?.token;
      if (typeof token !== 'string') throw new Error(`login ${email} on deskgraph: ${JSON.stringify(answer.body)}`);
      return token as string;
    };
    const sessions = [
      { who: 'agent', token: await signIn('agent@acme.test') },
      { who: 'customer', token: await signIn('customer@acme.test') },
    ];
    // A ticket each session can see: the first of its list.
    const ticketIds: Record<string, string> = {};
    for (const s of sessions) {
      const list = await post(deskgraph.graphqlUrl, NESTED_LIST, null, s.token);
      const id = list.body.data?.tickets?.edges?.[0]?.node?.id;
      if (typeof id !== 'string') throw new Error(`deskgraph's list for ${s.who}: ${JSON.stringify(list.body).slice(0, 300)}`);
      ticketIds[s.who] = id;
    }
    const cases = sessions.flatMap((s) => [
      { key: `${s.who} list`, session: s, query: NESTED_LIST, variables: null },
      { key: `${s.who} ticket`, session: s, query: TICKET, variables: { id: ticketIds[s.who]! } },
      { key: `${s.who} dashboard`, session: s, query: DASHBOARD, variables: null },
    ]);

    // deskgraph's answers and statement counts (per request, its own extensions.sqlStatements).
    const reference = new Map<string, { body: Answer['body']; statements: number | null }>();
    for (const c of cases) {
      const answer = await post(deskgraph.graphqlUrl, c.query, c.variables, c.session.token);
      reference.set(c.key, { body: answer.body, statements: answer.body.extensions?.sqlStatements ?? null });
    }
    log(
      `deskgraph: ${cases
        .map((c) => {
          const r = reference.get(c.key)!;
          return `${c.key} ${r.body.errors ? `error ${r.body.errors[0]?.extensions?.code}` : `${countLeaves(r.body.data)} values`}, ${r.statements} SQL`;
        })
        .join('; ')}`,
    );

    const rows: Row[] = [];
    for (const name of peers) {
      const row: Row = { peer: name, cells: {}, failures: [], notes: [] };
      rows.push(row);
      let peer: Instance;
      try {
        peer = await startInstance({ name, root, env, cleanup, args: ['--import', 'tsx', `bench/peers/${name}.ts`] });
      } catch (error) {
        row.failures.push(`did not start: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      try {
        // Answers, twice each; statements per request from /bench-stats deltas.
        for (const c of cases) {
          const expected = reference.get(c.key)!;
          const counts: number[] = [];
          let verdict = 'same';
          for (let round = 1; round <= 2; round++) {
            const before = await statements(peer);
            const answer = await post(peer.graphqlUrl, c.query, c.variables, c.session.token);
            counts.push((await statements(peer)) - before);
            const diff = differences(comparable(expected.body), comparable(answer.body));
            if (diff.length) {
              verdict = 'DIFFERENT';
              row.failures.push(`${c.key} (request ${round}): ${diff.join('; ')}`);
            }
          }
          row.cells[c.key] = `${verdict}, SQL ${counts.join('/')} (dg ${expected.statements})`;
        }

        // Login through the peer; its token works on deskgraph and on the peer.
        const login = await post(peer.graphqlUrl, LOGIN, { email: 'agent@acme.test', password: 'deskgraph' }, null);
        const token = login.body.data?.login?.token;
        if (typeof token !== 'string') row.failures.push(`login through the peer: ${JSON.stringify(login.body).slice(0, 200)}`);
        else {
          const onDeskgraph = await post(deskgraph.graphqlUrl, VIEWER, null, token);
          const onPeer = await post(peer.graphqlUrl, VIEWER, null, token);
          const ok =
            onDeskgraph.body.data?.viewer?.name === login.body.data.login.user.name &&
            !differences(comparable(onDeskgraph.body), comparable(onPeer.body)).length;
          row.cells.login = ok ? 'ok' : 'FAILED';
          if (!ok) row.failures.push(`peer's token: deskgraph ${JSON.stringify(onDeskgraph.body)}, peer ${JSON.stringify(onPeer.body)}`);
        }

        // A bad token: 401 with a Bearer challenge and UNAUTHENTICATED, as deskgraph answers.
        const bad = await post(peer.graphqlUrl, VIEWER, null, 'dg_not-a-token');
        const badOk =
          bad.status === 401 &&
          /bearer/i.test(bad.headers.get('www-authenticate') ?? '') &&
          bad.body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED';
        row.cells['bad token'] = badOk ? '401' : `HTTP ${bad.status}`;
        if (!badOk) row.failures.push(`bad token: HTTP ${bad.status} ${JSON.stringify(bad.body).slice(0, 200)}`);

        // A write through the peer, then reads through it (the ticket and list were cached above).
        const agent = sessions[0]!;
        const title = `Renamed through ${name} ${Date.now()}`;
        const renamed = await post(peer.graphqlUrl, RENAME, { input: { id: ticketIds.agent, title } }, agent.token);
        if (renamed.body.data?.updateTicket?.ticket?.title !== title)
          row.failures.push(`updateTicket through the peer: ${JSON.stringify(renamed.body).slice(0, 200)}`);
        const ticketAfter = await post(peer.graphqlUrl, TICKET, { id: ticketIds.agent }, agent.token);
        const listAfter = await post(peer.graphqlUrl, NESTED_LIST, null, agent.token);
        const fresh = (answer: Answer, pick: (data: any) => unknown) => (pick(answer.body.data) === title ? 'fresh' : 'STALE');
        row.cells['after write'] =
          `ticket ${fresh(ticketAfter, (d) => d?.ticket?.title)}, list ${fresh(listAfter, (d) => d?.tickets?.edges?.find((e: any) => e.node.id === ticketIds.agent)?.node.title)}`;
        if (PEERS.find((p) => p.name === name)?.invalidates && row.cells['after write'].includes('STALE'))
          row.failures.push(`stale after a write, though its cache is invalidated by writes: ${row.cells['after write']}`);
        // deskgraph must agree with the peer's fresh answers (same database).
        const deskgraphAfter = await post(deskgraph.graphqlUrl, TICKET, { id: ticketIds.agent }, agent.token);
        if (deskgraphAfter.body.data?.ticket?.title !== title)
          row.failures.push(`deskgraph does not see the peer's write: ${JSON.stringify(deskgraphAfter.body).slice(0, 200)}`);
        // The cases above compare against answers taken before this write: refresh them for the next peer.
        for (const c of cases) {
          const answer = await post(deskgraph.graphqlUrl, c.query, c.variables, c.session.token);
          reference.set(c.key, { body: answer.body, statements: answer.body.extensions?.sqlStatements ?? null });
        }
      } catch (error) {
        row.failures.push(`check failed: ${error instanceof Error ? error.message : String(error)}\n${peer.output()}`);
      } finally {
        await peer.stop();
      }
      log(`${name}: ${row.failures.length ? `${row.failures.length} problem(s)` : 'same answers as deskgraph'}`);
    }

    const columns = [...new Set(rows.flatMap((r) => Object.keys(r.cells)))];
    process.stdout.write(`\n| peer | ${columns.join(' | ')} |\n|${' --- |'.repeat(columns.length + 1)}\n`);
    for (const r of rows) process.stdout.write(`| ${r.peer} | ${columns.map((c) => r.cells[c] ?? '—').join(' | ')} |\n`);
    process.stdout.write(
      '\nSQL a/b: statements of the first / second identical request (the second may be a cache hit); dg: deskgraph with the cache off.\n',
    );
    const failed = rows.filter((r) => r.failures.length);
    for (const r of failed) process.stdout.write(`\n${r.peer}:\n${r.failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = failed.length ? 1 : 0;
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

// What bench:persisted checks besides bytes and throughput: require mode refuses documents and unknown
// hashes the way clients expect, a token works on both instances, and what browsers add (Origin) still
// reaches the fast path.
import { sha256 } from '../lib/queries.ts';
import { exchange, type RawRequest } from '../lib/raw-http.ts';
import { describeResponse, errorCode, type Client } from './client.ts';
import { CSRF, HOT, type Findings, type Operation } from './model.ts';

const json: [string, string] = ['content-type', 'application/json'];

/** Require mode end to end: what is refused, and how. */
export async function checkRefusals(client: Client, findings: Findings, hot: Operation): Promise<void> {
  const instance = client.require;
  const expect = async (name: string, request: RawRequest, status: number, wanted: string | null) => {
    const response = await exchange(instance.port, request);
    const got = errorCode(response);
    const ok = response.status === status && (wanted === null ? got === null : got === wanted);
    findings.check(name, `HTTP ${status}${wanted ? ` ${wanted}` : ''}`, describeResponse(response), ok);
  };
  const headers = client.agentHeaders(instance);
  const unknown = `sha256:${sha256('query Unknown { viewer { id } }')}`;
  await expect(
    'require: POST with the document',
    { ...client.requestOf('post-document', hot), headers: [...headers, json] },
    400,
    'PERSISTED_QUERY_ONLY',
  );
  await expect(
    'require: GET with the document',
    {
      method: 'GET',
      target: `/graphql?${new URLSearchParams({ query: hot.document, operationName: hot.name })}`,
      headers: [...headers, CSRF],
    },
    400,
    'PERSISTED_QUERY_ONLY',
  );
  await expect(
    'require: POST an unknown hash',
    { method: 'POST', target: '/graphql', headers: [...headers, json], body: JSON.stringify({ documentId: unknown }) },
    404,
    'PERSISTED_QUERY_NOT_FOUND',
  );
  await expect(
    'require: GET an unknown hash',
    { method: 'GET', target: `/graphql?documentId=${unknown}`, headers: [...headers, CSRF] },
    404,
    'PERSISTED_QUERY_NOT_FOUND',
  );
  await expect(
    'require: POST with neither',
    { method: 'POST', target: '/graphql', headers: [...headers, json], body: '{}' },
    400,
    'PERSISTED_QUERY_NOT_FOUND',
  );
}

/**
 * TicketDetail reads the agent's hottest ticket: the first of OpenTickets. Asked with an operationName,
 * which the hash-only forms do not send: another cache key, so their first request is still a miss.
 */
export async function setTicketDetailVariables(client: Client, operations: Operation[], hot: Operation): Promise<void> {
  const list = await exchange(client.require.port, {
    method: 'POST',
    target: '/graphql',
    headers: [...client.agentHeaders(client.require), json],
    body: JSON.stringify({ documentId: `sha256:${hot.hash}`, operationName: hot.name }),
  });
  const first = (JSON.parse(list.decoded.toString('utf8')) as { data?: { tickets?: { edges?: { node: { id: string } }[] } } }).data?.tickets
    ?.edges?.[0]?.node.id;
  if (!first) throw new Error(`${HOT} by hash returned no ticket: HTTP ${list.status} ${list.decoded.toString('utf8').slice(0, 300)}`);
  operations.find((o) => o.name === 'TicketDetail')!.variables = { id: first };
}

/** The token signed in on the require instance works on the allow instance: one database. */
export async function checkSharedToken(client: Client, findings: Findings, operations: Operation[]): Promise<void> {
  const viewerOp = operations.find((o) => o.name === 'Viewer')!;
  const viewer = await exchange(client.allow.port, client.requestOf('post-document', viewerOp));
  const ok = viewer.status === 200 && viewer.decoded.toString('utf8').includes('"viewer":{"id"');
  findings.check('allow: the token from login on require (same database)', 'HTTP 200 with the viewer', describeResponse(viewer), ok);
}

/** Browsers add Origin to every POST, same-origin included (Fetch standard): does the fast path still answer? */
export async function checkOrigin(client: Client, findings: Findings, hot: Operation): Promise<void> {
  const instance = client.require;
  const untilFast = async (request: RawRequest) => {
    let m = await client.measured(instance, request);
    for (let attempt = 0; attempt < 10 && m.outcome !== 'hit/fast'; attempt++) m = await client.measured(instance, request);
    return m;
  };
  const m = await untilFast(client.requestOf('post-hash', hot, [['origin', `http://127.0.0.1:${instance.port}`]]));
  findings.check(
    'require: POST hash with Origin (as browsers send every POST)',
    'HTTP 200',
    `${describeResponse(m.response)}, ${m.outcome}`,
    m.response.status === 200,
  );
  const g = await untilFast(client.requestOf('get-hash', hot, [['origin', 'https://app.example']]));
  findings.check(
    'require: GET hash with a cross-origin Origin (as fetch() sends it cross-origin)',
    'HTTP 200',
    `${describeResponse(g.response)}, ${g.outcome}`,
    g.response.status === 200,
  );
  if (g.outcome !== 'hit/fast') findings.note(`GET hash with Origin (cross-origin fetch) is not a fast-path hit either: ${g.outcome}`);
  if (m.outcome !== 'hit/fast') {
    findings.note(
      `POST hash with an Origin header (which browsers send on every POST, same-origin too) is never a fast-path hit: ${m.outcome} (server/cache/fast-path.ts leaves any request with Origin to yoga); a same-origin GET carries no Origin`,
    );
  }
}

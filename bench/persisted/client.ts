// The requests of bench:persisted on raw sockets, byte for byte: each form of an operation, sent to the
// instance that takes it ((a) to allow, (b) and (c) to require), and what the server counted for it.
import { counters, delta, scrape, type CacheCounters } from '../lib/metrics.ts';
import { PASSWORD } from '../lib/operations.ts';
import { exchange, serializeRequest, type RawRequest, type RawResponse } from '../lib/raw-http.ts';
import type { Instance } from '../lib/server.ts';
import { requestBody } from '../lib/workload.ts';
import { AGENT, CSRF, type Findings, type Form, type Measured, type Operation } from './model.ts';

export interface Exchange {
  response: RawResponse;
  outcome: string;
  sent: number;
}

type ErrorBody = { errors?: { extensions?: { code?: string } }[] };

export function errorCode(r: RawResponse): string | null {
  try {
    return (JSON.parse(r.decoded.toString('utf8')) as ErrorBody).errors?.[0]?.extensions?.code ?? null;
  } catch {
    return null;
  }
}

/** What a response says in a line: status, content-encoding, error code. */
export function describeResponse(r: RawResponse): string {
  const code = errorCode(r) ?? '';
  return `HTTP ${r.status}${r.headers['content-encoding'] ? ` ${r.headers['content-encoding']}` : ''}${code ? ` ${code}` : ''}`;
}

/** The outcome of one request on the server, from a /metrics delta. */
function cacheOutcome(d: CacheCounters): string {
  const parts: string[] = [];
  for (const [p, n] of Object.entries(d.hitsByPath)) if (n) parts.push(`hit/${p}`);
  if (d.misses) parts.push('miss');
  if (d.bypass) parts.push('bypass');
  return parts.join('+') || 'none';
}

export function toMeasured(m: Exchange): Measured {
  return {
    request: m.sent,
    response: m.response.wireBytes,
    status: m.response.status,
    encoding: m.response.headers['content-encoding'] ?? null,
    etag: m.response.headers.etag ?? null,
    outcome: m.outcome,
    headers: m.response.headers,
  };
}

/** Login by hash: { documentId, variables } — the only way in under require. */
export async function loginByHash(findings: Findings, instance: Instance, loginHash: string, email: string): Promise<string> {
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
  let token: string | null = null;
  try {
    token = (JSON.parse(response.decoded.toString('utf8')) as { data?: { login?: { token?: string } } }).data?.login?.token ?? null;
  } catch {
    // reported below
  }
  findings.check(
    `Login by hash as ${email} (${instance.name})`,
    'HTTP 200 with a token',
    describeResponse(response),
    response.status === 200 && !!token,
  );
  if (!token)
    throw new Error(`login by hash as ${email} failed: HTTP ${response.status} ${response.decoded.toString('utf8').slice(0, 300)}`);
  return token;
}

export class Client {
  constructor(
    readonly require: Instance,
    readonly allow: Instance,
    private readonly tokens: Record<string, string>,
  ) {}

  instanceFor(form: Form): Instance {
    return form === 'post-document' ? this.allow : this.require;
  }

  headersFor(instance: Instance, token: string | null): [string, string][] {
    return [
      ['host', `127.0.0.1:${instance.port}`],
      ['accept', 'application/json'],
      ...(token ? [['authorization', `Bearer ${token}`] as [string, string]] : []),
    ];
  }

  /** The agent's headers on an instance, for requests of a form other than the instance takes. */
  agentHeaders(instance: Instance): [string, string][] {
    return this.headersFor(instance, this.tokens[AGENT]!);
  }

  /** The request of one form: exactly what is sent (headers in this order, then `extra`). */
  requestOf(form: Form, op: Operation, extra: [string, string][] = []): RawRequest {
    const headers = this.headersFor(this.instanceFor(form), this.tokens[op.user]!);
    const documentId = `sha256:${op.hash}`;
    if (form === 'get-hash') {
      const variables = op.variables ? `&variables=${encodeURIComponent(JSON.stringify(op.variables))}` : '';
      return { method: 'GET', target: `/graphql?documentId=${documentId}${variables}`, headers: [...headers, CSRF, ...extra] };
    }
    // (a) is the body the workload sends today; (b) names the document instead.
    const body =
      form === 'post-document'
        ? requestBody(op.document, op.name, op.variables)
        : JSON.stringify(op.variables ? { documentId, variables: op.variables } : { documentId });
    return { method: 'POST', target: '/graphql', headers: [...headers, ['content-type', 'application/json'], ...extra], body };
  }

  /** One exchange, and what the server counted for it on /metrics. */
  async measured(instance: Instance, request: RawRequest): Promise<Exchange> {
    const before = counters(await scrape(instance.origin));
    const response = await exchange(instance.port, request);
    const outcome = cacheOutcome(delta(counters(await scrape(instance.origin)), before));
    return { response, outcome, sent: serializeRequest(request).length };
  }
}

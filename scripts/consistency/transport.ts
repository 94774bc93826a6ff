// One GraphQL request to one instance, sent the way the run chose (a trusted document by hash over GET
// or POST, or the text over POST), and the client's retry rule: what a real client behind a balancer
// retries (on another instance), and what it must give up on.
import type { Transport } from './history.ts';
import type { Operation } from './documents.ts';

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The value at `path` under a result's data, typed by the caller (the operations' own selections). */
export function dataAt<T>(body: GraphQLBody | undefined, ...path: string[]): T | undefined {
  let value: unknown = body?.data;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return (value ?? undefined) as T | undefined;
}

export interface Attempt {
  instance: string;
  via: Transport;
  start: number;
  end: number;
  /** Why it failed (a network error, an HTTP status, an error code); absent when it was answered. */
  error?: string;
  retryable?: boolean;
}

/** Error codes a client retries, on another instance: the request did not run, or ran and may be repeated. */
const RETRYABLE_CODES = ['SERVICE_UNAVAILABLE', 'RATE_LIMITED'];
/** HTTP statuses a client retries: a balancer or a draining/overloaded instance answered. */
const RETRYABLE_STATUSES = [429, 502, 503, 504];

export interface Target {
  /** Instance base URLs (http://host:port), and the balancer's when there is one. */
  name: string;
  base: string;
}

export class Transporter {
  private readonly start = performance.now();
  constructor(
    private readonly hashes: Map<string, string>,
    private readonly timeoutMs: number,
    /** Forbids the document's text once a server answered PERSISTED_QUERY_ONLY (require mode). */
    public plainAllowed = true,
  ) {}

  /** Milliseconds since the run began: the clock of every record. */
  now(): number {
    return performance.now() - this.start;
  }

  /** The transport actually usable for an operation (a document the web client lacks goes as text). */
  usable(operation: Operation, wanted: Transport): Transport {
    const hash = operation.clientDocument && this.hashes.get(operation.clientDocument);
    if (wanted !== 'plain-post' && !hash) return 'plain-post';
    if (wanted === 'persisted-get' && operation.mutation) return 'persisted-post';
    if (wanted === 'plain-post' && !this.plainAllowed && hash) return 'persisted-post';
    return wanted;
  }

  async send(
    target: Target,
    operation: Operation,
    via: Transport,
    variables: Record<string, unknown>,
    token: string | null,
  ): Promise<{ attempt: Attempt; body?: GraphQLBody }> {
    const start = this.now();
    const headers: Record<string, string> = { accept: 'application/graphql-response+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const hash = operation.clientDocument ? this.hashes.get(operation.clientDocument) : undefined;
    let url = `${target.base}/graphql`;
    let init: RequestInit;
    if (via === 'persisted-get') {
      url += `?documentId=${encodeURIComponent(hash!)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
      init = { method: 'GET', headers };
    } else {
      const payload = via === 'persisted-post' ? { documentId: hash, variables } : { query: operation.text, variables };
      init = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(payload) };
    }
    const attempt = (error?: string, retryable?: boolean): Attempt => ({
      instance: target.name,
      via,
      start,
      end: this.now(),
      ...(error ? { error, retryable } : {}),
    });
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await response.text();
    } catch (error) {
      return { attempt: attempt(networkError(error), true) };
    }
    let body: GraphQLBody;
    try {
      body = JSON.parse(text) as GraphQLBody;
    } catch {
      return { attempt: attempt(`HTTP ${response.status}`, RETRYABLE_STATUSES.includes(response.status)) };
    }
    const code = body.errors?.[0]?.extensions?.code;
    if (code === 'PERSISTED_QUERY_ONLY') this.plainAllowed = false;
    if (body.errors?.length || !body.data) {
      const retryable = RETRYABLE_STATUSES.includes(response.status) || (code !== undefined && RETRYABLE_CODES.includes(code));
      return { attempt: attempt(`HTTP ${response.status} ${code ?? ''} ${body.errors?.[0]?.message ?? ''}`.trim(), retryable), body };
    }
    return { attempt: attempt(), body };
  }
}

/** The cause a failed fetch names (ECONNREFUSED, ECONNRESET, a timeout), short enough for the report. */
function networkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'TIMEOUT';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

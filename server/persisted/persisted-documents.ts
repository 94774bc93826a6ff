// The documents clients may send by hash, per client (client-name.ts): the trusted manifest shipped with
// the web client (written by codegen), the documents of third-party clients from the registry
// (registry/, `npm run operations -- push`), and, when enabled, documents clients registered with
// automatic persisted queries (APQ). A hash is the SHA-256 of the document text, in hex; it is checked.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { getOperationAST, parse, validate, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { WEB_CLIENT } from './client-name.ts';

class PersistedDocumentsError extends Error {
  override name = 'PersistedDocumentsError';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `<hex>` or `sha256:<hex>` (the GraphQL-over-HTTP persisted documents form) → `<hex>`; null if neither. */
export function normalizeHash(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : null;
}

/** The hash of Apollo's automatic persisted query extension, normalized; null when absent or malformed. */
export function apqHash(extensions: unknown): string | null {
  return normalizeHash((extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash);
}

/** The hash a request names: documentId first, else the APQ extension. */
export function requestedHash(params: { documentId?: unknown; extensions?: unknown }): string | null {
  return normalizeHash(params.documentId) ?? apqHash(params.extensions);
}

export interface ApqLimits {
  maxDocuments: number;
  maxDocumentBytes: number;
}

export class PersistedDocuments {
  private readonly registered: LRUCache<string, string> | null;
  /** The registry's third-party clients: name → hash → document. */
  private readonly clients = new Map<string, ReadonlyMap<string, string>>();

  constructor(
    private readonly trusted: Map<string, string>,
    apq: ApqLimits | null,
  ) {
    this.registered = apq
      ? new LRUCache<string, string>({
          max: apq.maxDocuments,
          maxSize: apq.maxDocuments * apq.maxDocumentBytes,
          sizeCalculation: (text) => Math.max(1, text.length),
        })
      : null;
    this.maxDocumentBytes = apq?.maxDocumentBytes ?? 0;
  }

  private readonly maxDocumentBytes: number;

  get size(): number {
    return this.trusted.size;
  }

  /** The trusted documents (the manifest's, not those registered by APQ), by hash, in the order they were trusted. */
  get trustedDocuments(): ReadonlyMap<string, string> {
    return this.trusted;
  }

  get acceptsRegistrations(): boolean {
    return this.registered !== null;
  }

  /** The document a client may run by this hash: its own (the web client's manifest, or its registered ones), else APQ's. */
  get(hash: string, client: string = WEB_CLIENT): string | undefined {
    const own = client === WEB_CLIENT ? this.trusted : this.clients.get(client);
    return own?.get(hash) ?? this.registered?.get(hash);
  }

  /** Replaces a registered client's documents with what the registry holds now (none: the client is gone). */
  setClient(name: string, documents: ReadonlyMap<string, string>): void {
    if (documents.size > 0) this.clients.set(name, documents);
    else this.clients.delete(name);
  }

  /** Trusts more documents (npm run dev: codegen rewrote the manifest while the server runs); returns how many are new. */
  trust(documents: ReadonlyMap<string, string>): number {
    let added = 0;
    for (const [hash, text] of documents) {
      if (this.trusted.has(hash)) continue;
      this.trusted.set(hash, text);
      added += 1;
    }
    return added;
  }

  /** APQ: remembers a document under its hash; the caller has checked that the hash matches. */
  register(hash: string, text: string): 'registered' | 'too-large' | 'disabled' {
    if (!this.registered) return 'disabled';
    if (Buffer.byteLength(text) > this.maxDocumentBytes) return 'too-large';
    if (!this.trusted.has(hash)) this.registered.set(hash, text);
    return 'registered';
  }
}

/**
 * Reads a manifest ({ "<sha256 hex>": "<document>" }) from a file or an http(s) URL and checks every
 * entry: the hash must be the document's, and the document must still validate against the schema.
 * Anything wrong stops the server with a message naming the operation.
 */
export async function loadManifest(source: string, schema: GraphQLSchema): Promise<Map<string, string>> {
  let text: string;
  try {
    if (/^https?:\/\//.test(source)) {
      const response = await fetch(source);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } else {
      text = await readFile(source, 'utf8');
    }
  } catch (error) {
    throw new PersistedDocumentsError(
      `Cannot read the persisted operations manifest ${source}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let entries: Record<string, unknown>;
  try {
    entries = JSON.parse(text) as Record<string, unknown>;
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) throw new Error('not an object');
  } catch (error) {
    throw new PersistedDocumentsError(
      `The persisted operations manifest ${source} is not a JSON object of hash → document (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const documents = new Map<string, string>();
  const problems: string[] = [];
  for (const [id, document] of Object.entries(entries)) {
    const hash = normalizeHash(id);
    if (!hash || typeof document !== 'string') {
      problems.push(`${id}: not a sha256 hash mapped to a document`);
      continue;
    }
    if (sha256Hex(document) !== hash) {
      problems.push(`${id}: the hash is not the SHA-256 of its document`);
      continue;
    }
    let name = hash.slice(0, 12);
    try {
      const ast = parse(document);
      name = getOperationAST(ast)?.name?.value ?? name;
      const errors = validate(schema, ast);
      if (errors.length > 0) problems.push(`${name}: ${errors.map((e) => e.message).join('; ')}`);
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    documents.set(hash, document);
  }
  if (problems.length > 0) {
    throw new PersistedDocumentsError(
      `The persisted operations manifest ${source} does not match the schema:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return documents;
}

// What a push must pass before anything is written, for every document: its id is the SHA-256 of its
// body, it parses, it validates against the schema, and it stays within the document limits the server
// enforces (server/document-limits/), with page sizes at the maximum — a document the server would refuse
// for every request is refused here, once, with its name. Every problem is listed, not only the first.
import { Kind, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { checkDocument } from '../../document-limits/check-document.ts';
import type { LimitsConfig } from '../../document-limits/limits-config.ts';
import { parseWithTokenLimit } from '../../document-limits/max-tokens.ts';
import { sampleVariables } from '../../document-limits/sample-variables.ts';
import { normalizeHash, sha256Hex } from '../persisted-documents.ts';
import type { Manifest, ManifestEntry } from './manifest-formats.ts';
import type { RegisteredDocument } from './registry-store.ts';

export interface CheckSettings {
  schema: GraphQLSchema;
  limits: LimitsConfig;
  maxPageSize: number;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface PushProblem {
  /** The document's name (Apollo's, else its operation's) and its id. */
  document: string;
  message: string;
}

export interface CheckedManifest {
  /** One per distinct hash. */
  documents: RegisteredDocument[];
  problems: PushProblem[];
}

const PROGRESS_EVERY = 200;

export function checkManifest(manifest: Manifest, settings: CheckSettings): CheckedManifest {
  const documents = new Map<string, RegisteredDocument>();
  const problems: PushProblem[] = [];
  const total = manifest.entries.length;
  manifest.entries.forEach((entry, index) => {
    const checked = checkEntry(entry, settings);
    if ('problems' in checked) problems.push(...checked.problems);
    else documents.set(checked.hash, checked);
    if ((index + 1) % PROGRESS_EVERY === 0 || index + 1 === total) settings.onProgress?.({ done: index + 1, total });
  });
  return { documents: [...documents.values()], problems };
}

function checkEntry(entry: ManifestEntry, settings: CheckSettings): RegisteredDocument | { problems: PushProblem[] } {
  const shortId = entry.id.length > 80 ? `${entry.id.slice(0, 80)}…` : entry.id;
  const label = (name = entry.name) => (name ? `${name} (${shortId})` : shortId);
  const problem = (message: string, name = entry.name) => ({ problems: [{ document: label(name), message }] });
  const hash = normalizeHash(entry.id);
  if (!hash) {
    const sha1 = /^(sha1:)?[0-9a-f]{40}$/i.test(entry.id) ? ' (this looks like SHA-1: set persistedDocuments.hashAlgorithm to sha256)' : '';
    return problem(`the id is not a SHA-256 hash ("sha256:" and 64 hex digits, or the 64 digits alone)${sha1}`);
  }
  const body = entry.body as string;
  if (sha256Hex(body) !== hash) return problem('the id is not the SHA-256 of the document (was the document changed after it was hashed?)');
  let operations: OperationDefinitionNode[];
  try {
    const document = parseWithTokenLimit(settings.limits.maxTokens)(body);
    operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch (error) {
    return problem((error as GraphQLError).message);
  }
  const operationName = operations.length === 1 ? (operations[0]!.name?.value ?? null) : null;
  const name = entry.name ?? operations.map((op) => op.name?.value ?? 'anonymous').join(', ');
  if (operations.length === 0) return problem('the document has no operation', name);
  // A document of several operations is checked once per operation (the limits are per operation); the
  // schema's errors, which are the whole document's, would repeat.
  const errors = new Set(operations.flatMap((operation) => operationErrors(body, operation, operations.length > 1, entry.type, settings)));
  if (errors.size > 0) return { problems: [...errors].map((message) => ({ document: label(name), message })) };
  return { hash, body, operationName };
}

function operationErrors(
  body: string,
  operation: OperationDefinitionNode,
  named: boolean,
  declaredType: string | undefined,
  { schema, limits, maxPageSize }: CheckSettings,
): string[] {
  if (declaredType && declaredType !== operation.operation) {
    return [`the manifest says "${declaredType}" but the document is a ${operation.operation}`];
  }
  const document = { kind: Kind.DOCUMENT, definitions: [operation] } as const;
  const operationName = named ? operation.name?.value : undefined;
  const variables = sampleVariables(schema, document, maxPageSize);
  return checkDocument(schema, body, { limits, maxPageSize, variables, operationName }).errors.map((error) => error.message);
}

// The two manifest formats a push accepts, read into one list of entries:
//   GraphQL Code Generator's persisted documents (client preset, persistedDocuments: true):
//     { "sha256:<hex>": "<document>", … }   (bare hex keys work too)
//   Apollo's persisted query list (@apollo/generate-persisted-query-manifest, rover):
//     { "format": "apollo-persisted-query-manifest", "version": 1,
//       "operations": [{ "id": "<hex>", "name": "…", "type": "query", "body": "<document>" }, …] }
// Only the shape is checked here; each entry's hash and document are checked by check-push.ts.

export const APOLLO_FORMAT = 'apollo-persisted-query-manifest';

export interface ManifestEntry {
  /** The id as written in the manifest (a hash, maybe "sha256:"-prefixed), for messages. */
  id: string;
  body: unknown;
  /** Apollo's name and type, when given. */
  name?: string;
  type?: string;
}

export interface Manifest {
  format: 'codegen' | 'apollo';
  entries: ManifestEntry[];
}

export class ManifestFormatError extends Error {
  override name = 'ManifestFormatError';
}

const EXPECTED =
  `expected GraphQL Code Generator's persisted documents ({ "sha256:<hash>": "<document>", … }) ` +
  `or Apollo's persisted query list ({ "format": "${APOLLO_FORMAT}", "version": 1, "operations": [ … ] })`;

/** Parses a manifest's text; throws ManifestFormatError naming the source and what is wrong. */
export function readManifest(text: string, source: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestFormatError(`${source} is not JSON (${error instanceof Error ? error.message : String(error)}): ${EXPECTED}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestFormatError(`${source} is not a JSON object: ${EXPECTED}.`);
  }
  const manifest = 'format' in value ? apolloManifest(value as Record<string, unknown>, source) : codegenManifest(value, source);
  if (manifest.entries.length === 0) throw new ManifestFormatError(`${source} holds no documents.`);
  return manifest;
}

function codegenManifest(value: object, source: string): Manifest {
  const entries = Object.entries(value).map(([id, body]): ManifestEntry => ({ id, body }));
  const notText = entries.find((entry) => typeof entry.body !== 'string');
  if (notText) {
    throw new ManifestFormatError(`${source}: the value of "${notText.id.slice(0, 80)}" is not a document (a string): ${EXPECTED}.`);
  }
  return { format: 'codegen', entries };
}

function apolloManifest(value: Record<string, unknown>, source: string): Manifest {
  if (value.format !== APOLLO_FORMAT) {
    throw new ManifestFormatError(`${source}: unknown format ${JSON.stringify(value.format)?.slice(0, 80)}: ${EXPECTED}.`);
  }
  if (value.version !== 1) {
    throw new ManifestFormatError(
      `${source}: ${APOLLO_FORMAT} version ${JSON.stringify(value.version)} is not supported (only version 1).`,
    );
  }
  if (!Array.isArray(value.operations)) throw new ManifestFormatError(`${source}: "operations" must be an array.`);
  const entries = value.operations.map((operation: unknown, index): ManifestEntry => {
    const op = (operation ?? {}) as Record<string, unknown>;
    if (typeof op.id !== 'string' || typeof op.body !== 'string') {
      throw new ManifestFormatError(`${source}: operations[${index}] needs a string "id" and a string "body".`);
    }
    return {
      id: op.id,
      body: op.body,
      ...(typeof op.name === 'string' ? { name: op.name } : {}),
      ...(typeof op.type === 'string' ? { type: op.type } : {}),
    };
  });
  return { format: 'apollo', entries };
}

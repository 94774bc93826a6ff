// The registered documents (persisted-operation manifests: what clients send by hash) checked against
// a schema: a change that breaks one of them breaks a shipped client, changelog or not.
import { validate } from '@graphql-inspector/core';
import { Source, type GraphQLSchema } from 'graphql';

export interface Manifest {
  /** Where the documents come from, for messages: a path, or the module that builds them. */
  name: string;
  /** id (sha256:<hex>) → document text */
  documents: Record<string, string>;
}

export interface DocumentProblem {
  manifest: string;
  id: string;
  /** The operation's name, or the start of the text, so a reader finds it. */
  operation: string;
  errors: string[];
  /** Fields or values the document uses that the schema deprecates: reported, not failed. */
  deprecated: string[];
}

function operationLabel(text: string): string {
  const named = /\b(query|mutation|subscription)\s+(\w+)/.exec(text);
  return named ? `${named[1]} ${named[2]}` : text.replace(/\s+/g, ' ').slice(0, 60);
}

/** Every document that does not validate against the schema, or uses something deprecated. */
export function checkDocuments(schema: GraphQLSchema, manifests: readonly Manifest[]): DocumentProblem[] {
  const problems: DocumentProblem[] = [];
  for (const manifest of manifests) {
    for (const [id, text] of Object.entries(manifest.documents)) {
      // One document at a time: each persisted document carries its own fragments, and the same
      // fragment name in two documents is normal, not a clash.
      let found: ReturnType<typeof validate>;
      try {
        found = validate(schema, [new Source(text, id)], { strictFragments: false, strictDeprecated: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        problems.push({ manifest: manifest.name, id, operation: operationLabel(text), errors: [message], deprecated: [] });
        continue;
      }
      for (const invalid of found) {
        problems.push({
          manifest: manifest.name,
          id,
          operation: operationLabel(text),
          errors: invalid.errors.map((error) => error.message),
          deprecated: invalid.deprecated.map((error) => error.message),
        });
      }
    }
  }
  return problems;
}

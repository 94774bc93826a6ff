// The manifest hash of every shipped operation, by name: for a mutation the offline queue kept through
// a reload, which comes back as text parsed again, without the hash codegen put on its document. A
// chunk of its own (client.ts loads it for such a mutation only): it holds every generated document.
import type { DocumentNode } from 'graphql';
import * as generated from '../gql/graphql.ts';

type Shipped = DocumentNode & { __meta__?: { hash?: string } };

export const operationName = (document: DocumentNode) =>
  document.definitions.find((definition) => definition.kind === 'OperationDefinition')?.name?.value;

export const hashByName = new Map(
  Object.values(generated as Record<string, unknown>)
    .filter((value): value is Shipped => typeof value === 'object' && value !== null && 'definitions' in value)
    .flatMap((document) => {
      const name = operationName(document);
      return name && document.__meta__?.hash ? [[name, document.__meta__.hash] as const] : [];
    }),
);

// What the cache needs to know about an operation before it runs: is it a query, and does it read
// who is asking (fields marked `extensions.cacheScope: 'user'`, such as Query.viewer)? Learned when a
// document first goes through GraphQL, remembered by document hash so the fast path can use it.
import { getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { groupsOfField, type FieldGroups } from '../../schema/cache-tags.ts';
import type { Visibility } from './cache-key.ts';

export interface DocumentFacts {
  operation: 'query' | 'mutation' | 'subscription';
  /** The operation's own name, for metrics, when the request did not give operationName. */
  name: string | null;
  visibility: Visibility;
  /** A `query @live`: streamed by the live hub (server/live/), never cached. */
  live: boolean;
  /**
   * For each type with `cacheFieldGroups`, the groups of the fields the document selects of it: its
   * responses carry those group tags of the type's entities (schema/cache-tags.ts, withGroupTags).
   */
  fieldGroups: Readonly<Record<string, readonly string[]>>;
}

export function analyzeDocument(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): DocumentFacts | null {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return null;
  let visibility: Visibility = 'shared';
  const groups = new Map<string, Set<string>>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (typeInfo.getFieldDef()?.extensions?.cacheScope === 'user') visibility = 'user';
        const parent = typeInfo.getParentType();
        const fieldGroups = parent?.extensions?.cacheFieldGroups as FieldGroups | undefined;
        if (!parent || !fieldGroups || node.name.value === '__typename') return;
        let selected = groups.get(parent.name);
        if (!selected) groups.set(parent.name, (selected = new Set()));
        for (const group of groupsOfField(fieldGroups, node.name.value)) selected.add(group);
      },
    }),
  );
  const live = operation.operation === 'query' && (operation.directives?.some((directive) => directive.name.value === 'live') ?? false);
  const fieldGroups = Object.fromEntries(
    [...groups].filter(([, selected]) => selected.size > 0).map(([type, selected]) => [type, [...selected].sort()]),
  );
  return { operation: operation.operation, name: operation.name?.value ?? null, visibility, live, fieldGroups };
}

/** Facts by `documentHash|operationName`, bounded. */
export class DocumentFactsRegistry {
  private readonly facts = new LRUCache<string, DocumentFacts>({ max: 5000 });

  get(docHash: string, operationName: string | null | undefined): DocumentFacts | undefined {
    return this.facts.get(`${docHash}|${operationName ?? ''}`);
  }

  remember(docHash: string, operationName: string | null | undefined, facts: DocumentFacts): void {
    this.facts.set(`${docHash}|${operationName ?? ''}`, facts);
  }
}

// What the cache needs to know about an operation before it runs: is it a query, and does it read
// who is asking (fields marked `extensions.cacheScope: 'user'`, such as Query.viewer)? Learned when a
// document first goes through GraphQL, remembered by document hash so the fast path can use it.
import { getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Visibility } from './cache-key.ts';

export interface DocumentFacts {
  operation: 'query' | 'mutation' | 'subscription';
  /** The operation's own name, for metrics, when the request did not give operationName. */
  name: string | null;
  visibility: Visibility;
  /** A `query @live`: streamed by the live hub (server/live/), never cached. */
  live: boolean;
  /**
   * The types of which the document selects a field outside the type's `cacheTouchStable` list: its
   * responses carry the touch tags of those types' entities (schema/cache-tags.ts, withTouchTags).
   */
  touchTypes: readonly string[];
}

export function analyzeDocument(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): DocumentFacts | null {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return null;
  let visibility: Visibility = 'shared';
  const touchTypes = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (typeInfo.getFieldDef()?.extensions?.cacheScope === 'user') visibility = 'user';
        const parent = typeInfo.getParentType();
        const stable = parent?.extensions?.cacheTouchStable;
        if (parent && Array.isArray(stable) && node.name.value !== '__typename' && !stable.includes(node.name.value))
          touchTypes.add(parent.name);
      },
    }),
  );
  const live = operation.operation === 'query' && (operation.directives?.some((directive) => directive.name.value === 'live') ?? false);
  return { operation: operation.operation, name: operation.name?.value ?? null, visibility, live, touchTypes: [...touchTypes] };
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

// The limits a document must stay within; read from the environment by server/platform/config.ts.
export interface LimitsConfig {
  /** Lexical tokens in the document; parsing stops at the limit, so a huge document never becomes a huge AST. */
  maxTokens: number;
  /** Nesting of selection sets, fragments included. */
  maxDepth: number;
  /** Estimated cost: 1 per field, a connection's selection multiplied by its first/last (max page size when absent). */
  maxCost: number;
  /** Aliased fields in an operation, fragments included (__typename aliases are free). */
  maxAliases: number;
  /** Times one response key may appear in a single selection set. */
  maxFieldDuplicates: number;
  /** Directives in an operation, fragments included. */
  maxDirectives: number;
  /** __schema and __type queries: for anyone, for no one, or for signed-in users (auth). GraphiQL and codegen need them. */
  introspection: 'on' | 'off' | 'auth';
}

// Measured on the shipped documents (client manifest and bench/lib/queries.ts, page sizes at the
// maximum): at most 112 tokens, depth 8, cost 3,402 (a page of 100 tickets with their tags and
// assignees), no aliases, no directives. GraphiQL's introspection query has about 190 tokens.
// test/limits.test.ts checks every manifest document against these.
export const DEFAULT_LIMITS: LimitsConfig = {
  maxTokens: 1000,
  maxDepth: 10,
  maxCost: 10_000,
  maxAliases: 15,
  maxFieldDuplicates: 5,
  maxDirectives: 20,
  introspection: 'on',
};

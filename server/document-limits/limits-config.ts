// The limits a document must stay within (README: "Limits"), and the variables that set them.
import { z } from 'zod';
import { int } from '../platform/env-schema.ts';
import type { NodeEnv } from '../platform/platform-config.ts';

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

export const limitsEnv = z.object({
  MAX_TOKENS: int('MAX_TOKENS', 10, 1_000_000).default(DEFAULT_LIMITS.maxTokens),
  MAX_QUERY_DEPTH: int('MAX_QUERY_DEPTH', 1, 1000).default(DEFAULT_LIMITS.maxDepth),
  MAX_QUERY_COST: int('MAX_QUERY_COST', 1, 1_000_000_000).default(DEFAULT_LIMITS.maxCost),
  MAX_ALIASES: int('MAX_ALIASES', 0, 100_000).default(DEFAULT_LIMITS.maxAliases),
  MAX_FIELD_DUPLICATES: int('MAX_FIELD_DUPLICATES', 1, 100_000).default(DEFAULT_LIMITS.maxFieldDuplicates),
  MAX_DIRECTIVES: int('MAX_DIRECTIVES', 0, 100_000).default(DEFAULT_LIMITS.maxDirectives),
  INTROSPECTION: z.enum(['on', 'off', 'auth'], { error: () => 'INTROSPECTION must be on, off or auth' }).optional(),
});

export function limitsConfig(e: z.output<typeof limitsEnv>, nodeEnv: NodeEnv): LimitsConfig {
  return {
    maxTokens: e.MAX_TOKENS,
    maxDepth: e.MAX_QUERY_DEPTH,
    maxCost: e.MAX_QUERY_COST,
    maxAliases: e.MAX_ALIASES,
    maxFieldDuplicates: e.MAX_FIELD_DUPLICATES,
    maxDirectives: e.MAX_DIRECTIVES,
    // Introspection tells an attacker the whole schema: off in production unless asked for.
    introspection: e.INTROSPECTION ?? (nodeEnv === 'production' ? 'off' : DEFAULT_LIMITS.introspection),
  };
}
